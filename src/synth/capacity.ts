/**
 * Capacity: what the fleet gives each Proxmox node and storage of the site (package.json fabric.site.nodes),
 * against what the node has times the site's overcommit ratio. Beyond it synth refuses, naming the node and
 * its largest Machines; above `warnAt` of it, it warns. A site that lists no nodes is not checked.
 * One pass over the Machines, then one over the nodes: linear in the fleet.
 */
import { machineId, ResolvedMachine } from '../api/machine-claim';
import { byCodeUnit } from '../util/compare';
import { FleetProblem } from '../validation/fleet-rules';
import { shown } from '../validation/problem';
import { SiteSettings } from './site-settings';

export type Resource = 'cores' | 'memory' | 'storage';

/** One resource of one node (or one storage of it): what it has, may be given, and is given. */
export interface ResourceUse<M> {
  readonly node: string;
  readonly resource: Resource;
  /** For storage: its id. */
  readonly storage?: string;
  readonly unit: string;
  readonly capacity: number;
  readonly overcommit: number;
  readonly given: number;
  /** Each Machine's share, largest first. */
  readonly machines: ReadonlyArray<{ readonly machine: M; readonly amount: number }>;
}

export interface CapacityReport<M extends ResolvedMachine> {
  readonly uses: ReadonlyArray<ResourceUse<M>>;
  readonly problems: ReadonlyArray<FleetProblem<M>>;
  /** Resources above warnAt of their limit, as lines for the user. */
  readonly warnings: readonly string[];
}

const LARGEST_SHOWN = 3;

export function checkCapacity<M extends ResolvedMachine>(machines: readonly M[], site: SiteSettings): CapacityReport<M> {
  const nodeNames = Object.keys(site.nodes).sort(byCodeUnit);
  if (nodeNames.length === 0) return { uses: [], problems: [], warnings: [] };
  const problems: FleetProblem<M>[] = [];
  const shares = new Map<string, Map<M, number>>();
  const add = (key: string, machine: M, amount: number) => {
    if (!(amount > 0)) return;
    const forKey = shares.get(key) ?? new Map<M, number>();
    shares.set(key, forKey);
    forKey.set(machine, (forKey.get(machine) ?? 0) + amount);
  };
  for (const machine of machines) {
    const spec = machine.spec;
    const node = spec?.proxmox?.node;
    if (typeof node !== 'string') continue;
    const siteNode = Object.prototype.hasOwnProperty.call(site.nodes, node) ? site.nodes[node] : undefined;
    if (!siteNode) {
      problems.push({ machine, path: 'spec.proxmox.node', message: () => `${shown(node)} is not a node of the site: package.json fabric.site.nodes lists ${nodeNames.join(', ')}` });
      continue;
    }
    add(`${node}\0cores`, machine, (spec.cpu?.cores ?? 0) * (spec.cpu?.sockets ?? 1));
    add(`${node}\0memory`, machine, spec.memory?.size ?? 0);
    const storages = Object.keys(siteNode.storages).sort(byCodeUnit);
    const disk = (storage: string | undefined, size: number | undefined, storagePath: string) => {
      if (storage === undefined || size === undefined) return;
      if (storages.length > 0 && !storages.includes(storage)) {
        problems.push({ machine, path: storagePath, message: () => `${shown(storage)} is not a storage of node ${node}: package.json fabric.site.nodes.${node}.storages lists ${storages.join(', ')}` });
        return;
      }
      add(`${node}\0storage\0${storage}`, machine, size);
    };
    const fallback = spec.proxmox?.storage;
    const bootPath = spec.disk?.storage !== undefined ? 'spec.disk.storage' : 'spec.proxmox.storage';
    disk(spec.disk?.storage ?? fallback, spec.disk?.size, bootPath);
    (spec.dataDisks ?? []).forEach((data, i) => disk(data.storage ?? fallback, data.size, data.storage !== undefined ? `spec.dataDisks[${i}].storage` : 'spec.proxmox.storage'));
  }

  const uses: ResourceUse<M>[] = [];
  const largest = (key: string) => [...(shares.get(key) ?? new Map<M, number>())].map(([machine, amount]) => ({ machine, amount }))
    .sort((a, b) => b.amount - a.amount || byCodeUnit(machineId(a.machine), machineId(b.machine)));
  for (const node of nodeNames) {
    const capacity = site.nodes[node];
    const of = (key: string) => largest(key).reduce((sum, m) => sum + m.amount, 0);
    uses.push({ node, resource: 'cores', unit: 'cores', capacity: capacity.cores, overcommit: site.overcommit.cpu, given: of(`${node}\0cores`), machines: largest(`${node}\0cores`) });
    // Memory is given in MiB and described in GiB: compared in GiB.
    const memory = largest(`${node}\0memory`).map((m) => ({ ...m, amount: m.amount / 1024 }));
    uses.push({ node, resource: 'memory', unit: 'GiB', capacity: capacity.memoryGiB, overcommit: site.overcommit.memory, given: memory.reduce((s, m) => s + m.amount, 0), machines: memory });
    for (const storage of Object.keys(capacity.storages).sort(byCodeUnit)) {
      const key = `${node}\0storage\0${storage}`;
      uses.push({ node, resource: 'storage', storage, unit: 'GiB', capacity: capacity.storages[storage], overcommit: site.overcommit.storage, given: of(key), machines: largest(key) });
    }
  }

  const warnings: string[] = [];
  for (const use of uses) {
    const limit = use.capacity * use.overcommit;
    const what = use.resource === 'storage' ? `storage ${use.storage} of node ${use.node}` : `node ${use.node}`;
    const settingKey = `package.json fabric.site.nodes.${use.node}${use.resource === 'storage' ? `.storages.${use.storage}` : use.resource === 'cores' ? '.cores' : '.memoryGiB'}`;
    const limitText = `${amount(use.capacity)} ${use.unit}${use.overcommit === 1 ? '' : ` × overcommit ${use.overcommit} = ${amount(limit)} ${use.unit}`}`;
    const top = use.machines.slice(0, LARGEST_SHOWN);
    if (use.given > limit && top.length > 0) {
      const [first] = top;
      problems.push({
        machine: first.machine,
        path: pathOf(use, first.machine),
        message: (where) => `${what} is given ${amount(use.given)} ${use.unit} ${use.resource === 'storage' ? 'of disks' : use.resource === 'memory' ? 'of memory' : ''}`.trimEnd() +
          `, beyond its ${limitText} (${settingKey}); its largest Machines: ${top.map((m) => `${machineId(m.machine)} ${amount(m.amount)} ${use.unit} (${where(m.machine)})`).join(', ')}`,
      });
    } else if (use.given > limit * site.warnAt) {
      warnings.push(`${what}: ${amount(use.given)} of ${limitText} given (${Math.round((use.given / limit) * 100)} %, above the ${Math.round(site.warnAt * 100)} % package.json fabric.site.warnAt); largest: ${top.map((m) => `${machineId(m.machine)} ${amount(m.amount)} ${use.unit}`).join(', ')}`);
    }
  }
  return { uses, problems, warnings };
}

/** The field a capacity problem points at on the Machine it is reported on. */
function pathOf<M extends ResolvedMachine>(use: ResourceUse<M>, machine: M): string {
  if (use.resource === 'cores') return 'spec.cpu.cores';
  if (use.resource === 'memory') return 'spec.memory.size';
  return machine.spec.disk?.storage === use.storage || machine.spec.proxmox?.storage === use.storage ? 'spec.disk.size' : 'spec.dataDisks';
}

/** 12, 1.5, 0.25: at most two decimals. */
function amount(n: number): string {
  return String(Math.round(n * 100) / 100);
}
