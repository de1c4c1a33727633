/**
 * How ArgoCD applies dist/cluster/: a sync wave and sync options per kind, written as annotations by one
 * pass over the charts.
 *
 * Waves run in order, each waiting for the previous one to be healthy: namespaces → Crossplane packages
 * (provider-terraform, its runtime config, function-patch-and-transform) → the provider config → the XRD
 * → the Composition → the Machines.
 *
 * `SkipDryRunOnMissingResource` goes on the kinds whose CRD this same sync installs: the provider config's
 * (installed by the Provider) and the Machine's (generated from the XRD); Crossplane's own kinds exist
 * before the first sync. The foundation never leaves with a git change or with the Application
 * (`Prune=false,Delete=false`): deleting a namespace, the XRD or the Composition would delete Machines and
 * so VMs. Machines are pruned when their claim leaves git (the synth plan guards that) but never deleted
 * with the Application.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { FLUX_PRUNE_ANNOTATION, FLUX_PRUNE_DISABLED } from './flux';

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

export enum SyncOption {
  /** The kind's CRD comes with this sync, so a dry run before it exists would fail the whole sync. */
  SKIP_DRY_RUN_ON_MISSING_RESOURCE = 'SkipDryRunOnMissingResource=true',
  /** Left in the cluster when it leaves git. */
  NO_PRUNE = 'Prune=false',
  /** Left in the cluster when the Application is deleted, even with cascade. */
  NO_DELETE = 'Delete=false',
}

export interface SyncPolicy {
  readonly wave: number;
  readonly options: readonly SyncOption[];
}

const FOUNDATION = [SyncOption.NO_PRUNE, SyncOption.NO_DELETE];
const SKIP_DRY_RUN = SyncOption.SKIP_DRY_RUN_ON_MISSING_RESOURCE;

/** Sync policy per kind, spelled `Kind.group` as kubectl does (`Namespace` for the core group). */
export const SYNC_POLICIES: Readonly<Record<string, SyncPolicy>> = {
  'Namespace': { wave: -4, options: FOUNDATION },
  'DeploymentRuntimeConfig.pkg.crossplane.io': { wave: -3, options: FOUNDATION },
  'Provider.pkg.crossplane.io': { wave: -3, options: FOUNDATION },
  'Function.pkg.crossplane.io': { wave: -3, options: FOUNDATION },
  'ClusterProviderConfig.tf.m.upbound.io': { wave: -2, options: [...FOUNDATION, SKIP_DRY_RUN] },
  'ProviderConfig.tf.upbound.io': { wave: -2, options: [...FOUNDATION, SKIP_DRY_RUN] },
  'CompositeResourceDefinition.apiextensions.crossplane.io': { wave: -1, options: FOUNDATION },
  'Composition.apiextensions.crossplane.io': { wave: 0, options: FOUNDATION },
  'Machine.fabric.kubelize.io': { wave: 1, options: [SKIP_DRY_RUN, SyncOption.NO_DELETE] },
};

/** `Kind.group` of an apiVersion and kind. */
export function groupKind(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? kind : `${kind}.${apiVersion.slice(0, slash)}`;
}

/**
 * Annotates every object below `scope` with its kind's sync wave and options. Options a claim already
 * carries are kept and win over the kind's (a Machine may say `Prune=false`); a kind without a policy is
 * an error, so every new kind gets a deliberate one. What Argo CD never prunes, Flux never prunes either
 * (`kustomize.toolkit.fluxcd.io/prune: disabled`): the objects are the same whichever engine applies them,
 * so switching engines changes no object in the cluster.
 */
export function applySyncPolicies(scope: IConstruct): void {
  for (const object of scope.node.findAll().filter(ApiObject.isApiObject)) {
    const key = groupKind(object.apiVersion, object.kind);
    const policy = SYNC_POLICIES[key];
    if (!policy) throw new Error(`no ArgoCD sync policy for ${key} ${object.name}: add one to SYNC_POLICIES in src/gitops/sync-policy.ts`);
    object.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(policy.wave));
    const own = (object.metadata.toJson() as { annotations?: Record<string, string> }).annotations?.[SYNC_OPTIONS_ANNOTATION];
    const options = mergeOptions(own, policy.options);
    if (options) object.metadata.addAnnotation(SYNC_OPTIONS_ANNOTATION, options);
    if (options.split(',').includes(SyncOption.NO_PRUNE)) object.metadata.addAnnotation(FLUX_PRUNE_ANNOTATION, FLUX_PRUNE_DISABLED);
  }
}

/** `Name=value` lists merged by name; `own` wins. */
function mergeOptions(own: string | undefined, defaults: readonly string[]): string {
  const merged = new Map<string, string>();
  const add = (option: string) => merged.set(option.split('=')[0].trim(), option.trim());
  defaults.forEach(add);
  (own ?? '').split(',').filter((option) => option.trim()).forEach(add);
  return [...merged.values()].join(',');
}
