/**
 * The Machine API, v1alpha1: the one schema that drives the XRD, the generated TypeScript types
 * (imports/fabric.kubelize.io.ts), synth-time validation and docs/machine-reference.md.
 *
 * It carries the original project's Machine API forward; fields added beyond that API are optional and say so
 * in their description.
 * Units are stated as "Unit: X." at the end of a description; validation messages read them from there.
 */
import { StructuralSchema, ValidationRule } from './structural-schema';
import { blockSize, ipv4Int, subnetOf } from './cel-ipv4';
import { OPENSSH_PUBLIC_KEY_PATTERN, SSH_KEY_SYNTH_ONLY_CHECKS } from './ssh-key-format';

export const MACHINE_GROUP = 'fabric.kubelize.io';
export const MACHINE_VERSION = 'v1alpha1';
export const MACHINE_KIND = 'Machine';
export const MACHINE_PLURAL = 'machines';
export const MACHINE_API_VERSION = `${MACHINE_GROUP}/${MACHINE_VERSION}`;

/** RFC 1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric. */
export const RFC1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** Dotted-quad IPv4 with no leading zeros. */
export const IPV4 = '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$';
/**
 * One OpenSSH public key line: key type, base64 blob that starts by naming the same type, optional comment.
 * No options prefix. Synth also decodes the whole key (src/validation/ssh-public-key.ts).
 */
export const OPENSSH_PUBLIC_KEY = OPENSSH_PUBLIC_KEY_PATTERN;
/** Proxmox's tag alphabet. Keys must also start like a Proxmox tag (letter, digit or '_'). */
export const TAG_VALUE = '^[a-z0-9_.+-]{1,63}$';
export const TAG_KEY = '^[a-z0-9_][a-z0-9_.+-]{0,62}$';
/** Proxmox storage identifier (pve-storage-id). */
const STORAGE_ID = '^[a-z][a-z0-9_.-]*[a-z0-9]$';

const ipv4 = (description: string): StructuralSchema => ({ type: 'string', maxLength: 15, pattern: IPV4, description });

const storage = (description: string): StructuralSchema => ({ type: 'string', maxLength: 64, pattern: STORAGE_ID, description });

/** Rules that relate ip, cidr and gateway. cidr 31 and 32 are point-to-point / on-link: no subnet rules. */
const networkRules: ValidationRule[] = [
  {
    rule: "!(has(self.dhcp) && self.dhcp && has(self.ip))",
    message: 'dhcp must not be true when a static ip is set',
    fieldPath: '.dhcp',
    reason: 'FieldValueForbidden',
  },
  {
    rule: "!(has(self.dhcp) && self.dhcp && has(self.ipPool))",
    message: 'dhcp must not be true when an ipPool is set',
    fieldPath: '.dhcp',
    reason: 'FieldValueForbidden',
  },
  {
    rule: '!has(self.ip) || has(self.gateway)',
    message: 'gateway is required when ip is set',
    fieldPath: '.gateway',
    reason: 'FieldValueRequired',
  },
  {
    rule: 'has(self.ip) || !has(self.gateway)',
    message: 'gateway is only used with a static ip; set ip or remove gateway',
    fieldPath: '.gateway',
    reason: 'FieldValueForbidden',
  },
  {
    rule: '!has(self.ip) || !has(self.gateway) || self.ip != self.gateway',
    message: 'ip must differ from gateway',
    fieldPath: '.ip',
  },
  {
    rule: `!has(self.ip) || !has(self.gateway) || self.cidr >= 31 || ${subnetOf('self.ip', 'self.cidr')}.containsIP(self.gateway)`,
    message: 'gateway must lie inside ip/cidr',
    // format, not +: the API server can bound the cost of this one (see _cel-ipv4.ts).
    messageExpression: `'gateway must lie inside %s, the subnet of ip %s'.format([string(${subnetOf('self.ip', 'self.cidr')}.masked()), self.ip])`,
    fieldPath: '.gateway',
  },
  {
    rule: `!has(self.ip) || self.cidr >= 31 || !(${subnetOf('self.ip', 'self.cidr')}.masked().ip() == ip(self.ip))`,
    message: 'ip must not be the network address of its subnet',
    fieldPath: '.ip',
  },
  {
    rule: `!has(self.ip) || self.cidr >= 31 || ${ipv4Int('self.ip')} % ${blockSize('self.cidr')} != ${blockSize('self.cidr')} - 1`,
    message: 'ip must not be the broadcast address of its subnet',
    fieldPath: '.ip',
  },
];

/**
 * The memory a Machine with a flake needs: its first boot runs `nixos-rebuild switch --flake` on the VM, which
 * evaluates nixpkgs and the NixOS modules (twice: nixos-rebuild re-executes itself from the flake first), with
 * no swap. Upstream reports of that evaluation failing at 512 MiB and at 1 GiB (NixOS/nixpkgs#85148,
 * NixOS/nix#2664, NixOS/nixpkgs#375725; nixos-infect enables zram because "nixos-rebuild may consume more
 * than 1GB memory", elitak/nixos-infect#86); 2048 is the template's own size (src/nixos/template.nix), the
 * only one this project's image is built with. Not measured here: no Nix with nixpkgs runs on this machine.
 */
export const FLAKE_MEMORY_FLOOR_MIB = 2048;

const spec: StructuralSchema = {
  type: 'object',
  description: 'The desired virtual machine.',
  required: ['cpu', 'memory', 'proxmox'],
  'x-kubernetes-validations': [
    {
      rule: `!has(self.nix) || self.memory.size >= ${FLAKE_MEMORY_FLOOR_MIB}`,
      message: `must be at least ${FLAKE_MEMORY_FLOOR_MIB} (MiB) when nix.flakeRef is set: the VM evaluates its NixOS system with nixos-rebuild, which needs more than 1 GiB`,
      fieldPath: '.memory.size',
    },
  ],
  properties: {
    hostname: {
      type: 'string',
      maxLength: 63,
      pattern: RFC1123_LABEL,
      description: 'Guest hostname, an RFC 1123 label. Defaults to metadata.name.',
    },
    cpu: {
      type: 'object',
      description: 'Virtual CPUs.',
      required: ['cores'],
      properties: {
        cores: { type: 'integer', minimum: 1, maximum: 128, description: 'Cores per socket.' },
        sockets: { type: 'integer', minimum: 1, maximum: 4, default: 1, description: 'CPU sockets.' },
        type: {
          type: 'string',
          maxLength: 64,
          pattern: '^[A-Za-z0-9][A-Za-z0-9_.+-]*$',
          default: 'x86-64-v2-AES',
          description: 'Proxmox CPU type, e.g. host or x86-64-v3.',
        },
      },
    },
    memory: {
      type: 'object',
      description: 'Memory.',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 512, maximum: 1048576, description: 'Dedicated memory. Unit: MiB.' },
      },
    },
    disk: {
      type: 'object',
      description: 'Boot disk, cloned from the template and resized.',
      default: {},
      properties: {
        size: { type: 'integer', minimum: 8, maximum: 65536, default: 32, description: 'Size; never smaller than the template disk. Unit: GiB.' },
        storage: storage('Proxmox storage of the boot disk. Defaults to spec.proxmox.storage.'),
        interface: {
          type: 'string',
          enum: ['scsi0', 'virtio0', 'sata0', 'ide0'],
          default: 'scsi0',
          description: "Added by Fabric: the template's boot disk interface, which the clone resizes in place.",
        },
      },
    },
    dataDisks: {
      type: 'array',
      maxItems: 8,
      description: 'Extra disks, attached as scsi1, scsi2, ... in list order.',
      items: {
        type: 'object',
        required: ['size'],
        properties: {
          size: { type: 'integer', minimum: 1, maximum: 65536, description: 'Size. Unit: GiB.' },
          storage: storage('Proxmox storage of this disk. Defaults to spec.proxmox.storage.'),
        },
      },
    },
    network: {
      type: 'object',
      description: 'Guest addressing through Proxmox cloud-init. Absent: DHCP.',
      'x-kubernetes-validations': networkRules,
      properties: {
        dhcp: { type: 'boolean', description: 'Use DHCP. true together with ip is an error.' },
        ip: ipv4('Static IPv4 address; present means static addressing.'),
        ipPool: {
          type: 'string',
          maxLength: 63,
          pattern: RFC1123_LABEL,
          description:
            'Added by Fabric: the site IP pool (package.json fabric.site.ipPools) the address comes from. Synth allocates ip once and ' +
            "writes it into the Machine in dist/ with the pool's cidr, gateway, dns and domain (and bridge and vlan, when the pool sets them); " +
            'it never moves while the Machine keeps the pool. An ip given with it must lie in the pool.',
        },
        cidr: { type: 'integer', minimum: 1, maximum: 32, default: 24, description: 'Prefix length of ip.' },
        gateway: ipv4('Default gateway; required when ip is set, must lie inside ip/cidr.'),
        dns: {
          type: 'array',
          maxItems: 3,
          default: ['1.1.1.1', '8.8.8.8'],
          description: 'DNS servers (at most 3, the resolver limit).',
          items: ipv4('A DNS server.'),
        },
        domain: {
          type: 'string',
          maxLength: 253,
          pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
          description: 'DNS search domain.',
        },
      },
    },
    proxmox: {
      type: 'object',
      description: 'Where and how Proxmox VE runs the VM.',
      required: ['node'],
      properties: {
        node: {
          type: 'string',
          maxLength: 63,
          pattern: '^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$',
          description: 'Proxmox node that clones the template and runs the VM.',
        },
        storage: { ...storage('Default storage for the boot and data disks and the cloud-init drive.'), default: 'local-zfs' },
        bridge: {
          type: 'string',
          maxLength: 15,
          pattern: '^[A-Za-z][A-Za-z0-9_.-]*$',
          default: 'vmbr0',
          description: 'Linux bridge of the network device.',
        },
        vlan: { type: 'integer', minimum: 1, maximum: 4094, description: "VLAN tag. Absent: the bridge's native VLAN." },
        templateId: { type: 'integer', minimum: 100, maximum: 999999999, default: 9000, description: 'VMID of the NixOS template to clone.' },
        templateNode: {
          type: 'string',
          maxLength: 63,
          pattern: '^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$',
          description: "Node whose configuration holds the template; the clone runs there and the VM moves to node. Absent: node. Only read when the VM is created.",
        },
        vmId: { type: 'integer', minimum: 100, maximum: 999999999, description: 'Pinned VMID. Absent: the next free VMID.' },
        allocateVmId: {
          type: 'boolean',
          description:
            "Added by Fabric: true lets synth pick vmId from the site's VMID range (package.json fabric.site.vmIds) and write it into " +
            'the Machine in dist/; it never moves while this stays true. A vmId given with it must lie in the range.',
        },
        pool: {
          type: 'string',
          maxLength: 64,
          pattern: '^[A-Za-z0-9_-]+$',
          description: 'Proxmox resource pool.',
        },
        startOnBoot: { type: 'boolean', default: true, description: 'Start the VM when the node boots.' },
      },
    },
    nix: {
      type: 'object',
      description: 'The Nix flake the VM applies on first boot.',
      required: ['flakeRef'],
      properties: {
        flakeRef: {
          type: 'string',
          // Printable ASCII (so characters are bytes), at most 256: the reference travels in the VM's SMBIOS
          // serial number, and Proxmox caps all SMBIOS fields together at 512 characters of base64
          // (src/nixos/smbios.ts computes the room: 294 bytes).
          maxLength: 256,
          pattern: '^[!-"$-~]+#[!-"$-~]+$',
          description:
            "Flake reference naming an output after '#', e.g. git+https://github.com/kubelize/fabric?ref=main#dns01. " +
            'Printable ASCII without spaces, at most 256 characters: it reaches the VM in its SMBIOS serial number.',
        },
      },
    },
    bootstrap: {
      type: 'object',
      description: 'Present: cloud-init creates this user with these keys.',
      required: ['sshAuthorizedKeys'],
      'x-kubernetes-validations': [
        { rule: "self.adminUser != 'root'", message: 'adminUser must not be root', fieldPath: '.adminUser' },
      ],
      properties: {
        adminUser: {
          type: 'string',
          maxLength: 32,
          pattern: '^[a-z_][a-z0-9_-]*$',
          default: 'admin',
          description: "Admin user name: lowercase POSIX user name, not 'root'.",
        },
        sshAuthorizedKeys: {
          type: 'array',
          minItems: 1,
          maxItems: 32,
          description:
            `OpenSSH public key lines for the admin user: \`<type> <base64 key> [comment]\`, no options. The API server checks the type and that the base64 names the same type; only synth checks each key ${SSH_KEY_SYNTH_ONLY_CHECKS}.`,
          items: { type: 'string', maxLength: 16384, pattern: OPENSSH_PUBLIC_KEY, description: 'An OpenSSH public key line.' },
        },
      },
    },
    tags: {
      type: 'object',
      maxProperties: 32,
      description: "Proxmox tags, written as key-value and sorted. Keys and values use Proxmox's tag alphabet.",
      additionalProperties: { type: 'string', pattern: TAG_VALUE, description: 'Tag value.' },
      'x-kubernetes-validations': [
        {
          rule: `self.all(k, k.matches('${TAG_KEY}'))`,
          message: "tag keys must use Proxmox's tag alphabet (a-z 0-9 _ . + -), start with a letter, digit or _, and have at most 63 characters",
        },
      ],
    },
    deletionPolicy: {
      type: 'string',
      enum: ['Delete', 'Orphan'],
      default: 'Delete',
      description: 'Delete removes the VM with the Machine; Orphan keeps the VM running.',
    },
  },
};

/** The status section: what the Composition writes back from the Workspace. */
export const MACHINE_STATUS_SCHEMA = {
  type: 'object',
  description: "Observed state, written by the Composition from the Workspace's outputs and conditions.",
  properties: {
    vmId: { type: 'integer', description: 'VMID Proxmox assigned.' },
    node: { type: 'string', description: 'Proxmox node running the VM.' },
    ipAddress: { type: 'string', description: 'First non-loopback IPv4 address reported by the guest agent.' },
    ipAddresses: { type: 'array', items: { type: 'string' }, description: 'Non-loopback IPv4 addresses reported by the guest agent.' },
    workspace: {
      type: 'object',
      description:
        "The composed provider-terraform Workspace as it last reported itself. Crossplane's own Ready condition only says Creating while Terraform fails; the Workspace's Synced condition carries Terraform's error, and the Argo CD health check reports it.",
      properties: {
        conditions: {
          type: 'array',
          description: "The Workspace's conditions (Synced, Ready), copied by the Composition.",
          items: {
            type: 'object',
            required: ['type', 'status'],
            properties: {
              type: { type: 'string', description: 'Condition type: Synced or Ready.' },
              status: { type: 'string', description: 'True, False or Unknown.' },
              reason: { type: 'string', description: 'Machine-readable reason, e.g. ReconcileError or Creating.' },
              message: { type: 'string', description: "Human-readable detail; for a failed apply, Terraform's error summary." },
              lastTransitionTime: { type: 'string', format: 'date-time', description: 'When the condition last changed.' },
              observedGeneration: { type: 'integer', description: 'The Workspace generation the condition was set for.' },
            },
          },
        },
      },
    },
  },
} as const satisfies StructuralSchema;

/** The Machine's OpenAPI v3 schema, as it goes into the XRD. */
export const machineSchema: StructuralSchema = {
  type: 'object',
  description: 'A NixOS virtual machine on Proxmox VE.',
  'x-kubernetes-validations': [
    {
      rule: `self.metadata.name.matches('${RFC1123_LABEL}')`,
      message: 'metadata.name must be an RFC 1123 label (lowercase letters, digits and -), as it is the default hostname',
    },
  ],
  required: ['spec'],
  properties: { spec, status: MACHINE_STATUS_SCHEMA },
};
