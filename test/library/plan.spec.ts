import * as fs from 'fs';
import * as path from 'path';
import { schemaAt } from '../../src/api/schema-lookup';
import { machineSchema } from '../../src/api/machine-schema';
import { findClaimFiles, loadClaims } from '../../src/synth/claims';
import { ChangeKind, computePlan, formatPlan, isDestructive, objectChanges, PlannedMachine, refusedChanges } from '../../src/synth/plan';
import { Effect, FIELD_EFFECTS } from '../../src/synth/plan-effects';
import { renderObjects } from '../../src/synth/render';
import { loadSettings } from '../../src/synth/settings';
import { checkClaims, DestroyRefusedError, ProviderRefusedError, synthesize } from '../../src/synth/synthesize';
import { minimalMachine, readTree, replaceClaims, tempProject } from '../_helpers';

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

describe('the plan of one Machine: each field with what the bpg provider does with it', () => {
  const { REPLACE, UPDATE } = ChangeKind;
  test.each([
    // [reason, change, kind, worst effect, destructive, the detail it starts with]
    ['templateId changes (clone.vm_id is ForceNew)', (s: Doc) => { s.proxmox.templateId = 9001; }, REPLACE, Effect.REPLACE, true, 'spec.proxmox.templateId 9000 → 9001 (replace: '],
    ['the pinned vmId changes (vm_id is ForceNew)', (s: Doc) => { s.proxmox.vmId = 121; }, REPLACE, Effect.REPLACE, true, 'spec.proxmox.vmId 120 → 121 (replace: '],
    ['a pinned vmId is unset', (s: Doc) => { delete s.proxmox.vmId; }, REPLACE, Effect.REPLACE, true, 'spec.proxmox.vmId 120 → (unset) (replace: '],
    ['the node changes (migrate is on: a live migration)', (s: Doc) => { s.proxmox.node = 'pve2'; }, UPDATE, Effect.IN_PLACE, false, 'spec.proxmox.node "pve" → "pve2" (in place)'],
    ['a data disk is removed', (s: Doc) => { s.dataDisks.pop(); }, UPDATE, Effect.DATA_LOSS, true, 'spec.dataDisks[1] {"size":50} → (unset) (data loss: '],
    ['every data disk is removed', (s: Doc) => { delete s.dataDisks; }, UPDATE, Effect.DATA_LOSS, true, 'spec.dataDisks [{'],
    ['the boot disk interface changes', (s: Doc) => { s.disk.interface = 'virtio0'; }, UPDATE, Effect.DATA_LOSS, true, 'spec.disk.interface "scsi0" → "virtio0" (data loss: '],
    ['the boot disk shrinks', (s: Doc) => { s.disk.size = 16; }, UPDATE, Effect.REFUSED, false, 'spec.disk.size 32 → 16 (refused by the provider: '],
    ['a data disk shrinks', (s: Doc) => { s.dataDisks[0].size = 10; }, UPDATE, Effect.REFUSED, false, 'spec.dataDisks[0].size 100 → 10 (refused by the provider: '],
    ['the boot disk moves storage', (s: Doc) => { s.disk.storage = 'tank'; }, UPDATE, Effect.REBOOT, false, 'spec.disk.storage (unset) → "tank" (reboot: the disk is moved'],
    ['a data disk moves storage', (s: Doc) => { s.dataDisks[0].storage = 'ssd'; }, UPDATE, Effect.REBOOT, false, 'spec.dataDisks[0].storage "tank" → "ssd" (reboot: '],
    ['the default storage changes', (s: Doc) => { s.proxmox.storage = 'ceph'; }, UPDATE, Effect.REBOOT, false, 'spec.proxmox.storage "local-zfs" → "ceph" (reboot: '],
    ['memory grows (memory is not hot-plugged)', (s: Doc) => { s.memory.size = 4096; }, UPDATE, Effect.REBOOT, false, 'spec.memory.size 2048 → 4096 (reboot: '],
    ['cores change', (s: Doc) => { s.cpu.cores = 4; }, UPDATE, Effect.REBOOT, false, 'spec.cpu.cores 2 → 4 (reboot: '],
    ['the IP changes (cloud-init)', (s: Doc) => { s.network = { ip: '10.0.1.11', gateway: '10.0.1.1' }; }, UPDATE, Effect.REBOOT, false, 'spec.network (unset) → {"ip":"10.0.1.11","gateway":"10.0.1.1",'],
    ['the hostname changes (the VM\'s name, no reboot)', (s: Doc) => { s.hostname = 'other'; }, UPDATE, Effect.NEXT_BOOT, false, 'spec.hostname (unset) → "other" (at next boot: '],
    ['the flake reference changes (SMBIOS)', (s: Doc) => { s.nix = { flakeRef: 'github:o/r#vm' }; }, UPDATE, Effect.NEXT_BOOT, false, 'spec.nix (unset) → {"flakeRef":"github:o/r#vm"} (at next boot: '],
    ['the boot disk grows', (s: Doc) => { s.disk.size = 64; }, UPDATE, Effect.IN_PLACE, false, 'spec.disk.size 32 → 64 (in place)'],
    ['a data disk grows', (s: Doc) => { s.dataDisks[0].size = 200; }, UPDATE, Effect.IN_PLACE, false, 'spec.dataDisks[0].size 100 → 200 (in place)'],
    ['a data disk is added at the end', (s: Doc) => { s.dataDisks.push({ size: 10 }); }, UPDATE, Effect.IN_PLACE, false, 'spec.dataDisks[2] (unset) → {"size":10} (in place)'],
    ['the bridge changes (hot-plugged)', (s: Doc) => { s.proxmox.bridge = 'vmbr1'; }, UPDATE, Effect.IN_PLACE, false, 'spec.proxmox.bridge "vmbr0" → "vmbr1" (in place)'],
    ['tags change', (s: Doc) => { s.tags = { role: 'dns' }; }, UPDATE, Effect.IN_PLACE, false, 'spec.tags (unset) → {"role":"dns"} (in place)'],
    ['a pool is set (Pool.Allocate on it)', (s: Doc) => { s.proxmox.pool = 'infra'; }, UPDATE, Effect.IN_PLACE, false, 'spec.proxmox.pool (unset) → "infra" (in place)'],
    ['deletionPolicy becomes Orphan', (s: Doc) => { s.deletionPolicy = 'Orphan'; }, UPDATE, Effect.IN_PLACE, false, 'spec.deletionPolicy "Delete" → "Orphan" (in place)'],
  ] as Array<[string, (s: Doc) => void, ChangeKind, Effect, boolean, string]>)('%s', (_reason, change, kind, effect, destructive, detail) => {
    const result = changeOf(change);
    expect(result).toMatchObject({ id: 'infra-machines/vm', kind, effect, destructive });
    expect(result.details.some((d) => d.startsWith(detail))).toBe(true);
  });

  test('a replacement lists every changed field with its own effect', () => {
    expect(changeOf((s) => { s.proxmox.templateId = 9001; s.tags = { a: 'b' }; }).details).toEqual([
      'spec.proxmox.templateId 9000 → 9001 (replace: the VM is cloned again from the new template)',
      'spec.tags (unset) → {"a":"b"} (in place)',
    ]);
  });

  test('clearing a pool is refused: bpg suppresses it and the VM would stay in the pool', () => {
    const plan = computePlan([planned('infra-machines/vm', spec((s) => { s.proxmox.pool = 'infra'; }))], [planned('infra-machines/vm', spec())]);
    expect(refusedChanges(plan)).toEqual([
      'Machine infra-machines/vm: spec.proxmox.pool "infra" → (unset) (refused by the provider: pool membership changes live (the token needs Pool.Allocate on both pools); bpg ignores a pool removed, so the VM would stay in it)',
    ]);
  });

  test('a change the provider refuses is named in the plan\'s refusals', () => {
    const plan = computePlan([planned('infra-machines/vm', spec())], [planned('infra-machines/vm', spec((s) => { s.disk.size = 16; }))]);
    expect(refusedChanges(plan)).toEqual(['Machine infra-machines/vm: spec.disk.size 32 → 16 (refused by the provider: a disk grows live; bpg cannot shrink a disk)']);
  });

  test('every effect row names a field of the Machine schema', () => {
    for (const row of FIELD_EFFECTS) expect([row.field, schemaAt(machineSchema, row.field) !== undefined]).toEqual([row.field, true]);
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
    expect(plan.changes).toEqual([{ id: 'infra-machines/vm', kind: ChangeKind.ADD, details: ['2 cores, 2048 MiB, 32 GiB disk + 100 GiB + 50 GiB, on node pve'], destructive: false }]);
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
  test('counts a reboot apart from in-place changes, and a refused change as refused, not as a change', () => {
    const plan = computePlan(
      [planned('infra-machines/live', spec()), planned('infra-machines/reboot', spec()), planned('infra-machines/shrink', spec())],
      [planned('infra-machines/live', spec((s) => { s.tags = { role: 'web' }; })), planned('infra-machines/reboot', spec((s) => { s.cpu.cores = 4; })), planned('infra-machines/shrink', spec((s) => { s.disk.size = 16; }))],
    );
    expect(formatPlan(plan).split('\n')[0]).toBe('plan: 0 to add, 1 to change in place, 1 to change with a reboot or data loss, 0 to replace, 0 to remove, 1 refused');
  });

  test('a Namespace that leaves git is shown staying in the cluster, as Argo CD keeps it (Prune=false)', () => {
    const namespace = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  annotations:\n    argocd.argoproj.io/sync-options: Prune=false,Delete=false\n`;
    const changes = objectChanges(new Map([['cluster/platform/namespace.lab.yaml', namespace('lab')]]), new Map(), ['cluster']);
    expect(changes).toEqual([{ kind: ChangeKind.REMOVE, object: 'Namespace lab', kept: true }]);
    expect(formatPlan({ changes: [], objects: changes }).split('\n').slice(1)).toEqual([
      'objects: 0 to add, 0 to change, 0 to remove, 1 to leave in the cluster (Namespaces and platform objects)',
      '  =   Namespace lab: leaves git, stays in the cluster (Prune=false)',
    ]);
  });

  test('an object that moved to another folder is where it is now: changed when its text changed, never shown leaving git', () => {
    const namespace = (name: string, extra = '') => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  annotations:\n    argocd.argoproj.io/sync-options: Prune=false,Delete=false${extra}\n`;
    // HEAD has the old folder; dist/ on disk (the baseline's other half) and the new tree the new one.
    const moved = (text: string) => objectChanges(
      new Map([['cluster/platform/namespace.lab.yaml', namespace('lab')], ['cluster/platform/packages/namespace.lab.yaml', text]]),
      new Map([['cluster/platform/packages/namespace.lab.yaml', text]]), ['cluster']);
    expect(moved(namespace('lab'))).toEqual([]);
    expect(moved(namespace('lab', '\n    fabric.kubelize.io/stage: packages'))).toEqual([{ kind: ChangeKind.UPDATE, object: 'Namespace lab' }]);
  });

  test('names each Machine with a symbol, a verb and each field\'s effect, after the summary and destroys lines', () => {
    const plan = computePlan(
      [planned('infra-machines/db', spec()), planned('infra-machines/web', spec()), planned('infra-machines/old', spec()), planned('infra-machines/kept', spec((s) => { s.deletionPolicy = 'Orphan'; }))],
      [planned('infra-machines/db', spec((s) => { s.proxmox.templateId = 9001; })), planned('infra-machines/web', spec((s) => { s.memory.size = 4096; })), planned('infra-machines/new', spec((s) => { s.cpu.cores = 8; }))],
    );
    expect(formatPlan(plan)).toBe([
      'plan: 1 to add, 0 to change in place, 1 to change with a reboot or data loss, 1 to replace, 2 to remove',
      'destroys: 2 (Machines whose VM is destroyed or replaced, or whose disk data is lost)',
      '  -/+ Machine infra-machines/db: replaced: spec.proxmox.templateId 9000 → 9001 (replace: the VM is cloned again from the new template)',
      '  -   Machine infra-machines/kept: removed: deletionPolicy Orphan: the VM keeps running',
      '  +   Machine infra-machines/new: added: 8 cores, 2048 MiB, 32 GiB disk + 100 GiB + 50 GiB, on node pve',
      '  -   Machine infra-machines/old: removed: the VM is destroyed',
      "  ~   Machine infra-machines/web: changed, the VM reboots: spec.memory.size 2048 → 4096 (reboot: memory is not hot-plugged: PVE's default hotplug is network,disk,usb)",
    ].join('\n'));
  });

  test('a Machine removed and one added with the same spec reads as a rename that recreates the VM', () => {
    const plan = computePlan([planned('infra-machines/old', spec())], [planned('infra-machines/new', spec())]);
    expect(formatPlan(plan).split('\n').slice(2)).toEqual([
      '  +   Machine infra-machines/new: added: 2 cores, 2048 MiB, 32 GiB disk + 100 GiB + 50 GiB, on node pve; renamed from infra-machines/old?',
      '  -   Machine infra-machines/old: removed: renamed to infra-machines/new? the VM is destroyed and recreated',
    ]);
    expect(isDestructive(plan)).toBe(true);
  });

  test('objects other than Machines are listed with their own summary line', () => {
    const plan = { ...computePlan([], []), objects: [{ kind: ChangeKind.ADD, object: 'Namespace apps' }, { kind: ChangeKind.UPDATE, object: 'Composition machine-proxmox-terraform' }] } as const;
    expect(formatPlan(plan)).toBe([
      'plan: 0 to add, 0 to change in place, 0 to change with a reboot or data loss, 0 to replace, 0 to remove',
      'objects: 1 to add, 1 to change, 0 to remove (Namespaces and platform objects)',
      '  +   Namespace apps: added',
      '  ~   Composition machine-proxmox-terraform: changed',
    ].join('\n'));
  });

  test('an empty plan says so', () => {
    expect(formatPlan({ changes: [] })).toBe('plan: 0 to add, 0 to change in place, 0 to change with a reboot or data loss, 0 to replace, 0 to remove');
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
      'plan: 0 to add, 0 to change in place, 0 to change with a reboot or data loss, 0 to replace, 1 to remove\ndestroys: 1 (Machines whose VM is destroyed or replaced, or whose disk data is lost)\n  -   Machine infra-machines/b: removed: the VM is destroyed\n\nrefusing to destroy or replace VMs, or lose disk data; review the plan, then accept it with: npm run synth -- --allow-destroy',
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
    expect(() => synthesize({ projectDir: project })).toThrow(/plan: 0 to add, 0 to change in place, 0 to change with a reboot or data loss, 0 to replace, 2 to remove/);
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
    claims([minimalMachine('a', { proxmox: { node: 'pve', storage: 'local-zfs', bridge: 'vmbr0', templateId: 9001 } })]);
    const result = synthesize({ projectDir: project, dryRun: true });
    expect(result.written).toBe(false);
    expect(formatPlan(result.plan)).toBe([
      'plan: 0 to add, 0 to change in place, 0 to change with a reboot or data loss, 1 to replace, 1 to remove',
      'destroys: 2 (Machines whose VM is destroyed or replaced, or whose disk data is lost)',
      '  -/+ Machine infra-machines/a: replaced: spec.proxmox.templateId 9000 → 9001 (replace: the VM is cloned again from the new template)',
      '  -   Machine infra-machines/b: removed: the VM is destroyed',
    ].join('\n'));
    expect(readTree(dist)).toEqual(before);
  });

  test('refuses a change the provider cannot apply (a shrinking disk) even with allowDestroy, naming it', () => {
    const before = readTree(dist);
    claims([minimalMachine('a', { disk: { size: 16 } }), minimalMachine('b')]);
    expect(() => synthesize({ projectDir: project, allowDestroy: true })).toThrow(ProviderRefusedError);
    expect(() => synthesize({ projectDir: project, allowDestroy: true })).toThrow(
      /refusing changes the bpg\/proxmox provider cannot apply:\n {2}Machine infra-machines\/a: spec.disk.size 32 → 16 \(refused by the provider: a disk grows live; bpg cannot shrink a disk\)$/,
    );
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

describe('objectChanges', () => {
  test('gives the same changes with the new objects as rendered as with the new tree read back from its YAML', () => {
    const project = tempProject({ 'a.yaml': minimalMachine('a') });
    try {
      const before = synthesize({ projectDir: project }).files;
      // Another namespace and another provider setting: objects added and changed.
      replaceClaims(project, [minimalMachine('a'), { ...minimalMachine('b'), metadata: { name: 'b', namespace: 'lab' } }]);
      const manifest = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
      fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ ...manifest, fabric: { ...manifest.fabric, insecureSkipTlsVerify: true } }));
      const after = synthesize({ projectDir: project, dryRun: true });
      const { fleet } = checkClaims(project, loadClaims(project, findClaimFiles(project)).claims, loadSettings(project));
      const rendered = renderObjects(fleet.charts);
      const folders = ['cluster', 'argocd'];
      const readBack = objectChanges(before, after.files, folders);
      expect(readBack.map((c) => `${c.kind} ${c.object}`)).toEqual(expect.arrayContaining(['add Namespace lab', 'update Composition machine-proxmox-terraform']));
      expect(objectChanges(before, after.files, folders, (file) => rendered.get(file))).toEqual(readBack);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
