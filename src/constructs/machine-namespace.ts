/**
 * The Namespace Machines live in, written once per namespace beside the construct that asks for it, with
 * the sync policy of the platform's foundation: a namespace never leaves with a git change, since deleting
 * it would delete its Machines and so their VMs.
 */
import { ApiObject } from 'cdk8s';
import type { KubeNamespaceProps } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { applySyncPolicies } from '../gitops/sync-policy';

/** The Namespace `name` among the children of `scope`, made the first time it is asked for. */
export function machineNamespace(scope: Construct, name: string): ApiObject {
  const id = `Namespace.${name}`;
  const existing = scope.node.tryFindChild(id);
  if (existing) return existing as ApiObject;
  // A plain ApiObject, typed by cdk8s-plus's binding without loading cdk8s-plus at run time.
  const props: KubeNamespaceProps = { metadata: { name } };
  const namespace = new ApiObject(scope, id, { apiVersion: 'v1', kind: 'Namespace', ...props });
  applySyncPolicies(namespace);
  return namespace;
}
