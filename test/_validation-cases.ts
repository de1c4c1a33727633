/**
 * The bad single-Machine inputs the Machine API contract says must be refused, one rule each, shared by
 * the synth-time tests (library/validation.spec.ts) and the applied-by-hand tests against the XRD (library/validation-xrd.spec.ts).
 */

export type Doc = Record<string, any>;

import * as fs from 'fs';
import * as path from 'path';
import { REPO, TEST_SSH_KEY } from './_helpers';

export const PUBLIC_KEY = TEST_SSH_KEY;
const KEY_FIXTURES = path.join(REPO, 'test', 'fixtures', 'ssh-keys');

/** A Machine that sets every field of the contract, valid: each case breaks exactly one rule of it. */
export function fullMachine(name = 'dns01'): Doc {
  return {
    apiVersion: 'fabric.kubelize.io/v1alpha1',
    kind: 'Machine',
    metadata: { name, namespace: 'infra-machines', labels: { team: 'infra' } },
    spec: {
      hostname: name,
      cpu: { cores: 2, sockets: 1, type: 'x86-64-v2-AES' },
      memory: { size: 2048 },
      disk: { size: 32, storage: 'local-zfs', interface: 'scsi0' },
      dataDisks: [{ size: 100, storage: 'tank' }],
      network: { ip: '10.0.1.10', cidr: 24, gateway: '10.0.1.1', dns: ['10.0.1.10', '1.1.1.1'], domain: 'home.arpa' },
      proxmox: { node: 'pve', storage: 'local-zfs', bridge: 'vmbr0', vlan: 20, templateId: 9000, vmId: 120, pool: 'homelab', startOnBoot: true },
      nix: { flakeRef: 'git+https://github.com/kubelize/fabric?ref=main#dns01' },
      bootstrap: { adminUser: 'admin', sshAuthorizedKeys: [PUBLIC_KEY] },
      tags: { environment: 'production', role: 'dns' },
      deletionPolicy: 'Delete',
    },
  };
}

export interface BadCase {
  readonly reason: string;
  readonly mutate: (m: Doc) => void;
  /** The field path the refusal names. */
  readonly path: string;
  /** The message after the path. */
  readonly message: RegExp;
  /**
   * Where the XRD refuses the same Machine applied by hand: the same path unless stated; null for a rule
   * that only synth has (a claim carrying status: the API server takes status only through its subresource).
   */
  readonly xrdPath: string | null;
}

const setNetwork = (network: Doc) => (m: Doc) => { m.spec.network = network; };

/** [reason, mutation, path, message, XRD path when it differs] */
const rows: Array<[string, (m: Doc) => void, string, RegExp, (string | null)?]> = [
  // Bounds, min and max, of every numeric field.
  ['cpu.cores below 1', (m) => { m.spec.cpu.cores = 0; }, 'spec.cpu.cores', /^must be at least 1, got 0$/],
  ['cpu.cores above 128', (m) => { m.spec.cpu.cores = 129; }, 'spec.cpu.cores', /^must be at most 128, got 129$/],
  ['cpu.sockets below 1', (m) => { m.spec.cpu.sockets = 0; }, 'spec.cpu.sockets', /^must be at least 1, got 0$/],
  ['cpu.sockets above 4', (m) => { m.spec.cpu.sockets = 5; }, 'spec.cpu.sockets', /^must be at most 4, got 5$/],
  ['memory.size below 512 MiB', (m) => { m.spec.memory.size = 256; }, 'spec.memory.size', /^must be at least 512 \(MiB\), got 256$/],
  ['memory.size given in GiB', (m) => { m.spec.memory.size = 2; }, 'spec.memory.size', /^must be at least 512 \(MiB\), got 2; memory.size is in MiB: 2 GiB is 2048$/],
  ['disk.size given in MiB', (m) => { m.spec.disk.size = 102400; }, 'spec.disk.size', /^must be at most 65536 \(GiB\), got 102400; disk.size is in GiB: 102400 MiB is 100 GiB$/],
  ['memory.size above 1 TiB', (m) => { m.spec.memory.size = 1048577; }, 'spec.memory.size', /^must be at most 1048576 \(MiB\), got 1048577$/],
  ['disk.size below 8 GiB', (m) => { m.spec.disk.size = 7; }, 'spec.disk.size', /^must be at least 8 \(GiB\), got 7$/],
  ['disk.size above 65536 GiB', (m) => { m.spec.disk.size = 65537; }, 'spec.disk.size', /^must be at most 65536 \(GiB\), got 65537$/],
  ['dataDisks[].size below 1 GiB', (m) => { m.spec.dataDisks[0].size = 0; }, 'spec.dataDisks[0].size', /^must be at least 1 \(GiB\), got 0$/],
  ['dataDisks[].size above 65536 GiB', (m) => { m.spec.dataDisks[0].size = 65537; }, 'spec.dataDisks[0].size', /^must be at most 65536 \(GiB\), got 65537$/],
  ['network.cidr below 1', (m) => { m.spec.network.cidr = 0; }, 'spec.network.cidr', /^must be at least 1, got 0$/],
  ['network.cidr above 32', (m) => { m.spec.network.cidr = 33; }, 'spec.network.cidr', /^must be at most 32, got 33$/],
  ['proxmox.vlan below 1', (m) => { m.spec.proxmox.vlan = 0; }, 'spec.proxmox.vlan', /^must be at least 1, got 0$/],
  ['proxmox.vlan above 4094', (m) => { m.spec.proxmox.vlan = 4095; }, 'spec.proxmox.vlan', /^must be at most 4094, got 4095$/],
  ['proxmox.templateId below 100', (m) => { m.spec.proxmox.templateId = 99; }, 'spec.proxmox.templateId', /^must be at least 100, got 99$/],
  ['proxmox.templateId above 999999999', (m) => { m.spec.proxmox.templateId = 1000000000; }, 'spec.proxmox.templateId', /^must be at most 999999999, got 1000000000$/],
  ['proxmox.vmId below 100', (m) => { m.spec.proxmox.vmId = 99; }, 'spec.proxmox.vmId', /^must be at least 100, got 99$/],
  ['proxmox.vmId above 999999999', (m) => { m.spec.proxmox.vmId = 1000000000; }, 'spec.proxmox.vmId', /^must be at most 999999999, got 1000000000$/],
  // Types.
  ['cores given as a string', (m) => { m.spec.cpu.cores = '2'; }, 'spec.cpu.cores', /^must be an integer, got "2"$/],
  ['memory.size not a whole number', (m) => { m.spec.memory.size = 2048.5; }, 'spec.memory.size', /^must be an integer, got 2048.5$/],
  ['startOnBoot given as a string', (m) => { m.spec.proxmox.startOnBoot = 'enabled'; }, 'spec.proxmox.startOnBoot', /^must be a boolean, got "enabled"$/],
  // Patterns.
  ['hostname with uppercase and _', (m) => { m.spec.hostname = 'DNS_01'; }, 'spec.hostname', /^must be an RFC 1123 label .*, got "DNS_01"$/],
  ['hostname longer than 63', (m) => { m.spec.hostname = 'a'.repeat(64); }, 'spec.hostname', /^must have at most 63 characters, got 64$/],
  ['metadata.name not an RFC 1123 label', (m) => { m.metadata.name = 'dns.01'; }, 'metadata.name', /^must be an RFC 1123 label .*, got "dns.01"$/, ''],
  ['proxmox.node with a space', (m) => { m.spec.proxmox.node = 'pve 1'; }, 'spec.proxmox.node', /^must be a Proxmox node name .*, got "pve 1"$/],
  ['proxmox.storage with a slash', (m) => { m.spec.proxmox.storage = 'local/zfs'; }, 'spec.proxmox.storage', /^must be a Proxmox storage id .*, got "local\/zfs"$/],
  ['disk.storage starting with a digit', (m) => { m.spec.disk.storage = '1zfs'; }, 'spec.disk.storage', /^must be a Proxmox storage id .*, got "1zfs"$/],
  ['dataDisks[].storage with uppercase', (m) => { m.spec.dataDisks[0].storage = 'Tank'; }, 'spec.dataDisks[0].storage', /^must be a Proxmox storage id .*, got "Tank"$/],
  ['proxmox.bridge starting with a digit', (m) => { m.spec.proxmox.bridge = '0vmbr'; }, 'spec.proxmox.bridge', /^must be a Linux bridge name .*, got "0vmbr"$/],
  ['proxmox.bridge longer than 15 (IFNAMSIZ)', (m) => { m.spec.proxmox.bridge = 'vmbr0123456789ab'; }, 'spec.proxmox.bridge', /^must have at most 15 characters, got 16$/],
  ['cpu.type with a space', (m) => { m.spec.cpu.type = 'x86 64'; }, 'spec.cpu.type', /^must be a Proxmox CPU type .*, got "x86 64"$/],
  ['network.ip with an octet of 256', (m) => { m.spec.network.ip = '10.0.1.256'; }, 'spec.network.ip', /^must be a dotted-quad IPv4 address .*, got "10.0.1.256"$/],
  ['network.ip with a leading zero', (m) => { m.spec.network.ip = '10.0.1.010'; }, 'spec.network.ip', /^must be a dotted-quad IPv4 address without leading zeros .*, got "10.0.1.010"$/],
  ['network.ip with three octets', (m) => { m.spec.network.ip = '10.0.1'; }, 'spec.network.ip', /^must be a dotted-quad IPv4 address .*, got "10.0.1"$/],
  ['network.ip given as IPv6', (m) => { m.spec.network.ip = 'fd00::10'; }, 'spec.network.ip', /^must be a dotted-quad IPv4 address .*, got "fd00::10"$/],
  ['network.gateway malformed', (m) => { m.spec.network.gateway = '10.0.1.1.1'; }, 'spec.network.gateway', /^must be a dotted-quad IPv4 address .*, got "10.0.1.1.1"$/],
  ['network.dns entry malformed', (m) => { m.spec.network.dns = ['1.1.1.1', '8.8.8.08']; }, 'spec.network.dns[1]', /^must be a dotted-quad IPv4 address .*, got "8.8.8.08"$/],
  ['network.domain with uppercase', (m) => { m.spec.network.domain = 'Home.arpa'; }, 'spec.network.domain', /^must be a lowercase DNS domain .*, got "Home.arpa"$/],
  ['network.domain ending in a dot', (m) => { m.spec.network.domain = 'home.arpa.'; }, 'spec.network.domain', /^must be a lowercase DNS domain .*, got "home.arpa."$/],
  ['proxmox.pool with a slash', (m) => { m.spec.proxmox.pool = 'home/lab'; }, 'spec.proxmox.pool', /^must be a Proxmox pool name .*, got "home\/lab"$/],
  ['bootstrap.adminUser with uppercase', (m) => { m.spec.bootstrap.adminUser = 'Admin'; }, 'spec.bootstrap.adminUser', /^must be a lowercase POSIX user name .*, got "Admin"$/],
  ['bootstrap.adminUser starting with a digit', (m) => { m.spec.bootstrap.adminUser = '1admin'; }, 'spec.bootstrap.adminUser', /^must be a lowercase POSIX user name .*, got "1admin"$/],
  ['ssh key line that is not a key', (m) => { m.spec.bootstrap.sshAuthorizedKeys = ['admin@homelab']; }, 'spec.bootstrap.sshAuthorizedKeys[0]', /^must be an OpenSSH public key line .*, got "admin@homelab"$/],
  ['ssh key whose base64 names another key type', (m) => { m.spec.bootstrap.sshAuthorizedKeys = [`ssh-rsa ${PUBLIC_KEY.split(' ')[1]} admin@homelab`]; }, 'spec.bootstrap.sshAuthorizedKeys[0]', /^must be an OpenSSH public key line .*, got "ssh-rsa AAAAC3NzaC1lZDI1NTE5/],
  ['ssh key of an unsupported type (DSA)', (m) => { m.spec.bootstrap.sshAuthorizedKeys = ['ssh-dss AAAAB3NzaC1kc3MAAACBAP admin']; }, 'spec.bootstrap.sshAuthorizedKeys[0]', /^must be an OpenSSH public key line .*, got "ssh-dss AAAAB3NzaC1kc3MAAACBAP admin"$/],
  ['ssh key line with an options prefix', (m) => { m.spec.bootstrap.sshAuthorizedKeys = [`command="/bin/sh" ${PUBLIC_KEY}`]; }, 'spec.bootstrap.sshAuthorizedKeys[0]', /^must be an OpenSSH public key line .*, got "command=/],
  ['ssh key line spanning two lines', (m) => { m.spec.bootstrap.sshAuthorizedKeys = [`${PUBLIC_KEY}\n${PUBLIC_KEY}`]; }, 'spec.bootstrap.sshAuthorizedKeys[0]', /^must be an OpenSSH public key line .*, got "ssh-ed25519/],
  ['flakeRef without #output', (m) => { m.spec.nix.flakeRef = 'github:kubelize/fabric'; }, 'spec.nix.flakeRef', /^must be a flake reference naming an output after '#' .*, got "github:kubelize\/fabric"$/],
  ['flakeRef with an empty output', (m) => { m.spec.nix.flakeRef = 'github:kubelize/fabric#'; }, 'spec.nix.flakeRef', /^must be a flake reference naming an output after '#' .*, got "github:kubelize\/fabric#"$/],
  ['tag value with uppercase', (m) => { m.spec.tags.environment = 'Production'; }, 'spec.tags.environment', /^must be in Proxmox's tag alphabet .*, got "Production"$/],
  ['tag value with a space', (m) => { m.spec.tags.environment = 'prod env'; }, 'spec.tags.environment', /^must be in Proxmox's tag alphabet .*, got "prod env"$/],
  ['tag value empty', (m) => { m.spec.tags.environment = ''; }, 'spec.tags.environment', /^must be in Proxmox's tag alphabet .*, got ""$/],
  ['tag value longer than 63', (m) => { m.spec.tags.environment = 'a'.repeat(64); }, 'spec.tags.environment', /^must be in Proxmox's tag alphabet .*at most 63 characters.*, got "aaaa/],
  ['tag key with uppercase', (m) => { m.spec.tags = { Environment: 'production' }; }, 'spec.tags', /^key "Environment": must use Proxmox's tag alphabet /],
  ['tag key starting with -', (m) => { m.spec.tags = { '-env': 'production' }; }, 'spec.tags', /^key "-env": must use Proxmox's tag alphabet .*start with a letter, digit or _/],
  ['tag key longer than 63', (m) => { m.spec.tags = { ['k'.repeat(64)]: 'x' }; }, 'spec.tags', /^key "kkkk.*": must .*at most 63 characters$/],
  // Enums.
  ['deletionPolicy not Delete or Orphan', (m) => { m.spec.deletionPolicy = 'Retain'; }, 'spec.deletionPolicy', /^must be one of Delete, Orphan, got "Retain"$/],
  ['disk.interface not a boot disk interface', (m) => { m.spec.disk.interface = 'nvme0'; }, 'spec.disk.interface', /^must be one of scsi0, virtio0, sata0, ide0, got "nvme0"$/],
  // Required fields.
  ['cpu missing', (m) => { delete m.spec.cpu; }, 'spec.cpu', /^is required$/],
  ['cpu.cores missing', (m) => { delete m.spec.cpu.cores; }, 'spec.cpu.cores', /^is required$/],
  ['memory missing', (m) => { delete m.spec.memory; }, 'spec.memory', /^is required$/],
  ['memory.size missing', (m) => { m.spec.memory = {}; }, 'spec.memory.size', /^is required$/],
  ['proxmox missing', (m) => { delete m.spec.proxmox; }, 'spec.proxmox', /^is required$/],
  ['proxmox.node missing', (m) => { delete m.spec.proxmox.node; }, 'spec.proxmox.node', /^is required$/],
  ['dataDisks[].size missing', (m) => { m.spec.dataDisks = [{ storage: 'tank' }]; }, 'spec.dataDisks[0].size', /^is required$/],
  ['bootstrap.sshAuthorizedKeys missing', (m) => { m.spec.bootstrap = { adminUser: 'admin' }; }, 'spec.bootstrap.sshAuthorizedKeys', /^is required$/],
  ['nix.flakeRef missing', (m) => { m.spec.nix = {}; }, 'spec.nix.flakeRef', /^is required$/],
  // Unknown fields, at several depths.
  ['typo memroy in spec', (m) => { m.spec.memroy = { size: 4096 }; }, 'spec.memroy', /^is not a field of the Machine API \(the API server would silently drop it\); known fields: hostname, cpu, memory, /],
  ['typo core in spec.cpu', (m) => { m.spec.cpu.core = 4; }, 'spec.cpu.core', /^is not a field of the Machine API .*; known fields: cores, sockets, type; did you mean `cores`\?$/],
  ['typo lables in metadata', (m) => { m.metadata.lables = { team: 'infra' }; }, 'metadata.lables', /^is not a field of the Machine API .*; known fields: name, namespace, labels, annotations; did you mean `labels`\?$/],
  ['typo gatway in spec.network', (m) => { m.spec.network.gatway = '10.0.1.1'; }, 'spec.network.gatway', /^is not a field of the Machine API .*; known fields: dhcp, ip, ipPool, cidr, gateway, dns, domain; did you mean `gateway`\?$/],
  ['unknown field in a data disk', (m) => { m.spec.dataDisks[0].ssd = true; }, 'spec.dataDisks[0].ssd', /^is not a field of the Machine API .*; known fields: size, storage$/],
  ['status written by hand', (m) => { m.status = { vmId: 120 }; }, 'status', /^is not a field of the Machine API /, null],
  // Lists.
  ['more than 8 data disks', (m) => { m.spec.dataDisks = Array.from({ length: 9 }, () => ({ size: 10 })); }, 'spec.dataDisks', /^must have at most 8 items, got 9$/],
  ['more than 3 dns servers', (m) => { m.spec.network.dns = ['1.1.1.1', '8.8.8.8', '9.9.9.9', '10.0.1.10']; }, 'spec.network.dns', /^must have at most 3 items, got 4$/],
  ['empty sshAuthorizedKeys', (m) => { m.spec.bootstrap.sshAuthorizedKeys = []; }, 'spec.bootstrap.sshAuthorizedKeys', /^must have at least 1 item, got \[\]$/],
  // Cross-field rules (the XRD's CEL).
  ['adminUser root', (m) => { m.spec.bootstrap.adminUser = 'root'; }, 'spec.bootstrap.adminUser', /^must not be root, got "root"$/],
  ['memory below 2048 MiB with a flake', (m) => { m.spec.memory.size = 1024; }, 'spec.memory.size', /^must be at least 2048 \(MiB\) when nix.flakeRef is set: .*, got 1024$/],
  ['dhcp true together with ip', (m) => { m.spec.network.dhcp = true; }, 'spec.network.dhcp', /^must not be true when a static ip is set, got true$/],
  ['dhcp true together with an ipPool', setNetwork({ ipPool: 'lan', dhcp: true }), 'spec.network.dhcp', /^must not be true when an ipPool is set, got true$/],
  ['ip without gateway', (m) => { delete m.spec.network.gateway; }, 'spec.network.gateway', /^is required when ip is set$/],
  ['gateway without ip', setNetwork({ gateway: '10.0.1.1' }), 'spec.network.gateway', /^is only used with a static ip; set ip or remove gateway, got "10.0.1.1"$/],
  ['gateway outside ip/cidr', (m) => { m.spec.network.gateway = '10.0.2.1'; }, 'spec.network.gateway', /^must lie inside 10\.0\.1\.0\/24, the subnet of ip 10\.0\.1\.10, got "10.0.2.1"$/],
  ['gateway outside a /30', setNetwork({ ip: '10.0.1.1', cidr: 30, gateway: '10.0.1.5' }), 'spec.network.gateway', /^must lie inside 10\.0\.1\.0\/30, the subnet of ip 10\.0\.1\.1, got "10.0.1.5"$/],
  ['ip is the network address', (m) => { m.spec.network.ip = '10.0.1.0'; }, 'spec.network.ip', /^must not be the network address of its subnet, got "10.0.1.0"$/],
  ['ip is the network address of a /30', setNetwork({ ip: '10.0.1.4', cidr: 30, gateway: '10.0.1.5' }), 'spec.network.ip', /^must not be the network address of its subnet, got "10.0.1.4"$/],
  ['ip is the broadcast address', (m) => { m.spec.network.ip = '10.0.1.255'; }, 'spec.network.ip', /^must not be the broadcast address of its subnet, got "10.0.1.255"$/],
  ['ip is the broadcast address of a /30', setNetwork({ ip: '10.0.1.7', cidr: 30, gateway: '10.0.1.5' }), 'spec.network.ip', /^must not be the broadcast address of its subnet, got "10.0.1.7"$/],
  ['ip equals the gateway', (m) => { m.spec.network.ip = '10.0.1.1'; }, 'spec.network.ip', /^must differ from gateway, got "10.0.1.1"$/],
];

export const BAD_CASES: readonly BadCase[] = rows.map(([reason, mutate, path, message, xrdPath]) => ({
  reason,
  mutate,
  path,
  message,
  xrdPath: xrdPath === undefined ? path : xrdPath,
}));

/** [reason, mutation]: edge cases the rules must accept. */
export const GOOD_CASES: ReadonlyArray<[string, (m: Doc) => void]> = [
  ['the full Machine itself', () => undefined],
  ['the smallest Machine of the contract', (m) => { m.spec = { cpu: { cores: 2 }, memory: { size: 2048 }, disk: { size: 32 }, proxmox: { node: 'pve', storage: 'local-zfs', bridge: 'vmbr0', templateId: 9000 } }; }],
  ['every numeric field at its minimum (no flake: a Machine with one needs 2048 MiB)', (m) => {
    Object.assign(m.spec.cpu, { cores: 1, sockets: 1 });
    m.spec.memory.size = 512;
    delete m.spec.nix;
    m.spec.disk.size = 8;
    m.spec.dataDisks = [{ size: 1 }];
    m.spec.network = { ip: '10.0.1.10', cidr: 1, gateway: '10.0.1.1' };
    Object.assign(m.spec.proxmox, { vlan: 1, templateId: 100, vmId: 101 });
  }],
  ['every numeric field at its maximum', (m) => {
    Object.assign(m.spec.cpu, { cores: 128, sockets: 4 });
    m.spec.memory.size = 1048576;
    m.spec.disk.size = 65536;
    m.spec.dataDisks = Array.from({ length: 8 }, () => ({ size: 65536 }));
    m.spec.network = { ip: '10.0.1.10', cidr: 32, gateway: '10.0.1.1', dns: ['1.1.1.1', '8.8.8.8', '9.9.9.9'] };
    Object.assign(m.spec.proxmox, { vlan: 4094, templateId: 999999999, vmId: 999999998 });
  }],
  ['cidr 31: the network address is a host (point-to-point) and the gateway may be off-subnet', setNetwork({ ip: '10.0.1.0', cidr: 31, gateway: '192.168.1.1' })],
  ['cidr 31: the upper address is a host too', setNetwork({ ip: '10.0.1.1', cidr: 31, gateway: '10.0.1.0' })],
  ['cidr 32: any address, on-link gateway elsewhere', setNetwork({ ip: '10.0.1.255', cidr: 32, gateway: '10.0.0.1' })],
  ['/30: first host with the second as gateway', setNetwork({ ip: '10.0.1.1', cidr: 30, gateway: '10.0.1.2' })],
  ['/30: second host with the first as gateway', setNetwork({ ip: '10.0.1.2', cidr: 30, gateway: '10.0.1.1' })],
  ['gateway at the upper edge of the subnet', setNetwork({ ip: '10.0.1.10', cidr: 24, gateway: '10.0.1.254' })],
  ['gateway at the lower edge of the subnet', setNetwork({ ip: '10.0.1.254', cidr: 24, gateway: '10.0.1.1' })],
  ['a /1 in the upper half of the address space', setNetwork({ ip: '200.0.0.1', cidr: 1, gateway: '128.0.0.1' })],
  ['a /8 with addresses at 255', setNetwork({ ip: '10.255.255.254', cidr: 8, gateway: '10.0.0.1' })],
  ['dhcp true without ip', setNetwork({ dhcp: true })],
  ['dhcp false with ip', (m) => { m.spec.network.dhcp = false; }],
  ['no network at all (DHCP)', (m) => { delete m.spec.network; }],
  ['Orphan deletion policy', (m) => { m.spec.deletionPolicy = 'Orphan'; }],
  ['every boot disk interface', (m) => { m.spec.disk.interface = 'virtio0'; }],
  ['a key of every type, with and without comment', (m) => {
    m.spec.bootstrap.sshAuthorizedKeys = fs.readdirSync(KEY_FIXTURES).filter((file) => file.endsWith('.pub'))
      .map((file) => fs.readFileSync(path.join(KEY_FIXTURES, file), 'utf8').trim());
  }],
  ['tags using every character of the alphabet', (m) => { m.spec.tags = { '_a-b.c+d': 'x_y-z.1+2', ['k'.repeat(63)]: 'v'.repeat(63) }; }],
  ['a path: flake ref', (m) => { m.spec.nix.flakeRef = 'path:/etc/nixos#dns01'; }],
  ['adminUser that merely starts with root', (m) => { m.spec.bootstrap.adminUser = 'rootless'; }],
];
