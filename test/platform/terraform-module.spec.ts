import { schemaAt } from '../../src/api/schema-lookup';
import { StructuralSchema } from '../../src/api/structural-schema';
import { machineSchema } from '../../src/api/machine-schema';
import { proxmoxModule, PROXMOX_PROVIDER } from '../../src/platform/terraform-module';
import { MODULE_VARIABLES } from '../../src/platform/terraform-variables';
import { CLONE_COPY_SECONDS, CREATE_PATH_SECONDS, INIT_AND_PLAN_BUDGET, PROVIDER_TIMEOUT_MINUTES, PROXMOX_TIMEOUTS } from '../../src/platform/timeouts';

const tfModule = proxmoxModule({ insecureSkipTlsVerify: false });
const body = JSON.stringify({ provider: tfModule.provider, locals: tfModule.locals, resource: tfModule.resource, output: tfModule.output });

/** Every leaf field path of the Machine spec (arrays of objects descend into their items). */
function leafPaths(schema: StructuralSchema, prefix: string): string[] {
  if (schema.properties) return Object.entries(schema.properties).flatMap(([name, child]) => leafPaths(child, `${prefix}.${name}`));
  if (schema.items?.properties) return leafPaths(schema.items, `${prefix}[]`);
  return [prefix];
}

describe('the Terraform module', () => {
  test('declares exactly the variables of the table, with their types', () => {
    expect(Object.keys(tfModule.variable).sort()).toEqual(MODULE_VARIABLES.map((v) => v.name).sort());
    for (const variable of MODULE_VARIABLES) expect(tfModule.variable[variable.name].type).toBe(variable.type);
  });

  test('uses every variable it declares', () => {
    for (const name of Object.keys(tfModule.variable)) expect(body).toContain(`var.${name}`);
  });

  test('references only declared variables', () => {
    const used = new Set([...body.matchAll(/var\.([a-z_]+)/g)].map((m) => m[1]));
    for (const name of used) expect(Object.keys(tfModule.variable)).toContain(name);
  });

  test('takes descriptions of variables from the XRD schema', () => {
    expect(tfModule.variable.memory_size.description).toBe(schemaAt(machineSchema, 'spec.memory.size')!.description);
  });

  test('optional fields default to null or empty, required ones have no default', () => {
    expect(tfModule.variable.proxmox_vlan).toMatchObject({ default: null, nullable: true });
    expect(tfModule.variable.data_disks).toMatchObject({ default: [], nullable: false });
    expect(tfModule.variable.cpu_cores).not.toHaveProperty('default');
  });

  test('every leaf of the Machine spec reaches the module through the variable table', () => {
    const wired = new Set(MODULE_VARIABLES.map((v) => v.from));
    // deletionPolicy becomes the Workspace's managementPolicies; ipPool and allocateVmId only say where synth
    // took ip and vmId from (src/synth/allocation.ts), and those two reach the module.
    const notTerraform = new Set(['spec.deletionPolicy', 'spec.network.ipPool', 'spec.proxmox.allocateVmId']);
    for (const leaf of leafPaths(machineSchema.properties!.spec, 'spec')) {
      if (notTerraform.has(leaf)) continue;
      const owner = [...wired].find((from) => leaf === from || leaf.startsWith(`${from}.`) || leaf.startsWith(`${from}[]`));
      expect({ leaf, wired: owner !== undefined }).toEqual({ leaf, wired: true });
    }
  });

  test('pins the bpg/proxmox provider to an exact version', () => {
    expect(tfModule.terraform.required_providers.proxmox).toEqual(PROXMOX_PROVIDER);
    expect(PROXMOX_PROVIDER.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('reads credentials from files, never from literals', () => {
    expect(tfModule.provider.proxmox.api_token).toBe('${trimspace(file("${path.module}/proxmox-token-id"))}=${trimspace(file("${path.module}/proxmox-token-secret"))}');
    expect(tfModule.provider.proxmox.endpoint).toContain('/api2/json');
  });

  test('sorts tags, as Proxmox does', () => {
    expect(tfModule.locals.tags).toBe('${sort([for key, value in var.tags : "${key}-${value}"])}');
  });

  test('sets every bpg timeout on the create path below provider-terraform --timeout', () => {
    const vm = tfModule.resource.proxmox_virtual_environment_vm.machine as Record<string, unknown>;
    expect(vm.timeout_clone).toBe(PROXMOX_TIMEOUTS.clone);
    expect(vm.timeout_start_vm).toBe(PROXMOX_TIMEOUTS.startVm);
    expect((vm.agent as { timeout: string }).timeout).toBe(`${PROXMOX_TIMEOUTS.agent}s`);
    // bpg bounds the whole create (copy, start, agent) by timeout_clone alone (vm.go:2321-2325).
    expect(vm.timeout_clone).toBeGreaterThanOrEqual(CLONE_COPY_SECONDS + PROXMOX_TIMEOUTS.startVm + PROXMOX_TIMEOUTS.agent);
    expect(CREATE_PATH_SECONDS + INIT_AND_PLAN_BUDGET).toBeLessThan(PROVIDER_TIMEOUT_MINUTES * 60);
    for (const seconds of Object.values(PROXMOX_TIMEOUTS)) expect(seconds).toBeLessThan(PROVIDER_TIMEOUT_MINUTES * 60);
  });
});
