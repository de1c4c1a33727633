/**
 * Machines stay out of the namespaces the cluster and the platform run in: a Machine there shares its
 * namespace's RBAC and lifecycle with Kubernetes, Crossplane or Argo CD (deleting a platform namespace
 * would delete the VM), and a typo such as `namespace: kube-system` must not reach git.
 */
import { LoadedMachine } from '../synth/claims';
import { FabricSettings } from '../synth/settings';
import { Problem } from './problem';

/** Kubernetes' own namespaces, and the platform's. */
export const KUBERNETES_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'] as const;
export const PLATFORM_NAMESPACES = ['argocd', 'crossplane-system'] as const;

export function systemNamespaceProblems(machines: readonly LoadedMachine[], settings: FabricSettings): Problem[] {
  const reserved = [...new Set([...KUBERNETES_NAMESPACES, ...PLATFORM_NAMESPACES, settings.credentialsSecret.namespace])].sort();
  return machines
    .filter((machine) => reserved.includes(machine.namespace))
    .map((machine) => ({
      file: machine.file,
      index: machine.index,
      machine: machine.id,
      path: 'metadata.namespace',
      message: `must not be a system namespace (${reserved.join(', ')}): Machines live in namespaces of their own, got ${JSON.stringify(machine.namespace)}`,
    }));
}
