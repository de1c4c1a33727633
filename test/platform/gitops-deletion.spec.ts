/**
 * Deletion protection: `spec.deletionPolicy: Orphan` keeps the VM when its Machine is deleted, in both
 * topologies; what the Workspace is told is read from the synthesized Composition's patches.
 */
import { MachineSpecDeletionPolicy } from '../../imports/fabric.kubelize.io';
import * as tf from '../../imports/tf.upbound.io';
import * as tfm from '../../imports/tf.m.upbound.io';
import { ChangeKind, computePlan } from '../../src/synth/plan';
import { Topology } from '../../src/api/topology';
import { find } from '../_helpers';
import { synthTopology } from '../_topologies';

type Patch = { type: string; fromFieldPath?: string; toFieldPath?: string; transforms?: Array<{ type: string; map?: Record<string, unknown> }> };

/** What the Composition writes into the Workspace for one Machine deletionPolicy, field by field. */
function workspaceFieldsFor(patches: Patch[], deletionPolicy: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const patch of patches.filter((p) => p.type === 'FromCompositeFieldPath' && p.fromFieldPath === 'spec.deletionPolicy')) {
    let value: unknown = deletionPolicy;
    for (const transform of patch.transforms ?? []) {
      if (transform.type !== 'map') throw new Error(`unexpected transform ${transform.type}`);
      if (!(String(value) in transform.map!)) throw new Error(`map transform has no entry for ${String(value)}`);
      value = transform.map![String(value)];
    }
    fields[patch.toFieldPath!] = value;
  }
  return fields;
}

describe.each([
  [Topology.NAMESPACED, 'machine-proxmox-terraform', Object.values(tfm.WorkspaceSpecManagementPolicies)],
  [Topology.LEGACY, 'xmachine-proxmox-terraform', Object.values(tf.WorkspaceSpecManagementPolicies)],
])('in the %s topology', (topology, compositionName, allowedPolicies) => {
  const tree = synthTopology(topology);
  const composition = find(tree.objectsIn(), 'Composition', compositionName);
  const patches: Patch[] = composition.spec.pipeline[0].input.resources[0].patches;

  test('every Machine deletionPolicy maps to Workspace values its CRD accepts', () => {
    for (const policy of Object.values(MachineSpecDeletionPolicy)) {
      const policies = workspaceFieldsFor(patches, policy)['spec.managementPolicies'] as string[];
      expect(policies.every((p) => (allowedPolicies as string[]).includes(p))).toBe(true);
    }
  });

  test('Orphan leaves Delete out of the Workspace management policies, so the VM survives the Machine', () => {
    const policies = workspaceFieldsFor(patches, 'Orphan')['spec.managementPolicies'] as string[];
    expect(policies).toEqual(expect.arrayContaining(['Observe', 'Create', 'Update']));
    expect(policies).not.toContain('Delete');
    expect(policies).not.toContain('*');
  });

  test('Delete gives the Workspace every policy, so deleting the Machine destroys the VM', () => {
    expect(workspaceFieldsFor(patches, 'Delete')['spec.managementPolicies']).toEqual(['*']);
  });

  test('an Orphan claim reaches the cluster as Orphan', () => {
    expect(find(tree.objectsIn(), 'Machine', 'web', 'apps').spec.deletionPolicy).toBe('Orphan');
  });
});

describe('in the legacy topology', () => {
  const composition = find(synthTopology(Topology.LEGACY).objectsIn(), 'Composition', 'xmachine-proxmox-terraform');
  const patches: Patch[] = composition.spec.pipeline[0].input.resources[0].patches;

  test('the cluster-scoped Workspace also gets its own deletionPolicy, honoured without management policies', () => {
    expect(workspaceFieldsFor(patches, 'Orphan')['spec.deletionPolicy']).toBe(tf.WorkspaceSpecDeletionPolicy.ORPHAN);
    expect(workspaceFieldsFor(patches, 'Delete')['spec.deletionPolicy']).toBe(tf.WorkspaceSpecDeletionPolicy.DELETE);
  });
});

describe('in the namespaced topology', () => {
  const composition = find(synthTopology(Topology.NAMESPACED).objectsIn(), 'Composition', 'machine-proxmox-terraform');
  const patches: Patch[] = composition.spec.pipeline[0].input.resources[0].patches;

  test('the namespaced Workspace is told by management policies alone (its CRD has no deletionPolicy)', () => {
    expect(Object.keys(workspaceFieldsFor(patches, 'Orphan'))).toEqual(['spec.managementPolicies']);
  });
});

describe('the synth plan', () => {
  test('does not count removing an Orphan Machine as destroying a VM', () => {
    const spec = { cpu: { cores: 2 }, memory: { size: 2048 }, proxmox: { node: 'pve', templateId: 9000 } } as any;
    const plan = computePlan([{ id: 'apps/web', spec: { ...spec, deletionPolicy: 'Orphan' } }], []);
    expect(plan.changes).toEqual([{ id: 'apps/web', kind: ChangeKind.REMOVE, details: ['deletionPolicy Orphan: the VM keeps running'], destructive: false }]);
  });
});
