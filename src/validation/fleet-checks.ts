/**
 * Rules across the fleet, which no single Machine (and so no XRD rule) can see: synth time only.
 * Hostnames, static IPs and VMIDs are unique across namespaces too: they name things on the one
 * Proxmox cluster and network, which namespaces do not divide.
 */
import { LoadedMachine } from '../synth/claims';
import { Problem, shown } from './problem';

/** Two Machines may not share a namespace/name, hostname, static IP or pinned VMID; a pinned VMID may not be a template. */
export function checkFleet(machines: readonly LoadedMachine[]): Problem[] {
  const problems: Problem[] = [];
  const where = (m: LoadedMachine) => `Machine ${m.id} (${m.file})`;

  // A second declaration of the same Machine is reported once, and not compared again below.
  const declared = new Map<string, LoadedMachine>();
  const distinct: LoadedMachine[] = [];
  for (const machine of machines) {
    const first = declared.get(machine.id);
    if (first) {
      problems.push({ file: machine.file, index: machine.index, machine: machine.id, path: 'metadata.name', message: `${shown(machine.name)} is already declared in namespace ${machine.namespace} by ${first.file}` });
    } else {
      declared.set(machine.id, machine);
      distinct.push(machine);
    }
  }

  const hostname = (m: LoadedMachine) => m.spec.hostname ?? m.name;
  // Says when a hostname was not written but taken from the name, on either side of the clash.
  const defaulted = (m: LoadedMachine, first: boolean) =>
    m.spec.hostname !== undefined ? '' : first ? ', where it defaults from metadata.name' : ' (defaulted from metadata.name)';
  const unique = (path: string, what: string, key: (m: LoadedMachine) => string | number | undefined, note = (_m: LoadedMachine, _first: boolean) => '') => {
    const seen = new Map<string | number, LoadedMachine>();
    for (const machine of distinct) {
      const value = key(machine);
      if (value === undefined) continue;
      const first = seen.get(value);
      if (first) problems.push({ file: machine.file, index: machine.index, machine: machine.id, path, message: `${shown(value)}${note(machine, false)} is already ${what} ${where(first)}${note(first, true)}` });
      else seen.set(value, machine);
    }
  };
  unique('spec.hostname', 'the hostname of', hostname, defaulted);
  unique('spec.network.ip', 'the static ip of', (m) => m.spec.network?.ip);
  unique('spec.proxmox.vmId', 'pinned by', (m) => m.spec.proxmox.vmId);

  const templates = new Map<number, LoadedMachine>();
  for (const machine of distinct) {
    const templateId = machine.spec.proxmox.templateId;
    if (templateId !== undefined && !templates.has(templateId)) templates.set(templateId, machine);
  }
  for (const machine of distinct) {
    const vmId = machine.spec.proxmox.vmId;
    const template = vmId === undefined ? undefined : templates.get(vmId);
    if (template) {
      problems.push({
        file: machine.file,
        index: machine.index,
        machine: machine.id,
        path: 'spec.proxmox.vmId',
        message: `${vmId} is the templateId that ${template === machine ? 'this Machine' : where(template)} clones; a VM cannot take its template's VMID`,
      });
    }
  }
  return problems;
}
