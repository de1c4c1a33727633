/**
 * The default bootstrap channel: the flake reference reaches the VM as SMBIOS type 1 data, which an API
 * token may set (privilege VM.Config.HWType) and which the guest reads from /sys/class/dmi/id before any
 * network exists. The identity fields mark a Fabric VM, so the template's bootstrap unit never mistakes a
 * real serial number for a flake reference. The same values are read by the NixOS side from
 * src/nixos/bootstrap-contract.json, so the two cannot drift.
 *
 * In the guest: manufacturer → sys_vendor, product → product_name, version → product_version (all
 * world-readable), serial → product_serial (readable by root only).
 *
 * @see docs/bootstrap.md
 * @see https://registry.terraform.io/providers/bpg/proxmox/latest/docs/resources/virtual_environment_vm#smbios
 */
import contract from './bootstrap-contract.json';

/** The fields that say "this VM was made by Fabric, format version N". */
export const SMBIOS_IDENTITY: Readonly<{ manufacturer: string; product: string; version: string }> = contract.smbios;

/** The SMBIOS field that carries the flake reference: root-only in the guest. */
export const FLAKE_REF_FIELD = 'serial';

/** Proxmox's limit on the whole smbios1 property string (qemu-server, `smbios1` maxLength). */
export const SMBIOS1_MAX_LENGTH = 512;

/** Length of a UUID in its canonical text form; bpg always sends one (a random one when unset). */
const UUID_LENGTH = 36;

const base64Length = (bytes: number) => 4 * Math.ceil(bytes / 3);

/**
 * Length of the smbios1 string bpg/proxmox sends for these fields: `uuid=<uuid>,base64=1` and, per field,
 * `,<key>=<base64 of the value>` (bpg base64-encodes every value).
 */
export function smbios1Length(fields: Readonly<Record<string, string>>): number {
  let length = 'uuid='.length + UUID_LENGTH + ',base64=1'.length;
  for (const [key, value] of Object.entries(fields)) {
    length += `,${key}=`.length + base64Length(Buffer.byteLength(value, 'utf8'));
  }
  return length;
}

/** The longest flake reference, in bytes, that still fits Proxmox's smbios1 limit beside the identity fields. */
export function maxFlakeRefBytes(): number {
  const spare = SMBIOS1_MAX_LENGTH - smbios1Length(SMBIOS_IDENTITY) - `,${FLAKE_REF_FIELD}=`.length;
  return Math.floor(spare / 4) * 3;
}

/** The bpg `smbios` block content for a flake reference (a literal or a Terraform template string). */
export function smbiosContent(flakeRef: string): Record<string, string> {
  return { ...SMBIOS_IDENTITY, [FLAKE_REF_FIELD]: flakeRef };
}
