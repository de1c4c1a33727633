/**
 * Which Machines Prometheus scrapes, and as what: one target per monitored Machine with a known address
 * (its static ip, else its DNS name `hostname.domain`), labelled with where it is. The ScrapeConfig and
 * the plain file_sd file are both made from these.
 */
import { ResolvedMachine } from '../api/machine-claim';
import { byCodeUnit } from '../util/compare';
import { isMonitored } from '../nixos/node-exporter';

/**
 * The scrape job's name. The operator names the job `scrapeConfig/<namespace>/<name>` and relabels `job`
 * to `spec.jobName` when set (prometheus-operator v0.94.1 pkg/prometheus/promcfg.go:3475, 3490-3496), so
 * the alert rules can select `job="fabric-machines"` whichever namespace the ScrapeConfig lands in.
 */
export const MACHINE_SCRAPE_JOB = 'fabric-machines';

export interface MachineTarget {
  /** `address:port`. */
  readonly target: string;
  /** namespace, machine, node, pool (when set), and `tag_<key>` per Proxmox tag. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Where Prometheus reaches the Machine: its static ip, else `hostname.domain`; undefined when unknown. */
export function machineAddress(machine: Pick<ResolvedMachine, 'name' | 'spec'>): string | undefined {
  const network = machine.spec.network;
  if (network?.ip) return network.ip;
  return network?.domain ? `${machine.spec.hostname ?? machine.name}.${network.domain}` : undefined;
}

/**
 * A tag key as a Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`): `tag_` then the key with `.`, `+` and
 * `-` as `_`. Two keys that then collide (`a.b`, `a-b`) keep the first in sorted order.
 */
export function tagLabel(key: string): string {
  return `tag_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** The target of one Machine, or undefined when it is not monitored or has no known address. */
export function machineTarget(machine: ResolvedMachine, port: number): MachineTarget | undefined {
  const address = machineAddress(machine);
  if (address === undefined || !isMonitored(machine)) return undefined;
  const labels: Record<string, string> = { namespace: machine.namespace, machine: machine.name, node: machine.spec.proxmox.node };
  if (machine.spec.proxmox.pool) labels.pool = machine.spec.proxmox.pool;
  for (const key of Object.keys(machine.spec.tags ?? {}).sort(byCodeUnit)) {
    const label = tagLabel(key);
    if (!(label in labels)) labels[label] = machine.spec.tags![key];
  }
  return { target: `${address}:${port}`, labels };
}

/** The targets of these Machines, by namespace and name. */
export function machineTargets(machines: readonly ResolvedMachine[], port: number): MachineTarget[] {
  return [...machines]
    .sort((a, b) => byCodeUnit(a.namespace, b.namespace) || byCodeUnit(a.name, b.name))
    .flatMap((machine) => machineTarget(machine, port) ?? []);
}

/** The Machines left out of scraping because Fabric cannot know where to reach them. */
export function unreachableMachines(machines: readonly ResolvedMachine[]): ResolvedMachine[] {
  return machines.filter((machine) => isMonitored(machine) && machineAddress(machine) === undefined);
}

/**
 * A Prometheus `file_sd_configs` file (JSON) of the targets, for a Prometheus without the operator:
 * `file_sd_configs: [{ files: [<this file>] }]` in a job named fabric-machines.
 */
export function fileSdJson(targets: readonly MachineTarget[]): string {
  return `${JSON.stringify(targets.map(({ target, labels }) => ({ targets: [target], labels })), null, 2)}\n`;
}
