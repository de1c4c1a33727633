/**
 * Rules across the fleet, which no single Machine (and so no XRD rule) can see: synth time only.
 */
import { LoadedMachine } from '../claims';
import { Problem } from './problem';

interface Claim {
  readonly key: string;
  readonly machine: LoadedMachine;
}

/** Two Machines may not share a namespace/name, hostname, static IP or pinned VMID; a pinned VMID may not be a template. */
export function checkFleet(machines: readonly LoadedMachine[]): Problem[] {
  const problems: Problem[] = [];
  const unique = (what: string, path: string, key: (m: LoadedMachine) => string | number | undefined) => {
    const seen = new Map<string | number, LoadedMachine>();
    for (const machine of machines) {
      const value = key(machine);
      if (value === undefined) continue;
      const first = seen.get(value);
      if (first) {
        problems.push({
          file: machine.file,
          machine: machine.id,
          path,
          message: `${what} ${JSON.stringify(value)} is already used by Machine ${first.id} in ${first.file}`,
        });
      } else {
        seen.set(value, machine);
      }
    }
  };
  unique('namespace/name', 'metadata.name', (m) => m.id);
  unique('hostname', 'spec.hostname', (m) => m.spec.hostname ?? m.name);
  unique('static ip', 'spec.network.ip', (m) => m.spec.network?.ip);
  unique('vmId', 'spec.proxmox.vmId', (m) => m.spec.proxmox.vmId);

  const templates = new Map<number, Claim>();
  for (const machine of machines) {
    const templateId = machine.spec.proxmox.templateId;
    if (templateId !== undefined && !templates.has(templateId)) templates.set(templateId, { key: String(templateId), machine });
  }
  for (const machine of machines) {
    const vmId = machine.spec.proxmox.vmId;
    const template = vmId === undefined ? undefined : templates.get(vmId);
    if (template) {
      problems.push({
        file: machine.file,
        machine: machine.id,
        path: 'spec.proxmox.vmId',
        message: `vmId ${vmId} is the templateId of Machine ${template.machine.id} in ${template.machine.file}; a VM cannot reuse its template's VMID`,
      });
    }
  }
  return problems;
}
