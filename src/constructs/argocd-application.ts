/**
 * The Argo CD Application that syncs a folder of synthesized manifests (Fabric's `dist/cluster/`) into the
 * cluster it runs in. It carries no `resources-finalizer.argocd.argoproj.io`: with it, deleting the
 * Application would cascade to Machines and so destroy VMs.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications
 */
import { Construct } from 'constructs';
import { Application } from '../../imports/argoproj.io';
import { DEFAULTS } from '../synth/settings';

/** Where Argo CD runs, and the Application's name, unless given. */
export const ARGOCD_NAMESPACE = 'argocd';
export const APPLICATION_NAME = 'fabric';
/** The in-cluster API server, where Argo CD itself runs. */
export const LOCAL_CLUSTER = 'https://kubernetes.default.svc';

export interface GitOpsApplicationProps {
  /** The git repository holding the synthesized manifests; no default: it is yours. */
  readonly repoURL: string;
  /** @default 'main' */
  readonly targetRevision?: string;
  /** The folder Argo CD syncs, recursively. @default 'dist/cluster' */
  readonly path?: string;
  /** @default 'fabric' */
  readonly name?: string;
  /** Where Argo CD runs. @default 'argocd' */
  readonly namespace?: string;
}

export class GitOpsApplication extends Construct {
  public readonly repoURL: string;
  public readonly targetRevision: string;
  public readonly path: string;
  public readonly application: Application;

  constructor(scope: Construct, id: string, props: GitOpsApplicationProps) {
    super(scope, id);
    if (!props.repoURL) throw new Error('GitOpsApplication: repoURL is required (the repository Argo CD syncs)');
    this.repoURL = props.repoURL;
    this.targetRevision = props.targetRevision ?? DEFAULTS.targetRevision;
    this.path = props.path ?? DEFAULTS.syncPath;
    this.application = new Application(this, 'Resource', {
      metadata: { name: props.name ?? APPLICATION_NAME, namespace: props.namespace ?? ARGOCD_NAMESPACE },
      spec: {
        project: 'default',
        source: { repoUrl: this.repoURL, targetRevision: this.targetRevision, path: this.path, directory: { recurse: true } },
        // Every synthesized object names its own namespace (or is cluster-scoped).
        destination: { server: LOCAL_CLUSTER },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          // A renamed Machine's new VM exists before the old one is pruned.
          syncOptions: ['PruneLast=true'],
          // The first sync waits on CRDs that Crossplane installs while it runs; retry rather than fail.
          retry: { limit: 10, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
        },
      },
    });
  }
}
