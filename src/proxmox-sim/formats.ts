/**
 * The named formats of Proxmox's schema that the modelled methods use. The API dump keeps only their names
 * (a registered format is code or a hash in pve-common, qemu-server, pve-storage and pve-access-control), so
 * each is written here from its source, cited. Pins: pve-common 9.1.11 (92ce4e4a), qemu-server 9.1.9
 * (6bdc5547), pve-storage 9.1.2 (e26583a0), pve-access-control 9.0.7 (4858e4a5).
 *
 * A format the simulator does not implement throws UnmodelledFormat: the request is then answered as not
 * modelled (never silently accepted), so a test sees that the simulator could not check it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FormatError, parsePropertyString, parseSize, PropertyFormat, registerNamedFormats, splitList, UnmodelledFormat } from './json-schema';

// pve-common src/PVE/Tools.pm:84-99: IPv4 and IPv6 address expressions.
const IPV4_OCTET = '(?:25[0-5]|(?:2[0-4]|1[0-9]|[1-9])?[0-9])';
const IPV4_RE = `(?:(?:${IPV4_OCTET}\\.){3}${IPV4_OCTET})`;
const H16 = '(?:[0-9a-fA-F]{1,4})';
const LS32 = `(?:(?:${IPV4_RE}|${H16}:${H16}))`;
const IPV6_RE = `(?:(?:(?:(?:${H16}:){6})${LS32})|(?:(?:::(?:${H16}:){5})${LS32})|(?:(?:(?:${H16})?::(?:${H16}:){4})${LS32})|`
  + `(?:(?:(?:(?:${H16}:){0,1}${H16})?::(?:${H16}:){3})${LS32})|(?:(?:(?:(?:${H16}:){0,2}${H16})?::(?:${H16}:){2})${LS32})|`
  + `(?:(?:(?:(?:${H16}:){0,3}${H16})?::(?:${H16}:){1})${LS32})|(?:(?:(?:(?:${H16}:){0,4}${H16})?::)${LS32})|`
  + `(?:(?:(?:(?:${H16}:){0,5}${H16})?::)${H16})|(?:(?:(?:(?:${H16}:){0,6}${H16})?::)))`;

const fail = (message: string): never => { throw new FormatError(message); };

function cidr(value: string, re: string, maxBits: number): boolean {
  const match = new RegExp(`^(?:${re})(?:/(\\d+))$`).exec(value);
  return match !== null && Number(match[1]) > 7 && Number(match[1]) <= maxBits;
}

const isIpv4 = (value: string) => new RegExp(`^(?:${IPV4_RE})$`).test(value);
const isIpv6 = (value: string) => new RegExp(`^(?:${IPV6_RE})$`).test(value);
const isDnsName = (value: string) => /^(([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)\.)*([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/.test(value);

/** JSONSchema.pm:289 parse_id. */
function parseId(id: string, type: string): string {
  if (id.length < 2) fail(`${type} ID '${id}' cannot be shorter than 2 characters`);
  if (!/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(id)) fail(`${type} ID '${id}' contains illegal characters`);
  return id;
}

/** pve-storage src/PVE/Storage/Plugin.pm:420 parse_volume_id. */
export function parseVolumeId(volid: string): [string, string] {
  const match = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/is.exec(volid);
  if (!match) fail(`unable to parse volume ID '${volid}'`);
  return [match![1], match![2]];
}

/**
 * qemu-server src/PVE/QemuServer/CPUConfig.pm:107-223 (x86_64 models and `host`) and :53-75 (built-in
 * x86-64-v* models): the CPU types a VM-specific `cpu` may name (validate_vm_cpu_conf, :519).
 */
export const CPU_MODELS: ReadonlySet<string> = new Set(('486 pentium pentium2 pentium3 coreduo core2duo Conroe Penryn Nehalem Nehalem-IBRS '
  + 'Westmere Westmere-IBRS SandyBridge SandyBridge-IBRS IvyBridge IvyBridge-IBRS Haswell Haswell-IBRS Haswell-noTSX '
  + 'Haswell-noTSX-IBRS Broadwell Broadwell-IBRS Broadwell-noTSX Broadwell-noTSX-IBRS Skylake-Client Skylake-Client-IBRS '
  + 'Skylake-Client-noTSX-IBRS Skylake-Client-v4 Skylake-Server Skylake-Server-IBRS Skylake-Server-noTSX-IBRS Skylake-Server-v4 '
  + 'Skylake-Server-v5 Cascadelake-Server Cascadelake-Server-v2 Cascadelake-Server-noTSX Cascadelake-Server-v4 '
  + 'Cascadelake-Server-v5 Cooperlake Cooperlake-v2 KnightsMill Icelake-Client Icelake-Client-noTSX Icelake-Server '
  + 'Icelake-Server-noTSX Icelake-Server-v3 Icelake-Server-v4 Icelake-Server-v5 Icelake-Server-v6 Icelake-Server-v7 '
  + 'SapphireRapids SapphireRapids-v2 SapphireRapids-v3 SapphireRapids-v4 GraniteRapids GraniteRapids-v2 GraniteRapids-v3 '
  + 'SierraForest SierraForest-v2 SierraForest-v3 ClearwaterForest athlon phenom Opteron_G1 Opteron_G2 Opteron_G3 Opteron_G4 '
  + 'Opteron_G5 EPYC EPYC-IBPB EPYC-v3 EPYC-v4 EPYC-v5 EPYC-Rome EPYC-Rome-v2 EPYC-Rome-v3 EPYC-Rome-v4 EPYC-Rome-v5 '
  + 'EPYC-Milan EPYC-Milan-v2 EPYC-Milan-v3 EPYC-Genoa EPYC-Genoa-v2 EPYC-Turin kvm32 kvm64 qemu32 qemu64 max host '
  + 'x86-64-v2 x86-64-v2-AES x86-64-v3 x86-64-v4').split(' '));

const BASE64 = '[A-Za-z0-9+\\/]+={0,2}';

/** Named property-string formats, transcribed from their registrations. */
export const NAMED_PROPERTY_FORMATS: Record<string, PropertyFormat> = {
  // qemu-server src/PVE/QemuServer/Network.pm:130-164 ($ipconfig_fmt).
  'pve-qm-ipconfig': {
    ip: { type: 'string', format: 'pve-ipv4-config', optional: 1, default: 'dhcp' },
    gw: { type: 'string', format: 'ipv4', optional: 1, requires: 'ip' },
    ip6: { type: 'string', format: 'pve-ipv6-config', optional: 1, default: 'dhcp' },
    gw6: { type: 'string', format: 'ipv6', optional: 1, requires: 'ip6' },
  },
  // qemu-server src/PVE/QemuServer.pm:1567-1638 ($smbios1_fmt).
  'pve-qm-smbios1': {
    uuid: { type: 'string', pattern: '[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}', optional: 1 },
    version: { type: 'string', pattern: BASE64, optional: 1 },
    serial: { type: 'string', pattern: BASE64, optional: 1 },
    manufacturer: { type: 'string', pattern: BASE64, optional: 1 },
    product: { type: 'string', pattern: BASE64, optional: 1 },
    sku: { type: 'string', pattern: BASE64, optional: 1 },
    family: { type: 'string', pattern: BASE64, optional: 1 },
    base64: { type: 'boolean', optional: 1 },
  },
  // qemu-server src/PVE/QemuServer.pm:741-775 ($cicustom_fmt).
  'pve-qm-cicustom': {
    meta: { type: 'string', optional: 1, format: 'pve-volume-id' },
    network: { type: 'string', optional: 1, format: 'pve-volume-id' },
    user: { type: 'string', optional: 1, format: 'pve-volume-id' },
    vendor: { type: 'string', optional: 1, format: 'pve-volume-id' },
  },
  // qemu-server src/PVE/QemuServer.pm:974-1008 ($boot_fmt).
  'pve-qm-boot': {
    legacy: { optional: 1, default_key: 1, type: 'string', pattern: '[acdn]{1,4}', default: 'cdn' },
    order: { optional: 1, type: 'string', format: 'pve-qm-bootdev-list' },
  },
  // qemu-server src/PVE/QemuServer/CPUConfig.pm:350-413 ($cpu_fmt; `reported-model` is refused for a VM by
  // validate_vm_cpu_conf, so its enumeration is not needed here).
  'pve-vm-cpu-conf': {
    cputype: { type: 'string', default: 'kvm64', default_key: 1, optional: 1 },
    'reported-model': { type: 'string', optional: 1 },
    hidden: { type: 'boolean', optional: 1, default: 0 },
    'hv-vendor-id': { type: 'string', pattern: '[a-zA-Z0-9]{1,12}', optional: 1 },
    flags: { type: 'string', pattern: '([+-])([a-zA-Z0-9\\-_\\.]+)(;([+-])([a-zA-Z0-9\\-_\\.]+))*', optional: 1 },
    'guest-phys-bits': { type: 'integer', minimum: 32, maximum: 64, optional: 1 },
    'phys-bits': { type: 'string', format: 'pve-phys-bits', optional: 1 },
  },
};

/** Checks that run after a named property-string format parsed (JSONSchema.pm register_format's validator). */
const VALIDATORS: Record<string, (parsed: Record<string, unknown>) => void> = {
  // qemu-server src/PVE/QemuServer/CPUConfig.pm:519 validate_vm_cpu_conf (flags are checked against the
  // pattern only: the VM-specific subset of :264-345 is not modelled).
  'pve-vm-cpu-conf': (cpu) => {
    const cputype = cpu.cputype as string | undefined;
    if (!cputype) fail('CPU is missing cputype');
    if (/^custom-/.test(cputype!)) fail(`Custom cputype '${cputype!.replace(/^custom-/, '')}' not found`);
    if (!CPU_MODELS.has(cputype!)) fail(`Built-in cputype '${cputype}' is not defined (missing 'custom-' prefix?)`);
    if (cpu['reported-model'] !== undefined) fail("Property 'reported-model' not allowed in VM-specific CPU config.");
  },
};

/** Drive names (qemu-server src/PVE/QemuServer/Drive.pm:154-158, is_valid_drivename :738). */
export function isValidDriveName(name: string): boolean {
  const match = /^(ide|scsi|virtio|sata)(\d+)$/.exec(name);
  if (match) return Number(match[2]) < { ide: 4, scsi: 31, virtio: 16, sata: 6 }[match[1]]!;
  return name === 'efidisk0' || name === 'tpmstate0';
}

/**
 * One named format. The functions cite their registration; messages are the die texts (without the newline,
 * which FormatError adds).
 */
export function checkNamedFormat(name: string, value: string, pathOfValue: string): unknown {
  const property = NAMED_PROPERTY_FORMATS[name];
  if (property) {
    const parsed = parsePropertyString(property, value, pathOfValue);
    VALIDATORS[name]?.(parsed);
    return parsed;
  }
  switch (name) {
    case 'string': return value; // JSONSchema.pm:236
    // JSONSchema.pm:238 pve_verify_urlencoded.
    case 'urlencoded': return /^[-%a-zA-Z0-9_.!~*'()]*$/.test(value) ? value : fail(`invalid urlencoded string: ${value}`);
    // JSONSchema.pm:249 pve_verify_configid ($CONFIGID_RE, :27).
    case 'pve-configid': return /^[a-z][a-z0-9_-]+$/i.test(value) ? value : fail(`invalid configuration ID '${value}'`);
    case 'pve-storage-id': return parseId(value, 'storage'); // JSONSchema.pm:261
    // JSONSchema.pm:269 parse_bridge_id.
    case 'pve-bridge-id': return /^[-_.\w\d]+$/.test(value) ? value : fail(`invalid bridge ID '${value}'`);
    // JSONSchema.pm:304 pve_verify_vmid.
    case 'pve-vmid': return /^[1-9][0-9]{2,8}$/.test(value) ? value : fail('value does not look like a valid VM ID');
    // JSONSchema.pm:316 pve_verify_node_name.
    case 'pve-node': return /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/.test(value) ? value : fail('value does not look like a valid node name');
    // JSONSchema.pm:425 pve_verify_mac_addr.
    case 'mac-addr': return /^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i.test(value) ? value : fail('value does not look like a valid unicast MAC address');
    case 'ipv4': return isIpv4(value) ? value : fail('value does not look like a valid IPv4 address'); // JSONSchema.pm:451
    case 'ipv6': return isIpv6(value) ? value : fail('value does not look like a valid IPv6 address'); // JSONSchema.pm:463
    case 'ip': return isIpv4(value) || isIpv6(value) ? value : fail('value does not look like a valid IP address'); // :475
    // JSONSchema.pm:580 pve_verify_cidr (CIDRv4 :569, CIDRv6 :556: prefix 8 to 32, 8 to 128).
    case 'CIDR': return cidr(value, IPV4_RE, 32) || cidr(value, IPV6_RE, 128) ? value : fail('value does not look like a valid CIDR network');
    // JSONSchema.pm:595 pve_verify_ipv4_config.
    case 'pve-ipv4-config': return /^(?:dhcp|manual)$/.test(value) || cidr(value, IPV4_RE, 32) ? value : fail('value does not look like a valid ipv4 network configuration');
    // JSONSchema.pm:607 pve_verify_ipv6_config.
    case 'pve-ipv6-config': return /^(?:auto|dhcp|manual)$/.test(value) || cidr(value, IPV6_RE, 128) ? value : fail('value does not look like a valid ipv6 network configuration');
    case 'dns-name': return isDnsName(value) ? value : fail('value does not look like a valid DNS name'); // JSONSchema.pm:644
    // JSONSchema.pm:726 pve_verify_address.
    case 'address': return isIpv4(value) || isIpv6(value) || isDnsName(value) ? value : fail(`value does not look like a valid address: ${value}`);
    // JSONSchema.pm:738 pve_verify_disk_size.
    case 'disk-size': return parseSize(value) !== undefined ? value : fail(`value does not look like a valid disk size: ${value}`);
    // JSONSchema.pm:864 pve_verify_tag ($PVE_TAG_RE, :861).
    case 'pve-tag': return /^[a-z0-9_][a-z0-9_\-+.]*$/i.test(value) ? value : fail('invalid characters in tag');
    // JSONSchema.pm:774 pve_verify_startup_order via pve_parse_startup_order (:876).
    case 'pve-startup-order': return value.split(',').every((part) => /^\s*$/.test(part) || /^(order=)?\d+$/.test(part) || /^(up|down)=\d+$/.test(part)) && value !== ''
      ? value : fail('unable to parse startup options');
    // pve-storage src/PVE/Storage/Plugin.pm:418 parse_volume_id.
    case 'pve-volume-id': return parseVolumeId(value)[0];
    // qemu-server src/PVE/QemuServer.pm:895 verify_volume_id_or_qm_path and :904 (absolute path).
    case 'pve-volume-id-or-qm-path': return value === 'none' || value === 'cdrom' || value.startsWith('/') ? value : parseVolumeId(value)[0];
    case 'pve-volume-id-or-absolute-path': return value.startsWith('/') ? value : parseVolumeId(value)[0];
    // pve-storage src/PVE/Storage/Plugin.pm:370 verify_content: 'import', or a content type of a dir storage
    // (valid_content_types, :264; src/PVE/Storage/DirPlugin.pm:27).
    case 'pve-storage-content': return ['import', 'images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'none'].includes(value) ? value : fail(`invalid content type '${value}'`);
    // pve-access-control src/PVE/AccessControl.pm:1349 verify_poolname.
    case 'pve-poolid':
      if (value.split('/').length > 3) fail(`pool name '${value}' nested too deeply (max levels = 3)`);
      return /^[A-Za-z0-9.\-_]+(?:\/[A-Za-z0-9.\-_]+){0,2}$/.test(value) ? value : fail(`pool name '${value}' contains invalid characters`);
    // pve-ha-manager 5.2.0 (b53aa83f) src/PVE/HA/Tools.pm:66 pve_verify_ha_resource_or_vm_id.
    case 'pve-ha-resource-or-vm-id': return /^([a-z]+:\S+|\d+)$/.test(value) ? value : fail('value does not look like a valid ha resource id');
    // qemu-server src/PVE/QemuServer/Drive.pm:744 verify_bootdisk.
    case 'pve-qm-bootdisk': return isValidDriveName(value) ? value : fail(`invalid boot disk '${value}'`);
    // qemu-server src/PVE/QemuServer.pm:1012 verify_bootdev.
    case 'pve-qm-bootdev':
      if (isValidDriveName(value) && !/^(efidisk|tpmstate)/.test(value)) return value;
      if (/^net([0-9]|[12][0-9]|3[01])$/.test(value) || /^usb([0-9]|1[0-3])$/.test(value) || /^hostpci([0-9]|1[0-5])$/.test(value)) return value;
      return fail(`invalid boot device '${value}'`);
    // qemu-server src/PVE/QemuServer.pm:1133 parse_hotplug_features.
    case 'pve-hotplug-features':
      if (value === '0' || value === '1') return value;
      for (const feature of splitList(value)) if (!/^(network|disk|cpu|memory|usb|cloudinit)$/.test(feature)) fail(`invalid hotplug feature '${feature}'`);
      return value;
    // qemu-server src/PVE/QemuServer/CPUConfig.pm:488 parse_phys_bits.
    case 'pve-phys-bits':
      if (!/^(host|\d{1,2})$/.test(value) || (/^\d+$/.test(value) && (Number(value) < 8 || Number(value) > 64))) fail("value must be an integer between 8 and 64 or 'host'");
      return value;
    default:
      throw new UnmodelledFormat(name);
  }
}

/**
 * pve-common src/PVE/Tools.pm:1450 validate_ssh_public_keys: each non-blank line must be a key the real
 * `ssh-keygen -l -f <file>` reads; any failure is "SSH public key validation error".
 */
export function validateSshPublicKeys(raw: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proxmox-sim-key-'));
  try {
    raw.split('\n').forEach((line, index) => {
      if (/^\s*$/.test(line)) return;
      const file = path.join(dir, `key${index}`);
      fs.writeFileSync(file, line);
      const result = spawnSync('ssh-keygen', ['-l', '-f', file], { stdio: 'ignore' });
      if (result.error || result.status !== 0) throw new Error('SSH public key validation error\n');
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// As a module's formats join PVE::JSONSchema's table through register_format (JSONSchema.pm), these join json-schema.ts's.
registerNamedFormats(checkNamedFormat);
