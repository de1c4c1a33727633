/**
 * What Flux needs to run Fabric's manifests with the guarantees of the Argo CD path, as data: where the objects
 * of each stage live, the order of the stages, what is pruned, and the CEL health checks. The constructs that
 * write the GitRepository and the Kustomizations are in src/constructs/flux.ts; docs/flux.md explains each
 * rule with the Flux source it relies on.
 *
 * Upstream: kustomize-controller v1.9.5 (Flux v2.9.5), fluxcd/pkg/runtime v0.110.3, fluxcd/pkg/ssa v0.76.2.
 *
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/
 */
import { MACHINE_API_VERSION, MACHINE_GROUP, MACHINE_KIND } from '../api/machine-schema';

/** Where Flux runs, and the name of the GitRepository, unless given. */
export const FLUX_NAMESPACE = 'flux-system';
export const FLUX_SOURCE_NAME = 'fabric';

/**
 * On an object, keeps Flux from deleting it when it leaves git or with its Kustomization, whatever the
 * Kustomization's `prune` and `deletionPolicy` say: kustomize-controller v1.9.5
 * internal/controller/kustomization_controller.go:1401-1417 (deleteObjects' exclusions, used for pruning and
 * for finalizing), matched on labels or annotations by fluxcd/pkg/ssa v0.76.2 utils/meta.go:58-71.
 */
export const FLUX_PRUNE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/prune';
export const FLUX_PRUNE_DISABLED = 'disabled';

/** One Kustomization of the chain: a folder of dist/cluster/ applied, health-checked, and only then the next. */
export interface FluxStage {
  /** Suffix of the Kustomization's name (`fabric-<id>`). */
  readonly id: string;
  /** The folder below the synced path (`dist/cluster`) holding this stage's objects, and nothing else. */
  readonly folder: string;
  /** `Kind.group` of the objects this stage applies. */
  readonly kinds: readonly string[];
  /** Whether objects that leave git are deleted; false for the foundation. */
  readonly prune: boolean;
  /** How long the health check may take before the Kustomization fails (and retries). */
  readonly timeout: string;
}

/**
 * The stages, in the order Flux applies them: each Kustomization `dependsOn` the one before it, which must be
 * Ready at the same revision, i.e. applied and healthy (kustomize-controller v1.9.5 kustomization_controller.go
 * checkDependencies, 558-630). The same order as the Argo CD sync waves (sync-policy.ts). One folder per
 * stage because a Kustomization applies one folder, and because Flux dry-runs every object of a Kustomization
 * before applying any (fluxcd/pkg/ssa manager_apply.go:206-284): a provider config or a Machine whose CRD is
 * not there yet fails the whole Kustomization, so it waits in a later one for the stage that makes its CRD.
 */
export const FLUX_STAGES: readonly FluxStage[] = [
  // Namespaces are applied first within a Kustomization (ssa ApplyAllStaged, manager_apply.go:347-420).
  { id: 'packages', folder: 'platform/packages', kinds: ['Namespace', 'DeploymentRuntimeConfig.pkg.crossplane.io', 'Provider.pkg.crossplane.io', 'Function.pkg.crossplane.io'], prune: false, timeout: '10m' },
  { id: 'provider-config', folder: 'platform/provider-config', kinds: ['ClusterProviderConfig.tf.m.upbound.io', 'ProviderConfig.tf.upbound.io'], prune: false, timeout: '2m' },
  { id: 'definition', folder: 'platform/definition', kinds: ['CompositeResourceDefinition.apiextensions.crossplane.io'], prune: false, timeout: '5m' },
  { id: 'composition', folder: 'platform/composition', kinds: ['Composition.apiextensions.crossplane.io'], prune: false, timeout: '2m' },
  // A clone and first boot of a VM; a Machine that failed ends the wait at once (fail-fast).
  { id: 'machines', folder: 'machines', kinds: [`${MACHINE_KIND}.${MACHINE_GROUP}`], prune: true, timeout: '30m' },
];

/** The stage that applies objects of `groupKind` (`Kind.group`), if any. */
export function fluxStageOf(groupKind: string): FluxStage | undefined {
  return FLUX_STAGES.find((stage) => stage.kinds.includes(groupKind));
}

/** One entry of a Kustomization's `spec.healthCheckExprs`, as the CRD spells it. */
export interface FluxHealthCheckExpr {
  readonly apiVersion: string;
  readonly kind: string;
  readonly current: string;
  readonly failed?: string;
}

// Every path is read through CEL optionals: a field the object lacks is an evaluation error, which Flux reads
// as status Unknown (fluxcd/cli-utils v1.2.3 kstatus/polling/statusreaders/generic.go:51-65), not a verdict.
const CONDITIONS = "status.?conditions.orValue([])";
const WORKSPACE_CONDITIONS = "status.?workspace.?conditions.orValue([])";
const has = (conditions: string, type: string, test: string) => `${conditions}.exists(c, c.type == '${type}' && ${test})`;

/**
 * The Machine's health, as src/gitops/machine-health.lua reads it for Argo CD: failed when the Machine cannot
 * be composed (Synced=False), when its Workspace failed (Terraform's error, copied to status.workspace), or
 * when Ready=False for a failure reason; healthy when Ready=True; in progress otherwise (Creating, Deleting, no
 * status yet). No `inProgress` expression: the evaluator tries it first (fluxcd/pkg/runtime v0.110.3
 * cel/status_evaluator.go:104-123) and it would hide a failure; none true is InProgress (line 125).
 */
export const MACHINE_HEALTH_EXPR: FluxHealthCheckExpr = {
  apiVersion: MACHINE_API_VERSION,
  kind: MACHINE_KIND,
  failed: [
    has(CONDITIONS, 'Synced', "c.status == 'False'"),
    has(WORKSPACE_CONDITIONS, 'Synced', "c.status == 'False'"),
    has(CONDITIONS, 'Ready', "c.status == 'False' && c.?reason.orValue('') in ['Unavailable', 'ReconcileError']"),
  ].join(' || '),
  current: has(CONDITIONS, 'Ready', "c.status == 'True'"),
};

/**
 * Healthy-condition messages of a package still installing (Crossplane v2.3 apis/pkg/v1/conditions.go
 * PackageHealth and the runtime reconciler), the same list src/gitops/provider-health.lua keeps.
 */
const INSTALLING = ['health is "Unknown"', 'Package revision is not healthy yet', 'has no condition of type "Available" yet', 'deployment is unavailable with message'];
const celString = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * A Crossplane package (Provider, Function), as src/gitops/provider-health.lua reads it: failed when it cannot
 * be installed (Installed not True with a message) or is unhealthy with an error; healthy when Healthy=True and
 * installed; in progress while Crossplane installs and starts it. kstatus alone would call a Provider healthy
 * the moment it exists: Installed and Healthy are not conditions it knows (cli-utils status/status.go:130-138).
 */
function packageHealthExpr(kind: string): FluxHealthCheckExpr {
  const notInstalled = "c.status != 'True'";
  return {
    apiVersion: 'pkg.crossplane.io/v1',
    kind,
    failed: `${has(CONDITIONS, 'Installed', `${notInstalled} && c.?message.orValue('') != ''`)}`
      + ` || (!${has(CONDITIONS, 'Installed', notInstalled)}`
      + ` && ${has(CONDITIONS, 'Healthy', `c.status == 'False' && ![${INSTALLING.map(celString).join(', ')}].exists(p, c.?message.orValue('').contains(p))`)})`,
    current: `!${has(CONDITIONS, 'Installed', notInstalled)} && ${has(CONDITIONS, 'Healthy', "c.status == 'True'")}`,
  };
}

/**
 * The XRD: healthy when Established (and, for a legacy XRD with a claim, Offered). Crossplane reports an XRD's
 * errors only as events, so a broken XRD stays in progress until the Kustomization's timeout. Flux matches an
 * entry by group and kind only (fluxcd/pkg/runtime v0.110.3 cel/status_reader.go:43-76): this one also serves
 * apiextensions.crossplane.io/v1.
 */
export const XRD_HEALTH_EXPR: FluxHealthCheckExpr = {
  apiVersion: 'apiextensions.crossplane.io/v2',
  kind: 'CompositeResourceDefinition',
  current: `${has(CONDITIONS, 'Established', "c.status == 'True'")}`
    + ` && (!has(spec.claimNames) || ${has(CONDITIONS, 'Offered', "c.status == 'True'")})`,
};

export const PROVIDER_HEALTH_EXPR = packageHealthExpr('Provider');
export const FUNCTION_HEALTH_EXPR = packageHealthExpr('Function');

/**
 * Health expressions for every kind of Fabric that kstatus cannot judge on its own. One entry per kind, not
 * per group: a group-wide pkg.crossplane.io entry would also judge DeploymentRuntimeConfig, which has no
 * status, as Unknown until the timeout.
 */
export const FLUX_HEALTH_CHECK_EXPRS: readonly FluxHealthCheckExpr[] = [PROVIDER_HEALTH_EXPR, FUNCTION_HEALTH_EXPR, XRD_HEALTH_EXPR, MACHINE_HEALTH_EXPR];
