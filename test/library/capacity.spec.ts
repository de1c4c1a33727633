/**
 * Capacity: synth sums what each node and storage of the site is given and refuses a fleet beyond capacity
 * times overcommit, naming the node and its largest Machines; close to it, it warns.
 */
import * as fs from 'fs';
import { synthCommand } from '../../src/cli/_synth-command';
import { synthesize } from '../../src/synth/synthesize';
import { minimalMachine, replaceClaims, tempProject } from '../_helpers';

const NODES = {
  pve1: { cores: 8, memoryGiB: 16, storages: { 'local-zfs': 100, tank: 500 } },
  pve2: { cores: 4, memoryGiB: 8, storages: {} },
};

const vm = (name: string, cores: number, memoryMiB: number, extra: Record<string, unknown> = {}, node = 'pve1') =>
  minimalMachine(name, { cpu: { cores }, memory: { size: memoryMiB }, proxmox: { node, storage: 'local-zfs', bridge: 'vmbr0', templateId: 9000 }, ...extra });

let project: string;
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

test('a node given more than its capacity times overcommit is refused, naming the node and its largest Machines', () => {
  project = tempProject({}, { site: { nodes: { ...NODES, pve1: { ...NODES.pve1, storages: { 'local-zfs': 1000 } } }, overcommit: { cpu: 2 } } });
  replaceClaims(project, [vm('big', 8, 4096), vm('mid', 6, 4096), vm('small', 4, 2048), vm('tiny', 1, 1024), vm('other', 4, 1024, {}, 'pve2')]);
  expect(() => synthesize({ projectDir: project })).toThrow(
    '1 problem found:\n' +
    '  claims/big.yaml:8:12: Machine infra-machines/big: spec.cpu.cores node pve1 is given 19 cores, beyond its 8 cores × overcommit 2 = 16 cores (package.json fabric.site.nodes.pve1.cores); ' +
    'its largest Machines: infra-machines/big 8 cores (claims/big.yaml:4), infra-machines/mid 6 cores (claims/mid.yaml:4), infra-machines/small 4 cores (claims/small.yaml:4)',
  );
});

test('memory and storage are summed per node and storage, boot and data disks on their own storage', () => {
  project = tempProject({}, { site: { nodes: NODES } });
  replaceClaims(project, [
    vm('db', 2, 12288, { disk: { size: 64 }, dataDisks: [{ size: 400, storage: 'tank' }, { size: 50 }] }),
    vm('web', 2, 6144),
  ]);
  let message = '';
  try {
    synthesize({ projectDir: project });
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message.split('\n').slice(1).map((line) => line.trim())).toEqual([
    'claims/db.yaml:10:11: Machine infra-machines/db: spec.memory.size node pve1 is given 18 GiB of memory, beyond its 16 GiB (package.json fabric.site.nodes.pve1.memoryGiB); ' +
    'its largest Machines: infra-machines/db 12 GiB (claims/db.yaml:4), infra-machines/web 6 GiB (claims/web.yaml:4)',
    'claims/db.yaml:12:11: Machine infra-machines/db: spec.disk.size storage local-zfs of node pve1 is given 146 GiB of disks, beyond its 100 GiB (package.json fabric.site.nodes.pve1.storages.local-zfs); ' +
    'its largest Machines: infra-machines/db 114 GiB (claims/db.yaml:4), infra-machines/web 32 GiB (claims/web.yaml:4)',
  ]);
});

test('a node or storage the site does not list is refused', () => {
  project = tempProject({}, { site: { nodes: NODES } });
  replaceClaims(project, [vm('lost', 1, 1024, {}, 'pve9'), vm('misplaced', 1, 1024, { dataDisks: [{ size: 10, storage: 'ceph' }] })]);
  expect(() => synthesize({ projectDir: project })).toThrow(
    '2 problems found:\n' +
    '  claims/lost.yaml:14:11: Machine infra-machines/lost: spec.proxmox.node "pve9" is not a node of the site: package.json fabric.site.nodes lists pve1, pve2\n' +
    '  claims/misplaced.yaml:20:16: Machine infra-machines/misplaced: spec.dataDisks[0].storage "ceph" is not a storage of node pve1: package.json fabric.site.nodes.pve1.storages lists local-zfs, tank',
  );
});

test('a node close to its limit is written, with a warning on stderr naming it and its largest Machines', () => {
  project = tempProject({}, { site: { nodes: NODES, warnAt: 0.8 } });
  replaceClaims(project, [vm('a', 4, 2048), vm('b', 3, 2048)]);
  const out: string[] = [];
  const err: string[] = [];
  expect(synthCommand([], { defaultProject: project }, { out: (t) => out.push(t), err: (t) => err.push(t) })).toBe(0);
  expect(err).toEqual([
    'warning: node pve1: 7 of 8 cores given (88 %, above the 80 % package.json fabric.site.warnAt); largest: infra-machines/a 4 cores, infra-machines/b 3 cores',
  ]);
});

test('a site without nodes is not checked', () => {
  project = tempProject({});
  replaceClaims(project, [vm('huge', 128, 1048576, {}, 'anywhere')]);
  expect(synthesize({ projectDir: project }).warnings).toEqual([]);
});
