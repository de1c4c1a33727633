/**
 * The legacy topology (package.json `fabric.topology: "legacy"`): the original project's v1 XRD with
 * XMachine composites and Machine claims, cluster-scoped tf.upbound.io Workspaces and ProviderConfig,
 * from the same claims, schema, validation and patch table as the namespaced topology.
 */
import { Topology } from '../../src/api/topology';
import { synthesize } from '../../src/synth/synthesize';
import { problemLines, validateTree, withConformance } from '../_conformance';
import { find, minimalMachine, tempProject } from '../_helpers';
import { synthTopology } from '../_topologies';

const namespaced = synthTopology(Topology.NAMESPACED);
const legacy = synthTopology(Topology.LEGACY);
const xrd = find(legacy.objectsIn(), 'CompositeResourceDefinition', 'xmachines.fabric.kubelize.io');
const composition = find(legacy.objectsIn(), 'Composition', 'xmachine-proxmox-terraform');
const resource = composition.spec.pipeline[0].input.resources[0];
const patches: Array<Record<string, any>> = resource.patches;
const namespacedComposition = find(namespaced.objectsIn(), 'Composition', 'machine-proxmox-terraform');
const namespacedPatches: Array<Record<string, any>> = namespacedComposition.spec.pipeline[0].input.resources[0].patches;

describe('the legacy XRD', () => {
  test('is an apiextensions.crossplane.io/v1 XRD of scope LegacyCluster: XMachine composites, Machine claims', () => {
    expect(xrd.apiVersion).toBe('apiextensions.crossplane.io/v1');
    expect(xrd.spec.scope).toBe('LegacyCluster');
    expect(xrd.spec.names).toMatchObject({ kind: 'XMachine', plural: 'xmachines' });
    expect(xrd.spec.claimNames).toMatchObject({ kind: 'Machine', plural: 'machines' });
    expect(xrd.spec.defaultCompositionRef).toEqual({ name: composition.metadata.name });
  });

  test('carries the same schema and printer columns as the namespaced XRD', () => {
    const v2 = find(namespaced.objectsIn(), 'CompositeResourceDefinition', 'machines.fabric.kubelize.io');
    expect(xrd.spec.versions).toEqual(v2.spec.versions);
  });
});

describe('the legacy Composition', () => {
  test('composes a cluster-scoped tf.upbound.io Workspace for an XMachine', () => {
    expect(composition.spec.compositeTypeRef).toEqual({ apiVersion: 'fabric.kubelize.io/v1alpha1', kind: 'XMachine' });
    expect(resource.base).toMatchObject({ apiVersion: 'tf.upbound.io/v1beta1', kind: 'Workspace' });
  });

  test('points the Workspace at the legacy ProviderConfig, by name', () => {
    const providerConfig = find(legacy.objectsIn(), 'ProviderConfig', resource.base.spec.providerConfigRef.name);
    expect(providerConfig.apiVersion).toBe('tf.upbound.io/v1beta1');
    expect(resource.base.spec.providerConfigRef).toEqual({ name: providerConfig.metadata.name });
  });

  test('runs the very module of the namespaced Composition', () => {
    expect(resource.base.spec.forProvider).toEqual(namespacedComposition.spec.pipeline[0].input.resources[0].base.spec.forProvider);
  });

  test('takes the Machine\'s name and namespace from the claim reference, every other variable from the same field', () => {
    const rebased = { 'metadata.name': 'spec.claimRef.name', 'metadata.namespace': 'spec.claimRef.namespace' } as Record<string, string>;
    const variables = (list: Array<Record<string, any>>) => list.filter((p) => p.toFieldPath?.startsWith('spec.forProvider.varmap.'));
    const expected = variables(namespacedPatches).map((p) => ({ ...p, fromFieldPath: rebased[p.fromFieldPath] ?? p.fromFieldPath }));
    expect(variables(patches)).toEqual(expected);
  });

  test('names the Workspace <namespace>.<name>, unique cluster-wide', () => {
    const name = patches.find((p) => p.toFieldPath === 'metadata.name');
    expect(name).toMatchObject({
      type: 'CombineFromComposite',
      combine: { variables: [{ fromFieldPath: 'spec.claimRef.namespace' }, { fromFieldPath: 'spec.claimRef.name' }], string: { fmt: '%s.%s' } },
    });
  });

  test('keeps each Machine\'s Terraform state where the namespaced topology keeps it: sha1 of namespace/name', () => {
    const state = patches.find((p) => p.toFieldPath === 'metadata.annotations[crossplane.io/external-name]');
    const namespacedState = namespacedPatches.find((p) => p.toFieldPath === 'metadata.annotations[crossplane.io/external-name]');
    expect(state!.combine.variables).toEqual([{ fromFieldPath: 'spec.claimRef.namespace' }, { fromFieldPath: 'spec.claimRef.name' }]);
    expect({ ...state, combine: { ...state!.combine, variables: undefined } }).toEqual({ ...namespacedState, combine: { ...namespacedState!.combine, variables: undefined } });
  });

  test('returns the module outputs to the composite, which Crossplane copies to the claim', () => {
    const toComposite = (list: Array<Record<string, any>>) => list.filter((p) => p.type === 'ToCompositeFieldPath');
    expect(toComposite(patches)).toEqual(toComposite(namespacedPatches));
  });
});

describe('the legacy ProviderConfig', () => {
  const providerConfig = find(legacy.objectsIn(), 'ProviderConfig', 'fabric-proxmox');
  const clusterProviderConfig = find(namespaced.objectsIn(), 'ClusterProviderConfig', 'fabric-proxmox');

  test('is cluster-scoped and names the credentials Secret with its namespace', () => {
    expect(providerConfig.metadata.namespace).toBeUndefined();
    for (const credential of providerConfig.spec.credentials) {
      expect(credential.secretRef).toMatchObject({ name: 'proxmox-terraform-creds', namespace: 'crossplane-system' });
    }
  });

  test('configures what the namespaced ClusterProviderConfig configures, state backend included', () => {
    expect(providerConfig.spec).toEqual(clusterProviderConfig.spec);
  });

  test('follows the credentialsSecret setting', () => {
    const custom = synthTopology(Topology.LEGACY, { credentialsSecret: { name: 'pve', namespace: 'infra' } });
    const secretRefs = find(custom.objectsIn(), 'ProviderConfig', 'fabric-proxmox').spec.credentials.map((c: any) => c.secretRef);
    expect(new Set(secretRefs.map((r: any) => `${r.namespace}/${r.name}`))).toEqual(new Set(['infra/pve']));
  });
});

describe('legacy Machine claims', () => {
  test('are the namespaced Machines, field for field, plus the claim\'s compositeDeletePolicy', () => {
    const machines = namespaced.objectsIn().filter((o) => o.kind === 'Machine');
    expect(machines).toHaveLength(3);
    for (const machine of machines) {
      const claim = find(legacy.objectsIn(), 'Machine', machine.metadata.name, machine.metadata.namespace);
      expect(claim.apiVersion).toBe(machine.apiVersion);
      expect(claim.metadata).toEqual(machine.metadata);
      expect(claim.spec).toEqual({ ...machine.spec, compositeDeletePolicy: 'Background' });
    }
  });

  test('are refused by the same validation', () => {
    const projectDir = tempProject({ 'bad.yaml': minimalMachine('bad', { memory: { size: 256 } }) }, { topology: 'legacy' });
    expect(() => synthesize({ projectDir, dryRun: true })).toThrow(/spec\.memory\.size must be at least 512/);
  });

  test('re-synthesized unchanged give an empty plan', () => {
    const projectDir = tempProject({ 'vm.yaml': minimalMachine('vm') }, { topology: 'legacy' });
    synthesize({ projectDir });
    expect(synthesize({ projectDir, dryRun: true }).plan.changes).toEqual([]);
  });
});

describe('both topologies, from the same claims, pass the conformance validator', () => {
  withConformance('namespaced: no errors, no warnings', () => {
    const report = validateTree(namespaced.outDir);
    expect(problemLines(report, 'error')).toEqual([]);
    expect(problemLines(report, 'warning')).toEqual([]);
  });

  withConformance('legacy: no errors; the one warning is that apiextensions.crossplane.io/v1 is deprecated', () => {
    const report = validateTree(legacy.outDir);
    expect(problemLines(report, 'error')).toEqual([]);
    expect(report.problems.filter((p) => p.level === 'warning').map((p) => `${p.kind} ${p.code}`)).toEqual(['CompositeResourceDefinition deprecated']);
  });
});
