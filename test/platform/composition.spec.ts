import { App, Chart } from 'cdk8s';
import { MachineComposition } from '../../src/constructs/machine-composition';
import { MANAGEMENT_POLICIES, STATUS_FROM_OUTPUTS, VARMAP_PATH } from '../../src/platform/composition-patches';
import { MODULE_OUTPUTS } from '../../src/platform/terraform-module';
import { MODULE_VARIABLES } from '../../src/platform/terraform-variables';

function composition(): Record<string, any> {
  const app = new App();
  const chart = new Chart(app, 'test');
  new MachineComposition(chart, 'Composition', { insecureSkipTlsVerify: false });
  return chart.toJson()[0];
}

const step = composition().spec.pipeline[0];
const workspace = step.input.resources[0];
const patches: Array<Record<string, any>> = workspace.patches;

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
