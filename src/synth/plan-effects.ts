/**
 * What applying a changed Machine field does to its VM, as the bpg/proxmox Terraform provider v0.111.1 does
 * it (proxmoxtf/resource/vm/vm.go and disk/disk.go, read at that tag): changed in place, applied with a
 * reboot, the VM replaced, a disk's data lost, or refused by the provider at apply time. The plan reads
 * this table; a field that is not listed is assumed to need a reboot, the cautious reading.
 *
 * To add an effect: a row with the field path (list items as `[]`) and either an effect or a function of
 * the old and new values, and the upstream line that shows it.
 */
import type { SpecItemPath } from '../api/field-paths';

export enum Effect {
  IN_PLACE = 'in place',
  /** bpg applies it and reboots the VM (`rebootRequired`, vm.go:7049-7105). */
  REBOOT = 'reboot',
  /** The value takes effect at the VM's next boot; bpg does not reboot for it. */
  NEXT_BOOT = 'at next boot',
  DATA_LOSS = 'data loss',
  REPLACE = 'replace',
  /** bpg fails the apply: synth must never write it. */
  REFUSED = 'refused by the provider',
}

/** Worse effects come later: a Machine's change is its worst field's. */
export const EFFECT_ORDER: readonly Effect[] = [Effect.IN_PLACE, Effect.NEXT_BOOT, Effect.REBOOT, Effect.DATA_LOSS, Effect.REPLACE, Effect.REFUSED];

export interface FieldEffect {
  /** Machine field path; list items written `[]`: `spec.dataDisks[].size`. */
  readonly field: SpecItemPath;
  readonly effect: Effect | ((before: unknown, after: unknown) => Effect);
  /** Why, for the plan's reader. */
  readonly why: string;
}

const grows = (before: unknown, after: unknown) => (typeof before === 'number' && typeof after === 'number' && after < before ? Effect.REFUSED : Effect.IN_PLACE);
const count = (list: unknown) => (Array.isArray(list) ? list.length : 0);

export const FIELD_EFFECTS: readonly FieldEffect[] = [
  // vm.go:6382-6440: "Changing cores or sockets always requires a reboot" (type and NUMA likewise).
  { field: 'spec.cpu', effect: Effect.REBOOT, why: 'cores, sockets and CPU type change only with a reboot' },
  // vm.go:6742-6811: memory is hot-plugged only when `hotplug` lists memory; the module leaves PVE's
  // default "network,disk,usb" (vm.go:4270-4275), so a memory change reboots.
  { field: 'spec.memory', effect: Effect.REBOOT, why: 'memory is not hot-plugged: PVE\'s default hotplug is network,disk,usb' },
  // vm.go:7277-7300: a larger disk is resized live (disk hot-plug is in PVE's default, vm.go:7082-7086);
  // a smaller one fails: "Cannot shrink ... it is not supported".
  { field: 'spec.disk.size', effect: grows, why: 'a disk grows live; bpg cannot shrink a disk' },
  // vm.go:7252-7266: another datastore moves the disk (move_disk, data kept) with the VM shut down. The EFI
  // vars disk is not in the module (no efi_disk block, vm.go:2872-2932), so it stays where the clone put it.
  { field: 'spec.disk.storage', effect: Effect.REBOOT, why: 'the disk is moved with the VM shut down; data kept (the EFI vars disk stays where the VM was created)' },
  // vm.go:6499-6522: the disk on the old interface is deleted, disk.go:647-650 adds a blank one.
  { field: 'spec.disk.interface', effect: Effect.DATA_LOSS, why: 'the boot disk on the old interface is deleted and a blank one added' },
  // disk.go:647-650: a new data disk is a blank disk added through the update API, hot-plugged.
  // vm.go:6499-6522: a disk missing from the plan is deleted from the VM.
  { field: 'spec.dataDisks', effect: (before, after) => (count(after) < count(before) ? Effect.DATA_LOSS : Effect.IN_PLACE), why: 'a removed data disk is deleted with its data' },
  { field: 'spec.dataDisks[]', effect: (before, after) => (after === undefined ? Effect.DATA_LOSS : before === undefined ? Effect.IN_PLACE : Effect.REBOOT), why: 'a removed data disk is deleted with its data; an added one is hot-plugged' },
  { field: 'spec.dataDisks[].size', effect: grows, why: 'a disk grows live; bpg cannot shrink a disk' },
  { field: 'spec.dataDisks[].storage', effect: Effect.REBOOT, why: 'the disk is moved with the VM shut down; data kept' },
  // vm.go:6592-6683: any change of the initialization block (cloud-init: IP, gateway, DNS, domain, user,
  // keys, hostname) sets rebootRequired.
  { field: 'spec.network', effect: Effect.REBOOT, why: 'cloud-init network settings change with a reboot' },
  // The hostname is the VM's name (the module's `name`), which bpg updates without rebootRequired
  // (vm.go:6246-6252); Proxmox writes it to the cloud-init drive when it next starts the VM. With the snippet
  // channel the VM's user_data_file_id keeps its id, so nothing reboots either.
  { field: 'spec.hostname', effect: Effect.NEXT_BOOT, why: 'the VM\'s name changes at once; the guest gets the hostname through cloud-init when Proxmox next starts it' },
  { field: 'spec.bootstrap', effect: Effect.REBOOT, why: 'the admin user and keys reach the VM through cloud-init' },
  // vm.go:1781-1789: node_name is ForceNew unless `migrate` is set; the module sets it, so vm.go:6150-6177
  // migrates the VM (POST .../migrate with-local-disks=1 online=1, vm.go:7820-7836).
  { field: 'spec.proxmox.node', effect: Effect.IN_PLACE, why: 'the VM is live-migrated to the new node with its disks (needs VM.Migrate)' },
  // vm.go:626: clone.vm_id is ForceNew.
  { field: 'spec.proxmox.templateId', effect: Effect.REPLACE, why: 'the VM is cloned again from the new template' },
  // clone.node_name is ForceNew (vm.go:615-621), but the module ignores it after the create (lifecycle).
  { field: 'spec.proxmox.templateNode', effect: Effect.IN_PLACE, why: 'read only when the VM is created: nothing changes in Proxmox' },
  // vm.go:1767-1779: vm_id is ForceNew.
  { field: 'spec.proxmox.vmId', effect: Effect.REPLACE, why: 'a VM cannot change its VMID' },
  // The cloud-init drive (vm.go:6592-6683) and every disk that names no storage (vm.go:7252-7266) move.
  { field: 'spec.proxmox.storage', effect: Effect.REBOOT, why: 'the cloud-init drive and disks without their own storage move, data kept' },
  // vm.go:6821-6846: "Network devices can be hotplugged, no reboot required".
  { field: 'spec.proxmox.bridge', effect: Effect.IN_PLACE, why: 'network devices are hot-plugged' },
  { field: 'spec.proxmox.vlan', effect: Effect.IN_PLACE, why: 'network devices are hot-plugged' },
  // vm.go:5854-5901: the VM moves between pools through the pools API, the first step of the update, which
  // pve-manager PVE/API2/Pool.pm:270-357 allows with Pool.Allocate on both pools. Clearing the pool is
  // suppressed (vm.go:1342-1350, 5872-5874): the VM would stay in the old pool while git says none.
  {
    field: 'spec.proxmox.pool',
    effect: (before, after) => (before !== undefined && after === undefined ? Effect.REFUSED : Effect.IN_PLACE),
    why: 'pool membership changes live (the token needs Pool.Allocate on both pools); bpg ignores a pool removed, so the VM would stay in it',
  },
  // vm.go:6215-6224: on_boot and tags are plain config updates.
  { field: 'spec.proxmox.startOnBoot', effect: Effect.IN_PLACE, why: 'a config update' },
  { field: 'spec.tags', effect: Effect.IN_PLACE, why: 'a config update' },
  // vm.go:6880-6885: SMBIOS is updated without rebootRequired, so reboot_after_update never restarts the VM;
  // qemu-server keeps smbios1 pending until it next starts the VM (QemuServer.pm: not hot-pluggable).
  {
    field: 'spec.nix',
    effect: Effect.NEXT_BOOT,
    why: 'the flake reference (SMBIOS) reaches the VM when Proxmox next starts it (stop and start, or Reboot in Proxmox); nothing restarts it for this change, and a reboot inside the guest applies nothing',
  },
  // Synth's own fields (allocation.ts): what they allocate is written into ip and vmId, whose rows apply.
  { field: 'spec.network.ipPool', effect: Effect.IN_PLACE, why: 'Fabric-only: names the pool the address came from' },
  { field: 'spec.proxmox.allocateVmId', effect: Effect.IN_PLACE, why: 'Fabric-only: says synth picked the VMID' },
  // Crossplane's own field: nothing reaches Proxmox.
  { field: 'spec.deletionPolicy', effect: Effect.IN_PLACE, why: 'Crossplane-only: decides what deleting the Machine does' },
];

/** The rule for a changed path (`spec.dataDisks[1].size` → `spec.dataDisks[].size`): the most specific one. */
export function fieldEffect(path: string, before: unknown, after: unknown): { effect: Effect; why: string } {
  const pattern = path.replace(/\[\d+\]/g, '[]');
  const rule = FIELD_EFFECTS
    .filter((r) => pattern === r.field || pattern.startsWith(`${r.field}.`) || pattern.startsWith(`${r.field}[`))
    .sort((a, b) => b.field.length - a.field.length)[0];
  if (rule) return { effect: typeof rule.effect === 'function' ? rule.effect(before, after) : rule.effect, why: rule.why };
  // A whole object set or unset (`spec.network (unset) → {...}`): the worst rule below it.
  const below = FIELD_EFFECTS.filter((r) => r.field.startsWith(`${pattern}.`));
  if (below.length > 0) {
    const worst = below.map((r) => ({ effect: typeof r.effect === 'function' ? Effect.REBOOT : r.effect, why: r.why })).sort((a, b) => EFFECT_ORDER.indexOf(b.effect) - EFFECT_ORDER.indexOf(a.effect))[0];
    return worst;
  }
  return { effect: Effect.REBOOT, why: 'not in the table of known effects: assumed to need a reboot' };
}
