/**
 * How provider-terraform runs: how many Workspaces it reconciles at once, how often it re-plans a Ready
 * one, and the CPU and memory its pod asks for. provider-terraform v1.0.0 defaults to one reconcile at a
 * time (`--max-reconcile-rate=1`, cmd/provider/main.go) and every reconcile is a `terraform` process (init,
 * plan, and apply when something changed), so one 20-minute clone holds the only worker and every other
 * Machine waits; the pod must also hold as many Terraform processes as it runs at once. The README's
 * "Provider throughput" works through what the defaults mean for a fleet.
 *
 * @see https://github.com/crossplane-contrib/provider-terraform/blob/main/cmd/provider/main.go
 */
import { FabricError } from '../util/errors';
import { PROVIDER_POLL_MINUTES, PROVIDER_TIMEOUT_MINUTES } from './timeouts';

export interface ProviderRuntimeSettings {
  /**
   * Workspaces reconciled at once (`--max-reconcile-rate`): each is one `terraform` process.
   * @default 10
   */
  readonly maxReconcileRate: number;
  /**
   * Minutes between two drift checks (`terraform plan`) of a Ready Workspace (`--poll`).
   * @default 10
   */
  readonly pollMinutes: number;
  /**
   * Memory one Terraform run needs: terraform itself plus the bpg/proxmox plugin, in MiB.
   * @default 256
   */
  readonly memoryPerReconcileMiB: number;
  /**
   * CPU one Terraform run is guaranteed, in millicores; runs mostly wait on Proxmox.
   * @default 100
   */
  readonly cpuPerReconcileMillicores: number;
}

export const PROVIDER_RUNTIME_DEFAULTS: ProviderRuntimeSettings = {
  maxReconcileRate: 10,
  pollMinutes: PROVIDER_POLL_MINUTES,
  memoryPerReconcileMiB: 256,
  cpuPerReconcileMillicores: 100,
};

/** The controller process itself (informers, caches), before any Terraform run. */
const CONTROLLER_MEMORY_MIB = 128;
const CONTROLLER_CPU_MILLICORES = 100;
/** A plan or init may burst to this many times its guaranteed CPU before it is throttled. */
const CPU_BURST = 5;

/** Resolves the `fabric.provider` section of package.json, refusing values the provider would not run with. */
export function resolveProviderRuntime(input: Partial<ProviderRuntimeSettings> = {}): ProviderRuntimeSettings {
  const resolved = { ...PROVIDER_RUNTIME_DEFAULTS, ...input };
  const limits: Record<keyof ProviderRuntimeSettings, [number, number]> = {
    maxReconcileRate: [1, 100],
    pollMinutes: [1, 24 * 60],
    memoryPerReconcileMiB: [64, 8192],
    cpuPerReconcileMillicores: [10, 4000],
  };
  for (const [key, [min, max]] of Object.entries(limits) as [keyof ProviderRuntimeSettings, [number, number]][]) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new FabricError(`package.json: fabric.provider.${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
  }
  return resolved;
}

/** provider-terraform's command-line flags for these settings. */
export function providerArgs(settings: ProviderRuntimeSettings): string[] {
  return [
    `--timeout=${PROVIDER_TIMEOUT_MINUTES}m`,
    `--poll=${settings.pollMinutes}m`,
    `--max-reconcile-rate=${settings.maxReconcileRate}`,
  ];
}

/**
 * Requests hold the controller plus every concurrent Terraform run; memory's limit equals its request,
 * so the scheduler reserves what the pod can use, and CPU may burst for init and plan.
 */
export function providerResources(settings: ProviderRuntimeSettings): { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } } {
  const memory = `${CONTROLLER_MEMORY_MIB + settings.maxReconcileRate * settings.memoryPerReconcileMiB}Mi`;
  const cpuRequest = CONTROLLER_CPU_MILLICORES + settings.maxReconcileRate * settings.cpuPerReconcileMillicores;
  return {
    requests: { cpu: `${cpuRequest}m`, memory },
    limits: { cpu: `${cpuRequest * CPU_BURST}m`, memory },
  };
}
