/**
 * What a user applies once, by hand, to hand the cluster to ArgoCD (dist/argocd/, outside the synced
 * dist/cluster/): the Application that syncs dist/cluster/ from the repository named in package.json
 * `fabric.gitops`, and the argocd-cm settings Crossplane needs (annotation tracking, the Machine health
 * check), to merge into ArgoCD's own ConfigMap with `kubectl patch --type merge`.
 *
 * The Application has no `resources-finalizer.argocd.argoproj.io`: with it, deleting the Application
 * would cascade to Machines and so destroy VMs. Without it, deleting the Application deletes nothing.
 *
 * @see https://docs.crossplane.io/latest/guides/crossplane-with-argo-cd/
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#custom-health-checks
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import type { KubeConfigMapProps } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { Application } from '../../imports/argoproj.io';
import { ARGOCD_NAMESPACE, APPLICATION_NAME, GitOpsApplication } from '../constructs/argocd-application';
import { MACHINE_GROUP, MACHINE_KIND } from '../api/machine-schema';
import { GitOpsSettings } from '../synth/settings';

export { APPLICATION_NAME, ARGOCD_NAMESPACE, LOCAL_CLUSTER } from '../constructs/argocd-application';

/** argocd-cm key of the Machine health check. */
export const MACHINE_HEALTH_KEY = `resource.customizations.health.${MACHINE_GROUP}_${MACHINE_KIND}`;

/** argocd-cm key of the Provider health check, replacing Argo CD's built-in one (see provider-health.lua). */
export const PROVIDER_HEALTH_KEY = 'resource.customizations.health.pkg.crossplane.io_Provider';
/** The Provider check matches text with string.find; Argo CD opens the string library only when asked. */
export const PROVIDER_OPEN_LIBS_KEY = 'resource.customizations.useOpenLibs.pkg.crossplane.io_Provider';

/** The Lua health check, kept as a Lua file so it can be read, linted and tested as Lua. */
export function machineHealthLua(): string {
  return fs.readFileSync(path.join(__dirname, 'machine-health.lua'), 'utf8');
}

/** The Provider health check: Progressing while Crossplane installs it, not Degraded. */
export function providerHealthLua(): string {
  return fs.readFileSync(path.join(__dirname, 'provider-health.lua'), 'utf8');
}

/** argocd-cm entries Fabric needs. */
export function argoCdSettings(): Record<string, string> {
  return {
    // Crossplane copies an XR's labels to what it composes; label tracking would then claim (and prune)
    // Workspaces as the Application's own. Annotation tracking is Argo CD 3's default, written for 2.x.
    'application.resourceTrackingMethod': 'annotation',
    [MACHINE_HEALTH_KEY]: machineHealthLua(),
    [PROVIDER_HEALTH_KEY]: providerHealthLua(),
    [PROVIDER_OPEN_LIBS_KEY]: 'true',
  };
}

export interface ArgoCdChartProps {
  readonly gitops: GitOpsSettings;
}

export class ArgoCdChart extends Chart {
  public readonly application: Application;

  constructor(scope: Construct, id: string, props: ArgoCdChartProps) {
    super(scope, id);
    this.application = new GitOpsApplication(this, 'Application', {
      ...props.gitops,
      name: APPLICATION_NAME,
      namespace: ARGOCD_NAMESPACE,
    }).application;
    // A plain ApiObject, typed by cdk8s-plus's binding but without loading it (see platform-chart.ts).
    const settings: KubeConfigMapProps = {
      metadata: {
        name: 'argocd-cm',
        namespace: ARGOCD_NAMESPACE,
        labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' },
      },
      data: argoCdSettings(),
    };
    new ApiObject(this, 'Settings', { apiVersion: 'v1', kind: 'ConfigMap', ...settings });
  }
}
