/**
 * The Terraform module every Machine's Workspace runs, as typed data rendered to JSON
 * (Workspace `inlineFormat: JSON`). Variables come from the one table in terraform-variables.ts.
 *
 * @see https://registry.terraform.io/providers/bpg/proxmox/latest/docs/resources/virtual_environment_vm
 */
import { schemaAt } from '../api/schema-lookup';
import { expr, OutputBlock, TerraformJson, VariableBlock } from './terraform-json';
import { smbiosContent } from '../nixos/smbios';
import { TerraformBindings, userDataExpression } from '../nixos/user-data';
import { machineSchema } from '../api/machine-schema';
import { CREDENTIAL_FILES, CredentialKey, SSH_CREDENTIAL_FILES } from './proxmox-credentials';
import { BootstrapChannel, DEFAULT_SNIPPET_DATASTORE } from '../nixos/bootstrap-channel';
import { MODULE_VARIABLES, v } from './terraform-variables';
import { PROXMOX_TIMEOUTS } from './timeouts';

/** bpg/proxmox, pinned: a provider upgrade is a reviewed change, not a surprise at the next apply. */
export const PROXMOX_PROVIDER = { source: 'bpg/proxmox', version: '0.111.1' } as const;

/** The address of the one VM resource; outputs and tests refer to it. */
export const VM_RESOURCE = 'proxmox_virtual_environment_vm.machine';

/** The snippet channel's user-data file (see docs/bootstrap.md). */
export const USER_DATA_RESOURCE = 'proxmox_virtual_environment_file.user_data';

export interface ProxmoxModuleOptions {
  /** Accept a self-signed Proxmox API certificate. */
  readonly insecureSkipTlsVerify: boolean;
  /**
   * How the flake reference and bootstrap settings reach the VM.
   * @default BootstrapChannel.SMBIOS - Proxmox's cloud-init fields plus SMBIOS: an API token is enough
   */
  readonly bootstrap?: BootstrapChannel;
  /**
   * Proxmox storage (with the `snippets` content type) the snippet channel uploads user-data to.
   * @default 'local'
   */
  readonly snippetDatastore?: string;
}

export function proxmoxModule(options: ProxmoxModuleOptions): TerraformJson {
  const snippet = (options.bootstrap ?? BootstrapChannel.SMBIOS) === BootstrapChannel.SNIPPET;
  return {
    terraform: {
      required_version: '>= 1.5.0',
      required_providers: { proxmox: PROXMOX_PROVIDER },
    },
    variable: moduleVariables(),
    provider: {
      proxmox: {
        endpoint: expr(`trimsuffix(trimsuffix(${credential('api_url')}, "/"), "/api2/json")`),
        api_token: `${expr(credential('token_id'))}=${expr(credential('token_secret'))}`,
        insecure: options.insecureSkipTlsVerify,
        // Uploading a snippet is not in Proxmox's API: bpg copies it over SSH, with the Secret's optional keys.
        ...(snippet ? { ssh: sshSettings() } : {}),
      },
    },
    locals: {
      hostname: expr(`coalesce(${v('hostname')}, ${v('machine_name')})`),
      disk_storage: expr(`coalesce(${v('disk_storage')}, ${v('proxmox_storage')})`),
      // Static when ip is set; dhcp unless dhcp is explicitly false (then the image decides).
      ipv4_address: expr(`${v('network_ip')} != null ? "${expr(v('network_ip'))}/${expr(v('network_cidr'))}" : (${v('network_dhcp')} == false ? null : "dhcp")`),
      // Proxmox sorts tags; an unsorted list would show a diff on every plan.
      tags: expr(`sort([for key, value in ${v('tags')} : "\${key}-\${value}"])`),
      ipv4_addresses: expr(`[for address in flatten(${VM_RESOURCE}.ipv4_addresses) : address if !startswith(address, "127.")]`),
      ...(snippet ? {
        fqdn: expr(`${v('network_domain')} != null ? "\${local.hostname}.${expr(v('network_domain'))}" : null`),
        user_data: `#cloud-config\n${expr(userDataExpression(USER_DATA_BINDINGS))}`,
      } : {}),
    },
    resource: {
      proxmox_virtual_environment_vm: { machine: virtualMachine(snippet ? options.snippetDatastore ?? DEFAULT_SNIPPET_DATASTORE : undefined) },
      ...(snippet ? { proxmox_virtual_environment_file: { user_data: userDataFile(options.snippetDatastore ?? DEFAULT_SNIPPET_DATASTORE) } } : {}),
    },
    output: moduleOutputs(),
  };
}

/** The snippet channel's cloud-config inputs, bound to the module's variables and locals. */
export const USER_DATA_BINDINGS: TerraformBindings = {
  hostname: { expression: 'local.hostname', present: 'local.hostname != null' },
  fqdn: { expression: 'local.fqdn', present: 'local.fqdn != null' },
  adminUser: { expression: v('admin_user'), present: `${v('admin_user')} != null` },
  sshAuthorizedKeys: { expression: v('ssh_authorized_keys'), present: `length(${v('ssh_authorized_keys')}) > 0` },
  flakeRef: { expression: v('nix_flake_ref'), present: `${v('nix_flake_ref')} != null` },
};

function credential(key: CredentialKey): string {
  const file = { ...CREDENTIAL_FILES, ...SSH_CREDENTIAL_FILES }[key];
  return `trimspace(file("\${path.module}/${file}"))`;
}

/** The provider's `ssh` block: a key or a password, whichever the Secret holds (an absent key is an empty file). */
function sshSettings(): Record<string, string | boolean> {
  const optional = (key: CredentialKey) => expr(`${credential(key)} != "" ? ${credential(key)} : null`);
  return {
    agent: false,
    username: expr(credential('ssh_username')),
    private_key: optional('ssh_private_key'),
    password: optional('ssh_password'),
  };
}

/** The user-data snippet's file name, per Machine: labels hold no dots, so no two Machines share a file. */
const SNIPPET_FILE_NAME = `fabric.${expr(v('machine_namespace'))}.${expr(v('machine_name'))}.yaml`;

/**
 * The user-data snippet. Its id, `<datastore>:snippets/<file>`, becomes the VM's cicustom user=.
 * @see https://registry.terraform.io/providers/bpg/proxmox/latest/docs/resources/virtual_environment_file
 */
function userDataFile(datastore: string): Record<string, unknown> {
  return {
    content_type: 'snippets',
    datastore_id: datastore,
    node_name: expr(v('proxmox_node')),
    overwrite: true,
    source_raw: { data: expr('local.user_data'), file_name: SNIPPET_FILE_NAME },
  };
}

function moduleVariables(): Record<string, VariableBlock> {
  const variables: Record<string, VariableBlock> = {};
  for (const variable of MODULE_VARIABLES) {
    const description = schemaAt(machineSchema, variable.from)?.description ?? `The Machine's ${variable.from}.`;
    variables[variable.name] = variable.whenAbsent === undefined
      ? { type: variable.type, description, nullable: false }
      : { type: variable.type, description, default: variable.whenAbsent, nullable: variable.whenAbsent === null };
  }
  return variables;
}

const present = (condition: string) => expr(`${condition} ? [1] : []`);

/**
 * The VM; a snippet datastore swaps Proxmox's generated user-data (and SMBIOS) for the uploaded cloud-config.
 *
 * The VM names the snippet by its id spelled out, not `${USER_DATA_RESOURCE}.id`: new user-data replaces the
 * file resource (bpg's source_raw is ForceNew), its id is unknown until applied, and bpg's user_data_file_id
 * is ForceNew too, so Terraform would replace the VM for a changed flake reference or key. The id is the
 * same string before and after (bpg file.go fileVolumeID.String: `<datastore>:<content type>/<file>`).
 */
function virtualMachine(snippetDatastore: string | undefined): Record<string, unknown> {
  const snippet = snippetDatastore !== undefined;
  return {
    ...(snippet ? { depends_on: [USER_DATA_RESOURCE] } : {}),
    node_name: expr(v('proxmox_node')),
    vm_id: expr(v('proxmox_vm_id')),
    name: expr('local.hostname'),
    description: `Managed by Fabric from Machine ${expr(v('machine_namespace'))}/${expr(v('machine_name'))}; changes made in Proxmox are reverted.`,
    tags: expr('local.tags'),
    pool_id: expr(v('proxmox_pool')),
    on_boot: expr(v('proxmox_start_on_boot')),
    started: true,
    stop_on_destroy: true,
    // Moved in Proxmox (by hand, maintenance or HA), the VM is migrated back to spec.proxmox.node instead of
    // destroyed and cloned blank: without `migrate`, a node_name that differs forces a replacement
    // (bpg v0.111.1 proxmoxtf/resource/vm/vm.go:1781-1790), and every refresh writes the node it found
    // (vm.go:4306-4322). With it, a node change is a live migration (vm.go:6150-6177).
    migrate: true,
    clone: {
      vm_id: expr(v('proxmox_template_id')),
      // The template's config lives on one node, and qemu-server loads it only on the node the clone is
      // posted to (qemu-server 9.1.4 src/PVE/API2/Qemu.pm:4373, pve-guest-common AbstractConfig.pm:50-61).
      node_name: expr(`coalesce(${v('proxmox_template_node')}, ${v('proxmox_node')})`),
      // Copy each drive (boot, EFI vars, cloud-init) straight to the boot disk's storage (Qemu.pm:4549-4557)
      // rather than to the template's and then move it; only on the Machine's own node, since a clone with a
      // target node refuses non-shared storage (Qemu.pm:4362-4368) and bpg sends both (vm.go:2371-2372, 2413).
      datastore_id: expr(`coalesce(${v('proxmox_template_node')}, ${v('proxmox_node')}) == ${v('proxmox_node')} ? local.disk_storage : null`),
      full: true,
      // One attempt: bpg retries a clone POST on any 5xx and, after a retry, counts "already exists" as a
      // finished clone (proxmox/nodes/vms/vms.go:29-45, proxmox/retry/retry.go:57-69 and :144), so a VMID
      // taken meanwhile (qemu-server answers 500 "config file already exists", Qemu.pm:4401-4403) would be
      // adopted: reconfigured, started, and purged at delete. With one attempt that check never runs.
      retries: 1,
    },
    agent: { enabled: true, trim: true, timeout: `${PROXMOX_TIMEOUTS.agent}s` },
    cpu: { cores: expr(v('cpu_cores')), sockets: expr(v('cpu_sockets')), type: expr(v('cpu_type')) },
    memory: { dedicated: expr(v('memory_size')) },
    operating_system: { type: 'l26' },
    serial_device: { device: 'socket' },
    disk: [{ interface: expr(v('disk_interface')), datastore_id: expr('local.disk_storage'), size: expr(v('disk_size')), discard: 'on' }],
    network_device: [networkDevice()],
    initialization: {
      datastore_id: expr(v('proxmox_storage')),
      // Replaces Proxmox's generated user-data (hostname, user, keys), so the snippet sets them itself.
      ...(snippet ? { user_data_file_id: `${snippetDatastore}:snippets/${SNIPPET_FILE_NAME}` } : {}),
      dynamic: {
        dns: {
          for_each: present(`length(${v('network_dns')}) > 0 || ${v('network_domain')} != null`),
          content: {
            servers: expr(`length(${v('network_dns')}) > 0 ? ${v('network_dns')} : null`),
            domain: expr(v('network_domain')),
          },
        },
        ip_config: {
          for_each: present('local.ipv4_address != null'),
          content: { ipv4: { address: expr('local.ipv4_address'), gateway: expr(v('network_gateway')) } },
        },
        // bpg refuses user_account together with user_data_file_id.
        ...(snippet ? {} : {
          user_account: {
            for_each: present(`${v('admin_user')} != null`),
            content: { username: expr(v('admin_user')), keys: expr(v('ssh_authorized_keys')) },
          },
        }),
      },
    },
    dynamic: {
      // Data disks follow the boot disk on the SCSI bus, in list order.
      disk: {
        for_each: expr(`{ for index, disk in ${v('data_disks')} : "scsi\${index + 1}" => disk }`),
        content: {
          interface: expr('disk.key'),
          datastore_id: expr(`coalesce(disk.value.storage, ${v('proxmox_storage')})`),
          size: expr('disk.value.size'),
          file_format: 'raw',
          discard: 'on',
        },
      },
      // The flake reference travels as data in SMBIOS (root-only product_serial); see docs/bootstrap.md.
      ...(snippet ? {} : {
        smbios: {
          for_each: present(`${v('nix_flake_ref')} != null`),
          content: smbiosContent(expr(v('nix_flake_ref'))),
        },
      }),
    },
    timeout_clone: PROXMOX_TIMEOUTS.clone,
    timeout_create: PROXMOX_TIMEOUTS.create,
    timeout_start_vm: PROXMOX_TIMEOUTS.startVm,
    timeout_stop_vm: PROXMOX_TIMEOUTS.stopVm,
    timeout_shutdown_vm: PROXMOX_TIMEOUTS.shutdownVm,
    timeout_reboot: PROXMOX_TIMEOUTS.reboot,
    timeout_migrate: PROXMOX_TIMEOUTS.migrate,
    lifecycle: {
      // Every clone attribute is ForceNew and is never read back from Proxmox (vm.go:601-635): they matter
      // only at create, so a changed retry count, template node or clone storage must not replace VMs made
      // before the change (ignore_changes does not affect a create).
      ignore_changes: CLONE_ONLY_ATTRIBUTES,
    },
  };
}

/** Clone settings that only matter when the VM is created. */
export const CLONE_ONLY_ATTRIBUTES = ['clone[0].retries', 'clone[0].node_name', 'clone[0].datastore_id'] as const;

/**
 * The one NIC. bpg declares network_device an attribute, not a block (SchemaConfigModeAttr in
 * proxmoxtf/resource/vm/network/schema.go), so JSON syntax must give it as a list of complete objects:
 * Terraform refuses one that omits an attribute. null leaves an attribute to bpg's default.
 */
function networkDevice(): Record<string, unknown> {
  const providerDefault = null;
  return {
    bridge: expr(v('proxmox_bridge')),
    vlan_id: expr(v('proxmox_vlan')),
    model: 'virtio',
    enabled: providerDefault,
    disconnected: providerDefault,
    firewall: providerDefault,
    mac_address: providerDefault,
    mtu: providerDefault,
    queues: providerDefault,
    rate_limit: providerDefault,
    trunks: providerDefault,
  };
}

/** Outputs, patched back into the Machine's status (src/platform/composition-patches.ts). */
export const MODULE_OUTPUTS = {
  vm_id: { value: expr(`${VM_RESOURCE}.vm_id`), description: 'VMID of the VM.' },
  node: { value: expr(`${VM_RESOURCE}.node_name`), description: 'Proxmox node running the VM.' },
  ip_addresses: { value: expr('local.ipv4_addresses'), description: 'Non-loopback IPv4 addresses reported by the guest agent.' },
  ip_address: {
    value: expr('length(local.ipv4_addresses) > 0 ? local.ipv4_addresses[0] : null'),
    description: 'First non-loopback IPv4 address reported by the guest agent.',
  },
} as const satisfies Record<string, OutputBlock>;

function moduleOutputs(): Record<string, OutputBlock> {
  return { ...MODULE_OUTPUTS };
}
