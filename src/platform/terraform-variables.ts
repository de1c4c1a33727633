/**
 * The one table that drives both the Terraform module's variables and the Composition's patches.
 *
 * Each row is a Machine field that reaches Terraform: the Composition patches `from` into the Workspace's
 * `spec.forProvider.varmap[name]`, and the module declares `variable "name"` with `type`. Values travel as
 * typed JSON by name, never spliced into the module and never by list index, so no value can change the
 * module and adding a row shifts nothing.
 */
import type { MachineFieldPath } from '../api/field-paths';

export interface ModuleVariable {
  /** Terraform variable name, and the key in the Workspace's varmap. */
  readonly name: string;
  /** Field path in the Machine that the value is patched from. */
  readonly from: MachineFieldPath;
  /** Terraform type constraint. */
  readonly type: string;
  /**
   * Value Terraform uses when the Machine omits the field (the patch is then skipped).
   * @default - required: the field always exists, set by the user or by an XRD default
   */
  readonly whenAbsent?: null | [] | Record<string, never>;
}

const optional = null;

const TABLE = [
  { name: 'machine_name', from: 'metadata.name', type: 'string' },
  { name: 'machine_namespace', from: 'metadata.namespace', type: 'string' },
  { name: 'hostname', from: 'spec.hostname', type: 'string', whenAbsent: optional },
  { name: 'cpu_cores', from: 'spec.cpu.cores', type: 'number' },
  { name: 'cpu_sockets', from: 'spec.cpu.sockets', type: 'number' },
  { name: 'cpu_type', from: 'spec.cpu.type', type: 'string' },
  { name: 'memory_size', from: 'spec.memory.size', type: 'number' },
  { name: 'disk_size', from: 'spec.disk.size', type: 'number' },
  { name: 'disk_storage', from: 'spec.disk.storage', type: 'string', whenAbsent: optional },
  { name: 'disk_interface', from: 'spec.disk.interface', type: 'string' },
  { name: 'data_disks', from: 'spec.dataDisks', type: 'list(object({ size = number, storage = optional(string) }))', whenAbsent: [] },
  { name: 'network_dhcp', from: 'spec.network.dhcp', type: 'bool', whenAbsent: optional },
  { name: 'network_ip', from: 'spec.network.ip', type: 'string', whenAbsent: optional },
  { name: 'network_cidr', from: 'spec.network.cidr', type: 'number', whenAbsent: optional },
  { name: 'network_gateway', from: 'spec.network.gateway', type: 'string', whenAbsent: optional },
  { name: 'network_dns', from: 'spec.network.dns', type: 'list(string)', whenAbsent: [] },
  { name: 'network_domain', from: 'spec.network.domain', type: 'string', whenAbsent: optional },
  { name: 'proxmox_node', from: 'spec.proxmox.node', type: 'string' },
  { name: 'proxmox_storage', from: 'spec.proxmox.storage', type: 'string' },
  { name: 'proxmox_bridge', from: 'spec.proxmox.bridge', type: 'string' },
  { name: 'proxmox_vlan', from: 'spec.proxmox.vlan', type: 'number', whenAbsent: optional },
  { name: 'proxmox_template_id', from: 'spec.proxmox.templateId', type: 'number' },
  { name: 'proxmox_template_node', from: 'spec.proxmox.templateNode', type: 'string', whenAbsent: optional },
  { name: 'proxmox_vm_id', from: 'spec.proxmox.vmId', type: 'number', whenAbsent: optional },
  { name: 'proxmox_pool', from: 'spec.proxmox.pool', type: 'string', whenAbsent: optional },
  { name: 'proxmox_start_on_boot', from: 'spec.proxmox.startOnBoot', type: 'bool' },
  { name: 'nix_flake_ref', from: 'spec.nix.flakeRef', type: 'string', whenAbsent: optional },
  { name: 'admin_user', from: 'spec.bootstrap.adminUser', type: 'string', whenAbsent: optional },
  { name: 'ssh_authorized_keys', from: 'spec.bootstrap.sshAuthorizedKeys', type: 'list(string)', whenAbsent: [] },
  { name: 'tags', from: 'spec.tags', type: 'map(string)', whenAbsent: {} },
] as const satisfies readonly ModuleVariable[];

export const MODULE_VARIABLES: readonly ModuleVariable[] = TABLE;

/** The name of a variable of the table. */
export type VariableName = (typeof TABLE)[number]['name'];

/** `var.<name>` for a Terraform expression: only a variable of the table compiles. */
export function v(name: VariableName): string {
  return `var.${name}`;
}
