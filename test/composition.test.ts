import { App, Chart } from 'cdk8s';
import { MachineComposition } from '../src/composition';
import { MANAGEMENT_POLICIES, STATUS_FROM_OUTPUTS, VARMAP_PATH } from '../src/composition-patches';
import { MODULE_OUTPUTS } from '../src/terraform-module';
import { MODULE_VARIABLES } from '../src/terraform-variables';
import { minimalMachine, TEST_SSH_KEY } from './_helpers';
import { validateAgainstSchema } from '../src/validation/schema-validation';

function composition(): Record<string, any> {
  const app = new App();
  const chart = new Chart(app, 'test');
  new MachineComposition(chart, 'Composition', { insecureSkipTlsVerify: false });
  return chart.toJson()[0];
}

const step = composition().spec.pipeline[0];
const workspace = step.input.resources[0];
const patches: Array<Record<string, any>> = workspace.patches;

function get(object: unknown, path: string): unknown {
  return path.split('.').reduce<any>((node, key) => node?.[key], object);
}

/** What function-patch-and-transform does with FromCompositeFieldPath patches (plain dotted paths). */
function applyFromCompositePatches(machine: Record<string, unknown>): Record<string, unknown> {
  const varmap: Record<string, unknown> = {};
  for (const patch of patches.filter((p) => p.type === 'FromCompositeFieldPath' && p.toFieldPath.startsWith(`${VARMAP_PATH}.`))) {
    const value = get(machine, patch.fromFieldPath);
    if (value !== undefined) varmap[patch.toFieldPath.slice(VARMAP_PATH.length + 1)] = value;
  }
  return varmap;
}

/** A Machine as the API server stores it: schema defaults applied. */
function defaulted(machine: Record<string, unknown>): Record<string, unknown> {
  expect(validateAgainstSchema(machine)).toEqual([]);
  return machine;
}

describe('the Composition', () => {
  test('is a Pipeline with one function-patch-and-transform step composing a namespaced Workspace', () => {
    const spec = composition().spec;
    expect(spec.mode).toBe('Pipeline');
    expect(spec.compositeTypeRef).toEqual({ apiVersion: 'fabric.kubelize.io/v1alpha1', kind: 'Machine' });
    expect(step.functionRef.name).toBe('crossplane-contrib-function-patch-and-transform');
    expect(workspace.base.apiVersion).toBe('tf.m.upbound.io/v1beta1');
    expect(workspace.base.kind).toBe('Workspace');
    expect(workspace.base.spec.forProvider).toMatchObject({ source: 'Inline', inlineFormat: 'JSON' });
    expect(workspace.base.spec.providerConfigRef).toEqual({ kind: 'ClusterProviderConfig', name: 'fabric-proxmox' });
  });

  test('carries the module as JSON whose variables are the table', () => {
    const module = JSON.parse(workspace.base.spec.forProvider.module);
    expect(Object.keys(module.variable)).toEqual(MODULE_VARIABLES.map((v) => v.name));
  });

  test('patches every variable by name into varmap, never by index', () => {
    for (const variable of MODULE_VARIABLES) {
      expect(patches).toContainEqual({ type: 'FromCompositeFieldPath', fromFieldPath: variable.from, toFieldPath: `${VARMAP_PATH}.${variable.name}` });
    }
    expect(JSON.stringify(patches)).not.toMatch(/vars\[/);
  });

  test('maps dns01 to its Workspace variables field by field', () => {
    const machine = defaulted(minimalMachine('dns01', {
      hostname: 'ns1',
      cpu: { cores: 4, sockets: 2, type: 'host' },
      memory: { size: 4096 },
      disk: { size: 40, storage: 'fast', interface: 'virtio0' },
      dataDisks: [{ size: 100 }, { size: 50, storage: 'tank' }],
      network: { ip: '10.0.1.10', cidr: 24, gateway: '10.0.1.1', dns: ['10.0.1.1'], domain: 'home.arpa' },
      proxmox: { node: 'pve2', storage: 'local-zfs', bridge: 'vmbr1', vlan: 20, templateId: 9001, vmId: 120, pool: 'infra', startOnBoot: false },
      nix: { flakeRef: 'github:kubelize/fabric#dns01' },
      bootstrap: { adminUser: 'ops', sshAuthorizedKeys: [TEST_SSH_KEY] },
      tags: { role: 'dns', environment: 'production' },
    }));
    expect(applyFromCompositePatches(machine)).toEqual({
      machine_name: 'dns01',
      machine_namespace: 'infra-machines',
      hostname: 'ns1',
      cpu_cores: 4,
      cpu_sockets: 2,
      cpu_type: 'host',
      memory_size: 4096,
      disk_size: 40,
      disk_storage: 'fast',
      disk_interface: 'virtio0',
      data_disks: [{ size: 100 }, { size: 50, storage: 'tank' }],
      network_ip: '10.0.1.10',
      network_cidr: 24,
      network_gateway: '10.0.1.1',
      network_dns: ['10.0.1.1'],
      network_domain: 'home.arpa',
      proxmox_node: 'pve2',
      proxmox_storage: 'local-zfs',
      proxmox_bridge: 'vmbr1',
      proxmox_vlan: 20,
      proxmox_template_id: 9001,
      proxmox_vm_id: 120,
      proxmox_pool: 'infra',
      proxmox_start_on_boot: false,
      nix_flake_ref: 'github:kubelize/fabric#dns01',
      admin_user: 'ops',
      ssh_authorized_keys: [TEST_SSH_KEY],
      tags: { role: 'dns', environment: 'production' },
    });
  });

  test('leaves optional variables to their module defaults and fills schema defaults for the minimal Machine', () => {
    const varmap = applyFromCompositePatches(defaulted(minimalMachine('test-vm')));
    expect(varmap).toEqual({
      machine_name: 'test-vm',
      machine_namespace: 'infra-machines',
      cpu_cores: 2,
      cpu_sockets: 1,
      cpu_type: 'x86-64-v2-AES',
      memory_size: 2048,
      disk_size: 32,
      disk_interface: 'scsi0',
      proxmox_node: 'pve',
      proxmox_storage: 'local-zfs',
      proxmox_bridge: 'vmbr0',
      proxmox_template_id: 9000,
      proxmox_start_on_boot: true,
    });
    for (const variable of MODULE_VARIABLES.filter((v) => !(v.name in varmap))) {
      expect({ name: variable.name, optional: variable.whenAbsent !== undefined }).toEqual({ name: variable.name, optional: true });
    }
  });

  test('names the Workspace like its Machine and its Terraform state by a hash of namespace/name', () => {
    expect(patches).toContainEqual({ type: 'FromCompositeFieldPath', fromFieldPath: 'metadata.name', toFieldPath: 'metadata.name' });
    const stateName = patches.find((p) => p.toFieldPath === 'metadata.annotations[crossplane.io/external-name]')!;
    expect(stateName.combine.variables).toEqual([{ fromFieldPath: 'metadata.namespace' }, { fromFieldPath: 'metadata.name' }]);
    expect(stateName.combine.string.fmt).toBe('%s/%s');
    expect(stateName.transforms).toEqual([{ type: 'string', string: { type: 'Convert', convert: 'ToSha1' } }]);
  });

  test('turns deletionPolicy into management policies: Orphan never deletes', () => {
    const patch = patches.find((p) => p.toFieldPath === 'spec.managementPolicies')!;
    expect(patch.fromFieldPath).toBe('spec.deletionPolicy');
    expect(patch.transforms[0].map).toEqual(MANAGEMENT_POLICIES);
    expect(MANAGEMENT_POLICIES.Orphan).not.toContain('Delete');
    expect(MANAGEMENT_POLICIES.Orphan).not.toContain('*');
    expect(MANAGEMENT_POLICIES.Delete).toEqual(['*']);
  });

  test('patches every module output back into the Machine status', () => {
    for (const [statusPath, output] of Object.entries(STATUS_FROM_OUTPUTS)) {
      expect(MODULE_OUTPUTS).toHaveProperty(output);
      expect(patches).toContainEqual({ type: 'ToCompositeFieldPath', fromFieldPath: `status.atProvider.outputs.${output}`, toFieldPath: statusPath });
    }
    expect(Object.values(STATUS_FROM_OUTPUTS).sort()).toEqual(Object.keys(MODULE_OUTPUTS).sort());
  });
});
