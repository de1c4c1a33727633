/**
 * Rules across the fleet, which no single Machine (and so no XRD rule) can see. Hostnames, static IPs and
 * VMIDs are unique across namespaces too: they name things on the one Proxmox cluster and network, which
 * namespaces do not divide. The rules read only the fields they compare, so they run over every Machine,
 * also those with problems of their own.
 */
import { machineId, ResolvedMachine } from '../api/machine-claim';
import { shown } from './problem';

/** A broken fleet rule: the Machine it is reported on, the field, and what is wrong. */
export interface FleetProblem<M extends ResolvedMachine> {
  readonly machine: M;
  readonly path: string;
  /** The message, naming other Machines through `where` (their file, and line where known). */
  message(where: (other: M) => string): string;
}

/**
 * Two Machines may not share a namespace/name, hostname, static IP or pinned VMID; a pinned VMID may not be a
 * template in use; no Machine may live in a `reserved` namespace (a trailing `*` matches any rest: `kube-*`).
 */
export function fleetProblems<M extends ResolvedMachine>(machines: readonly M[], reserved: readonly string[] = []): FleetProblem<M>[] {
  const problems: FleetProblem<M>[] = [];
  const about = (other: M, where: (m: M) => string) => `Machine ${machineId(other)} (${where(other)})`;

  const reservedList = [...new Set(reserved)].sort();
  const isReserved = (namespace: string) => reservedList.some((name) => (name.endsWith('*') ? namespace.startsWith(name.slice(0, -1)) : namespace === name));
  for (const machine of machines) {
    if (isReserved(machine.namespace)) {
      problems.push({
        machine,
        path: 'metadata.namespace',
        message: () => `must not be a system namespace (${reservedList.join(', ')}): Machines live in namespaces of their own, got ${JSON.stringify(machine.namespace)}`,
      });
    }
  }

  // A second declaration of the same Machine is reported once, and not compared again below.
  const declared = new Map<string, M>();
  const distinct: M[] = [];
  for (const machine of machines) {
    const first = declared.get(machineId(machine));
    if (first) {
      problems.push({ machine, path: 'metadata.name', message: (where) => `${shown(machine.name)} is already declared in namespace ${machine.namespace} by ${where(first)}` });
    } else {
      declared.set(machineId(machine), machine);
      distinct.push(machine);
    }
  }

  const hostname = (m: M) => (typeof m.spec?.hostname === 'string' ? m.spec.hostname : m.name);
  // Says when a hostname was not written but taken from the name, on either side of the clash.
  const defaulted = (m: M, first: boolean) =>
    m.spec?.hostname !== undefined ? '' : first ? ', where it defaults from metadata.name' : ' (defaulted from metadata.name)';
  const unique = (path: string, what: string, key: (m: M) => unknown, note = (_m: M, _first: boolean) => '') => {
    const seen = new Map<unknown, M>();
    for (const machine of distinct) {
      const value = key(machine);
      if (value === undefined || value === null || typeof value === 'object') continue;
      const first = seen.get(value);
      if (first) problems.push({ machine, path, message: (where) => `${shown(value)}${note(machine, false)} is already ${what} ${about(first, where)}${note(first, true)}` });
      else seen.set(value, machine);
    }
  };
  unique('spec.hostname', 'the hostname of', hostname, defaulted);
  unique('spec.network.ip', 'the static ip of', (m) => m.spec?.network?.ip);
  unique('spec.proxmox.vmId', 'pinned by', (m) => m.spec?.proxmox?.vmId);

  const templates = new Map<unknown, M>();
  for (const machine of distinct) {
    const templateId = machine.spec?.proxmox?.templateId;
    if (templateId !== undefined && !templates.has(templateId)) templates.set(templateId, machine);
  }
  for (const machine of distinct) {
    const vmId = machine.spec?.proxmox?.vmId;
    const template = vmId === undefined ? undefined : templates.get(vmId);
    if (template) {
      problems.push({
        machine,
        path: 'spec.proxmox.vmId',
        message: (where) => `${vmId} is the templateId that ${template === machine ? 'this Machine' : about(template, where)} clones; a VM cannot take its template's VMID`,
      });
    }
  }
  return problems;
}
