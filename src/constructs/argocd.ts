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
import * as path from 'path';
import { ApiObject, App, Chart, Names, YamlOutputType } from 'cdk8s';
import type { KubeConfigMapProps } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { Application } from '../../imports/argoproj.io';
import { APPLICATION_NAME, ARGOCD_NAMESPACE, argoCdSettings, LOCAL_CLUSTER } from '../gitops/argocd';
import { DEFAULT_TARGET_REVISION } from '../gitops/source';
import { FabricError } from '../util/errors';

export interface ArgoCdApplicationProps {
  /** The git repository holding the synthesized manifests; no default: it is yours. */
  readonly repoURL: string;
  /** @default 'main' */
  readonly targetRevision?: string;
  /**
   * The folder Argo CD syncs, recursively, relative to the repository's root.
   * @default - the output folder of the app this Application is in (relative to the folder the app runs in,
   * the repository's root in a cdk8s project), less the file of the Application's own chart: that chart is
   * what you apply by hand, once (with the default one file per chart; otherwise give `path` yourself)
   */
  readonly path?: string;
  /** @default 'fabric' */
  readonly name?: string;
  /** Where Argo CD runs. @default 'argocd' */
  readonly namespace?: string;
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
    const app = App.of(this);
    this.path = props.path ?? (path.relative(process.cwd(), path.resolve(app.outdir)).split(path.sep).join('/') || '.');
    // The chart holding this Application, as cdk8s names its file (cdk8s lib/app.js, SimpleChartNamer).
    const ownFile = props.path === undefined && app.yamlOutputType === YamlOutputType.FILE_PER_CHART ? `${Names.toDnsLabel(Chart.of(this))}${app.outputFileExtension}` : undefined;
    this.apiObject = new Application(this, 'Resource', {
      metadata: { name: props.name ?? APPLICATION_NAME, namespace: props.namespace ?? ARGOCD_NAMESPACE },
      spec: {
        project: 'default',
        source: { repoUrl: this.repoURL, targetRevision: this.targetRevision, path: this.path, directory: { recurse: true, ...(ownFile ? { exclude: ownFile } : {}) } },
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
