/**
 * What a user applies once, by hand, to hand the cluster to Argo CD: the Application that syncs the
 * synthesized manifests, and the argocd-cm entries Fabric needs (annotation tracking, the health checks),
 * to merge into Argo CD's own ConfigMap with `kubectl patch --type merge`.
 *
 * The Application carries no `resources-finalizer.argocd.argoproj.io`: with it, deleting the Application
 * would cascade to Machines and so destroy VMs. Without it, deleting the Application deletes nothing.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications
 */
import { ApiObject } from 'cdk8s';
import type { KubeConfigMapProps } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { Application } from '../../imports/argoproj.io';
import { APPLICATION_NAME, ARGOCD_NAMESPACE, argoCdSettings, LOCAL_CLUSTER } from '../gitops/argocd';
import { DEFAULT_SYNC_PATH, DEFAULT_TARGET_REVISION } from '../gitops/source';
import { FabricError } from '../util/errors';

export interface ArgoCdApplicationProps {
  /** The git repository holding the synthesized manifests; no default: it is yours. */
  readonly repoURL: string;
  /** @default 'main' */
  readonly targetRevision?: string;
  /** The folder Argo CD syncs, recursively: where your app writes the manifests Argo CD applies. @default 'dist/cluster' */
  readonly path?: string;
  /** @default 'fabric' */
  readonly name?: string;
  /** Where Argo CD runs. @default 'argocd' */
  readonly namespace?: string;
  /**
   * Files below `path` not to sync, a glob against each file's path relative to `path` in which `*` also
   * matches `/` (argo-cd v3.5.1 reposerver/repository/repository.go, `glob.Match(directory.Exclude,
   * relPath)`), e.g. `monitoring/*` for the folder another Application syncs. @default - none
   */
  readonly exclude?: string;
  /** Sync options beside `PruneLast=true`, e.g. `SkipDryRunOnMissingResource=true`. @default [] */
  readonly syncOptions?: readonly string[];
  /** The namespace objects without one go to (and, with `CreateNamespace=true`, that is created). @default - none */
  readonly destinationNamespace?: string;
}

/** The Argo CD Application that syncs a folder of synthesized manifests into the cluster Argo CD runs in. */
export class ArgoCdApplication extends Construct {
  public readonly repoURL: string;
  public readonly targetRevision: string;
  public readonly path: string;
  /** The Application object. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    if (!props.repoURL) throw new FabricError('ArgoCdApplication: repoURL is required (the repository Argo CD syncs)');
    this.repoURL = props.repoURL;
    this.targetRevision = props.targetRevision ?? DEFAULT_TARGET_REVISION;
    this.path = props.path ?? DEFAULT_SYNC_PATH;
    this.apiObject = new Application(this, 'Resource', {
      metadata: { name: props.name ?? APPLICATION_NAME, namespace: props.namespace ?? ARGOCD_NAMESPACE },
      spec: {
        project: 'default',
        source: { repoUrl: this.repoURL, targetRevision: this.targetRevision, path: this.path, directory: { recurse: true, ...(props.exclude ? { exclude: props.exclude } : {}) } },
        // Every synthesized object names its own namespace (or is cluster-scoped).
        destination: { server: LOCAL_CLUSTER, ...(props.destinationNamespace ? { namespace: props.destinationNamespace } : {}) },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          // A renamed Machine's new VM exists before the old one is pruned.
          syncOptions: ['PruneLast=true', ...(props.syncOptions ?? [])],
          // The first sync waits on CRDs that Crossplane installs while it runs; retry rather than fail.
          retry: { limit: 10, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
        },
      },
    });
  }
}

export interface ArgoCdSettingsProps {
  /** Where Argo CD runs. @default 'argocd' */
  readonly namespace?: string;
}

/**
 * The argocd-cm entries Fabric needs, as a ConfigMap to merge into Argo CD's own: annotation tracking, and
 * the health checks that make a Machine report Ready, failed or in progress truthfully.
 */
export class ArgoCdSettings extends Construct {
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdSettingsProps = {}) {
    super(scope, id);
    // A plain ApiObject, typed by cdk8s-plus's binding without loading cdk8s-plus at run time.
    const settings: KubeConfigMapProps = {
      metadata: {
        name: 'argocd-cm',
        namespace: props.namespace ?? ARGOCD_NAMESPACE,
        labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' },
      },
      data: argoCdSettings(),
    };
    this.apiObject = new ApiObject(this, 'Resource', { apiVersion: 'v1', kind: 'ConfigMap', ...settings });
  }
}
