import * as fs from 'fs';
import * as path from 'path';
import { ChangeKind, computePlan, formatPlan, isDestructive, PlannedMachine } from '../src/plan';
import { DestroyRefusedError, synthesize } from '../src/synth';
import { minimalMachine, readTree, replaceClaims, tempProject } from './_helpers';

type Doc = Record<string, any>;

function spec(change: (s: Doc) => void = () => undefined): Doc {
  const s: Doc = {
    cpu: { cores: 2 },
    memory: { size: 2048 },
    disk: { size: 32 },
    dataDisks: [{ size: 100, storage: 'tank' }, { size: 50 }],
    proxmox: { node: 'pve', templateId: 9000, vmId: 120 },
  };
  change(s);
  return s;
}

const planned = (id: string, s: Doc): PlannedMachine => ({ id, spec: s as PlannedMachine['spec'] });

/** The one change the plan finds for Machine `infra-machines/vm` when its spec goes from `spec()` to `spec(change)`. */
function changeOf(change: (s: Doc) => void) {
  const plan = computePlan([planned('infra-machines/vm', spec())], [planned('infra-machines/vm', spec(change))]);
  expect(plan.changes).toHaveLength(1);
  return plan.changes[0];
}

describe('the plan of one Machine', () => {
  test.each([
    ['templateId changes', (s: Doc) => { s.proxmox.templateId = 9001; }, 'spec.proxmox.templateId 9000 → 9001'],
    ['the pinned vmId changes', (s: Doc) => { s.proxmox.vmId = 121; }, 'spec.proxmox.vmId 120 → 121'],
    ['a vmId is pinned where Proxmox chose one', (s: Doc) => { delete s.proxmox.vmId; }, 'spec.proxmox.vmId 120 → (unset)'],
    ['the node changes', (s: Doc) => { s.proxmox.node = 'pve2'; }, 'spec.proxmox.node "pve" → "pve2"'],
    ['the boot disk storage changes', (s: Doc) => { s.disk.storage = 'tank'; }, 'boot disk storage "local-zfs" → "tank"'],
    ['the boot disk storage changes through the spec.proxmox.storage default', (s: Doc) => { s.proxmox.storage = 'ceph'; }, 'boot disk storage "local-zfs" → "ceph"'],
    ['the boot disk interface changes', (s: Doc) => { s.disk.interface = 'virtio0'; }, 'spec.disk.interface "scsi0" → "virtio0"'],
    ['the boot disk shrinks', (s: Doc) => { s.disk.size = 16; }, 'spec.disk.size shrinks 32 → 16 GiB'],
    ['the boot disk shrinks below the default it had', (s: Doc) => { delete s.disk; s.disk = { size: 8 }; }, 'spec.disk.size shrinks 32 → 8 GiB'],
    ['a data disk is removed', (s: Doc) => { s.dataDisks.pop(); }, 'spec.dataDisks[1] is removed (its data is lost)'],
    ['a data disk shrinks', (s: Doc) => { s.dataDisks[0].size = 10; }, 'spec.dataDisks[0].size shrinks 100 → 10 GiB'],
    ['a data disk moves storage', (s: Doc) => { s.dataDisks[0].storage = 'ssd'; }, 'spec.dataDisks[0] storage "tank" → "ssd"'],
    ['a data disk moves through the spec.proxmox.storage default', (s: Doc) => { s.disk.storage = 'local-zfs'; s.proxmox.storage = 'ceph'; }, 'spec.dataDisks[1] storage "local-zfs" → "ceph"'],
  ] as Array<[string, (s: Doc) => void, string]>)('replaces the VM when %s', (_reason, change, detail) => {
    const result = changeOf(change);
    expect(result).toMatchObject({ id: 'infra-machines/vm', kind: ChangeKind.REPLACE, destructive: true });
    expect(result.details).toContain(detail);
  });

  test.each([
    ['memory grows', (s: Doc) => { s.memory.size = 4096; }, ['spec.memory.size 2048 → 4096']],
    ['cores change', (s: Doc) => { s.cpu.cores = 4; }, ['spec.cpu.cores 2 → 4']],
    ['the boot disk grows', (s: Doc) => { s.disk.size = 64; }, ['spec.disk.size 32 → 64']],
    ['a data disk grows', (s: Doc) => { s.dataDisks[0].size = 200; }, ['spec.dataDisks[0].size 100 → 200']],
    ['a data disk is added at the end', (s: Doc) => { s.dataDisks.push({ size: 10 }); }, ['spec.dataDisks[2] (unset) → {"size":10}']],
    ['tags and a dns server change', (s: Doc) => { s.tags = { role: 'dns' }; s.network = { dns: ['1.1.1.1', '9.9.9.9'] }; }, [
      'spec.tags (unset) → {"role":"dns"}',
      'spec.network (unset) → {"dns":["1.1.1.1","9.9.9.9"],"cidr":24}',
    ]],
    ['deletionPolicy becomes Orphan', (s: Doc) => { s.deletionPolicy = 'Orphan'; }, ['spec.deletionPolicy "Delete" → "Orphan"']],
  ] as Array<[string, (s: Doc) => void, unknown[]]>)('changes the VM in place when %s', (_reason, change, details) => {
    expect(changeOf(change)).toEqual({ id: 'infra-machines/vm', kind: ChangeKind.UPDATE, destructive: false, details });
  });

  test('a default spelled out on one side and omitted on the other is no change', () => {
    const explicit = spec((s) => {
      Object.assign(s.cpu, { sockets: 1, type: 'x86-64-v2-AES' });
      Object.assign(s.disk, { interface: 'scsi0' });
      Object.assign(s.proxmox, { storage: 'local-zfs', bridge: 'vmbr0', startOnBoot: true });
      s.deletionPolicy = 'Delete';
    });
    expect(computePlan([planned('infra-machines/vm', spec())], [planned('infra-machines/vm', explicit)]).changes).toEqual([]);
  });

  test('a new Machine is added', () => {
    const plan = computePlan([], [planned('infra-machines/vm', spec())]);
    expect(plan.changes).toEqual([{ id: 'infra-machines/vm', kind: ChangeKind.ADD, details: [], destructive: false }]);
    expect(isDestructive(plan)).toBe(false);
  });

  test('a removed Machine destroys its VM', () => {
    const plan = computePlan([planned('infra-machines/vm', spec())], []);
    expect(plan.changes).toEqual([{ id: 'infra-machines/vm', kind: ChangeKind.REMOVE, details: ['the VM is destroyed'], destructive: true }]);
    expect(isDestructive(plan)).toBe(true);
  });

  test('a removed Orphan Machine leaves its VM running and is not destructive', () => {
    const plan = computePlan([planned('infra-machines/vm', spec((s) => { s.deletionPolicy = 'Orphan'; }))], []);
    expect(plan.changes).toEqual([{ id: 'infra-machines/vm', kind: ChangeKind.REMOVE, details: ['deletionPolicy Orphan: the VM keeps running'], destructive: false }]);
    expect(isDestructive(plan)).toBe(false);
  });

  test('moving a Machine to another namespace removes one and adds another', () => {
    const plan = computePlan([planned('infra-machines/vm', spec())], [planned('lab-machines/vm', spec())]);
    expect(plan.changes.map((c) => `${c.kind} ${c.id}`)).toEqual(['remove infra-machines/vm', 'add lab-machines/vm']);
  });
});

describe('the printed plan', () => {
  test('names each Machine with a symbol, a verb and the reasons, after a summary line', () => {
    const plan = computePlan(
      [planned('infra-machines/db', spec()), planned('infra-machines/web', spec()), planned('infra-machines/old', spec()), planned('infra-machines/kept', spec((s) => { s.deletionPolicy = 'Orphan'; }))],
      [planned('infra-machines/db', spec((s) => { s.proxmox.templateId = 9001; s.disk.size = 16; })), planned('infra-machines/web', spec((s) => { s.memory.size = 4096; })), planned('infra-machines/new', spec())],
    );
    expect(formatPlan(plan)).toBe([
      'plan: 1 to add, 1 to change in place, 1 to replace, 2 to remove',
      '  -/+ Machine infra-machines/db: replaced: spec.proxmox.templateId 9000 → 9001; spec.disk.size shrinks 32 → 16 GiB',
      '  -   Machine infra-machines/kept: removed: deletionPolicy Orphan: the VM keeps running',
      '  +   Machine infra-machines/new: added',
      '  -   Machine infra-machines/old: removed: the VM is destroyed',
      '  ~   Machine infra-machines/web: changed in place: spec.memory.size 2048 → 4096',
    ].join('\n'));
  });

  test('an empty plan says so', () => {
    expect(formatPlan({ changes: [] })).toBe('plan: 0 to add, 0 to change in place, 0 to replace, 0 to remove');
  });
});

describe('the destroy guard of synth', () => {
  let project: string;
  let dist: string;
  const claims = (machines: Doc[]) => replaceClaims(project, machines);

  beforeEach(() => {
    project = tempProject({});
    dist = path.join(project, 'dist');
    claims([minimalMachine('a'), minimalMachine('b')]);
    synthesize({ projectDir: project });
  });

  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  test('refuses to remove a Machine, prints the plan and leaves dist/ byte-identical', () => {
    const before = readTree(dist);
    claims([minimalMachine('a')]);
    expect(() => synthesize({ projectDir: project })).toThrow(DestroyRefusedError);
    expect(() => synthesize({ projectDir: project })).toThrow(
      'plan: 0 to add, 0 to change in place, 0 to replace, 1 to remove\n  -   Machine infra-machines/b: removed: the VM is destroyed\n\nrefusing to destroy or replace VMs; review the plan and run again with --allow-destroy',
    );
    expect(readTree(dist)).toEqual(before);
  });

  test('refuses to replace a VM and leaves dist/ byte-identical', () => {
    const before = readTree(dist);
    claims([minimalMachine('a', { proxmox: { node: 'pve', templateId: 9100 } }), minimalMachine('b')]);
    expect(() => synthesize({ projectDir: project })).toThrow(/-\/\+ Machine infra-machines\/a: replaced: spec.proxmox.templateId 9000 → 9100/);
    expect(readTree(dist)).toEqual(before);
  });

  test('refuses a run with no Machines at all while dist/ has some', () => {
    const before = readTree(dist);
    claims([]);
    expect(() => synthesize({ projectDir: project })).toThrow(/plan: 0 to add, 0 to change in place, 0 to replace, 2 to remove/);
    expect(readTree(dist)).toEqual(before);
  });

  test('writes the destructive plan with allowDestroy', () => {
    claims([minimalMachine('a')]);
    const result = synthesize({ projectDir: project, allowDestroy: true });
    expect(result.written).toBe(true);
    expect(result.plan.changes.map((c) => `${c.kind} ${c.id}`)).toEqual(['remove infra-machines/b']);
    expect(Object.keys(readTree(dist)).filter((f) => f.includes('machine.infra-machines.'))).toEqual([path.join('cluster', 'machines', 'machine.infra-machines.a.yaml')]);
  });

  test('writes non-destructive changes without being asked', () => {
    claims([minimalMachine('a', { memory: { size: 4096 } }), minimalMachine('b'), minimalMachine('c')]);
    const result = synthesize({ projectDir: project });
    expect(result.plan.changes.map((c) => `${c.kind} ${c.id}`)).toEqual(['update infra-machines/a', 'add infra-machines/c']);
    expect(readTree(dist)[path.join('cluster', 'machines', 'machine.infra-machines.a.yaml')]).toContain('size: 4096');
  });

  test('a dry run (npm run plan) returns the destructive plan and writes nothing', () => {
    const before = readTree(dist);
    claims([minimalMachine('a', { disk: { size: 16 } })]);
    const result = synthesize({ projectDir: project, dryRun: true });
    expect(result.written).toBe(false);
    expect(formatPlan(result.plan)).toBe([
      'plan: 0 to add, 0 to change in place, 1 to replace, 1 to remove',
      '  -/+ Machine infra-machines/a: replaced: spec.disk.size shrinks 32 → 16 GiB',
      '  -   Machine infra-machines/b: removed: the VM is destroyed',
    ].join('\n'));
    expect(readTree(dist)).toEqual(before);
  });

  test('sees the Machines of a dist/ that a killed swap left aside', () => {
    // Killed between the two renames: dist/ is gone, the previous tree waits beside it.
    fs.renameSync(dist, path.join(project, `.dist-previous-99999`));
    claims([minimalMachine('a')]);
    expect(() => synthesize({ projectDir: project })).toThrow(/Machine infra-machines\/b: removed/);
    expect(fs.existsSync(dist)).toBe(false);
  });

  test('sees Machines wherever they are in dist/, not only in today\'s layout', () => {
    const machines = path.join(dist, 'cluster', 'machines');
    const moved = path.join(dist, 'old-layout.yaml');
    fs.writeFileSync(moved, ['---', fs.readFileSync(path.join(machines, 'machine.infra-machines.b.yaml'), 'utf8')].join('\n'));
    fs.rmSync(path.join(machines, 'machine.infra-machines.b.yaml'));
    claims([minimalMachine('a')]);
    expect(() => synthesize({ projectDir: project })).toThrow(/Machine infra-machines\/b: removed/);
  });
});
