/**
 * Addresses and VMIDs allocated in git: a Machine names an IP pool of the site, or asks for a VMID from the
 * site's range, and synth writes the value into the Machine in dist/, keeps it, and frees it only when the
 * Machine's removal is committed.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { allocatedMachines, scanMachine } from '../../src/synth/allocation';
import { formatPlan } from '../../src/synth/plan';
import { synthesize } from '../../src/synth/synthesize';
import { git, minimalMachine, replaceClaims, tempProject } from '../_helpers';

const SITE = {
  ipPools: {
    lan: { subnet: '10.0.20.0/24', gateway: '10.0.20.1', ranges: ['10.0.20.100-10.0.20.102'], dns: ['10.0.20.53'], domain: 'home.arpa', vlan: 20 },
  },
  vmIds: { from: 1000, to: 1002 },
};

/** A Machine taking its address from pool `lan` and its VMID from the range. */
const pooled = (name: string, network: Record<string, unknown> = {}, proxmox: Record<string, unknown> = {}) => {
  const machine = minimalMachine(name) as { spec: Record<string, any> };
  return minimalMachine(name, { network: { ipPool: 'lan', ...network }, proxmox: { ...machine.spec.proxmox, allocateVmId: true, ...proxmox } });
};

/** The addresses and VMIDs in dist/: `name ip vmId` per Machine. */
function allocations(project: string): string[] {
  const dir = path.join(project, 'dist', 'cluster', 'machines');
  return fs.readdirSync(dir).sort().map((file) => {
    const machine = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    return `${machine.metadata.name} ${machine.spec.network?.ip} ${machine.spec.proxmox.vmId}`;
  });
}

const commit = (project: string) => {
  git(project, 'add', '-A');
  git(project, 'commit', '-q', '-m', 'fleet');
};

let project: string;
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

test('pooled Machines get the lowest free addresses and VMIDs in name order, written with the pool settings; the plan shows them', () => {
  project = tempProject({}, { site: SITE });
  replaceClaims(project, [pooled('web'), pooled('db')]);
  const result = synthesize({ projectDir: project });
  expect(allocations(project)).toEqual(['db 10.0.20.100 1000', 'web 10.0.20.101 1001']);
  const db = YAML.parse(fs.readFileSync(path.join(project, 'dist/cluster/machines/machine.infra-machines.db.yaml'), 'utf8'));
  expect(db.spec.network).toEqual({ ipPool: 'lan', ip: '10.0.20.100', cidr: 24, gateway: '10.0.20.1', dns: ['10.0.20.53'], domain: 'home.arpa' });
  expect(db.spec.proxmox).toMatchObject({ vlan: 20, vmId: 1000, allocateVmId: true });
  expect(formatPlan(result.plan)).toContain(
    '  +   Machine infra-machines/db: added: 2 cores, 2048 MiB, 32 GiB disk, on node pve, ip 10.0.20.100 from IP pool lan, VMID 1000 from the site\'s range',
  );
  // The same claims give the same tree.
  expect(synthesize({ projectDir: project }).changed).toBe(false);
});

test('a Machine added before the others in name order, or a deleted dist/, moves no allocation', () => {
  project = tempProject({}, { site: SITE });
  replaceClaims(project, [pooled('web'), pooled('db')]);
  synthesize({ projectDir: project });
  git(project, 'init', '-q');
  commit(project);
  replaceClaims(project, [pooled('web'), pooled('db'), pooled('app')]);
  synthesize({ projectDir: project });
  expect(allocations(project)).toEqual(['app 10.0.20.102 1002', 'db 10.0.20.100 1000', 'web 10.0.20.101 1001']);
  commit(project);
  // git's HEAD still holds them.
  fs.rmSync(path.join(project, 'dist'), { recursive: true });
  synthesize({ projectDir: project });
  expect(allocations(project)).toEqual(['app 10.0.20.102 1002', 'db 10.0.20.100 1000', 'web 10.0.20.101 1001']);
  expect(git(project, 'status', '--porcelain', '--', 'dist')).toBe('');
});

test('a removed Machine holds its address and VMID until its removal is committed', () => {
  project = tempProject({}, { site: SITE });
  replaceClaims(project, [pooled('a'), pooled('b'), pooled('c')]);
  synthesize({ projectDir: project });
  git(project, 'init', '-q');
  commit(project);

  replaceClaims(project, [pooled('a'), pooled('c')]);
  const removal = synthesize({ projectDir: project, allowDestroy: true });
  expect(formatPlan(removal.plan)).toContain(
    "  -   Machine infra-machines/b: removed: the VM is destroyed; its ip 10.0.20.101 from IP pool lan and VMID 1001 from the site's range stay taken until the removal is committed",
  );
  replaceClaims(project, [pooled('a'), pooled('c'), pooled('d')]);
  expect(() => synthesize({ projectDir: project, allowDestroy: true })).toThrow(
    'claims/d.yaml:20:13: Machine infra-machines/d: spec.network.ipPool IP pool "lan" has no free address: all 3 of 10.0.20.100-10.0.20.102 are taken (2 by Machines in claims/, 1 by Machines removed but not yet committed); widen its ranges in package.json fabric.site.ipPools.lan.ranges or use another pool',
  );
  replaceClaims(project, [pooled('a'), pooled('c')]);
  synthesize({ projectDir: project, allowDestroy: true });
  commit(project);
  replaceClaims(project, [pooled('a'), pooled('c'), pooled('d')]);
  synthesize({ projectDir: project });
  expect(allocations(project)).toEqual(['a 10.0.20.100 1000', 'c 10.0.20.102 1002', 'd 10.0.20.101 1001']);
});

test('an exhausted pool or VMID range is refused on the Machine that finds it full', () => {
  project = tempProject({}, { site: SITE });
  replaceClaims(project, [pooled('a'), pooled('b'), pooled('c'), pooled('d')]);
  expect(() => synthesize({ projectDir: project })).toThrow(
    '2 problems found:\n' +
    '  claims/d.yaml:18:19: Machine infra-machines/d: spec.proxmox.allocateVmId the site\'s VMID range 1000-1002 has no free VMID: all 3 are taken; widen package.json fabric.site.vmIds or pin vmId\n' +
    '  claims/d.yaml:20:13: Machine infra-machines/d: spec.network.ipPool IP pool "lan" has no free address: all 3 of 10.0.20.100-10.0.20.102 are taken (3 by Machines in claims/); widen its ranges in package.json fabric.site.ipPools.lan.ranges or use another pool',
  );
});

test('addresses outside their pool, collisions with allocated values, unknown pools and fields the pool sets are refused, naming file, Machine and field', () => {
  project = tempProject({}, { site: { ...SITE, ipPools: { lan: { ...SITE.ipPools.lan, ranges: ['10.0.20.100-10.0.20.150'] } }, vmIds: { from: 1000, to: 1050 } } });
  replaceClaims(project, [pooled('a'), pooled('b')]);
  synthesize({ projectDir: project });
  replaceClaims(project, [
    pooled('a'),
    pooled('b'),
    pooled('outside', { ip: '10.0.20.7' }, { vmId: 2000 }),
    minimalMachine('literal', { network: { ip: '10.0.20.100', gateway: '10.0.20.1' }, proxmox: { node: 'pve', vmId: 1001 } }),
    pooled('elsewhere', { ipPool: 'dmz' }),
    pooled('mixed', { gateway: '10.0.20.254', cidr: 16 }),
  ]);
  let message = '';
  try {
    synthesize({ projectDir: project });
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message.split('\n').filter((line) => line.startsWith('  ')).map((line) => line.trim())).toEqual([
    'claims/elsewhere.yaml:20:13: Machine infra-machines/elsewhere: spec.network.ipPool must name an IP pool of package.json fabric.site.ipPools (lan), got "dmz"',
    'claims/literal.yaml:15:11: Machine infra-machines/literal: spec.proxmox.vmId 1001 is already allocated to Machine infra-machines/b (claims/b.yaml), written in dist/; pick another VMID',
    'claims/literal.yaml:17:9: Machine infra-machines/literal: spec.network.ip 10.0.20.100 is already allocated from IP pool "lan" to Machine infra-machines/a (claims/a.yaml), written in dist/; pick another address',
    'claims/mixed.yaml:21:14: Machine infra-machines/mixed: spec.network.gateway is "10.0.20.254", but IP pool "lan" sets "10.0.20.1"; remove it: the pool\'s value is written',
    'claims/mixed.yaml:22:11: Machine infra-machines/mixed: spec.network.cidr is 16, but IP pool "lan" sets 24; remove it: the pool\'s value is written',
    'claims/outside.yaml:19:11: Machine infra-machines/outside: spec.proxmox.vmId 2000 is outside the site\'s VMID range 1000-1050 (package.json fabric.site.vmIds); remove vmId to have one allocated, or pick one inside',
    'claims/outside.yaml:22:9: Machine infra-machines/outside: spec.network.ip 10.0.20.7 is outside IP pool "lan" (10.0.20.100-10.0.20.150); remove ip to have one allocated, or pick one inside',
  ]);
});

test('without site settings, naming a pool or asking for a VMID is refused with what to set', () => {
  project = tempProject({});
  replaceClaims(project, [pooled('a')]);
  expect(() => synthesize({ projectDir: project })).toThrow(
    '  claims/a.yaml:18:19: Machine infra-machines/a: spec.proxmox.allocateVmId is true, but package.json sets no fabric.site.vmIds range to allocate from\n' +
    '  claims/a.yaml:20:13: Machine infra-machines/a: spec.network.ipPool names IP pool "lan", but package.json sets no fabric.site.ipPools',
  );
});

test('a site setting that is wrong is refused, naming the key', () => {
  project = tempProject({}, { site: { ipPools: { lan: { ...SITE.ipPools.lan, ranges: ['10.0.21.5-10.0.21.9'] } } } });
  replaceClaims(project, [minimalMachine('a')]);
  expect(() => synthesize({ projectDir: project })).toThrow(
    'package.json: fabric.site.ipPools.lan.ranges: 10.0.21.5-10.0.21.9 is not inside 10.0.20.0/24 without its network and broadcast addresses',
  );
});

test('the allocated fields read back without the YAML parser are those the parser reads, and an unusual file is parsed', () => {
  project = tempProject({}, { site: SITE });
  replaceClaims(project, [pooled('web'), pooled('db'), minimalMachine('literal', { network: { ip: '10.0.9.9', gateway: '10.0.9.1' } })]);
  synthesize({ projectDir: project });
  const dir = path.join(project, 'dist', 'cluster', 'machines');
  for (const file of fs.readdirSync(dir)) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const parsed = YAML.parse(text);
    expect(scanMachine(text)).toEqual({
      id: `${parsed.metadata.namespace}/${parsed.metadata.name}`,
      spec: {
        network: { ipPool: parsed.spec.network?.ipPool, ip: parsed.spec.network?.ip },
        proxmox: { vmId: parsed.spec.proxmox.vmId, allocateVmId: parsed.spec.proxmox.allocateVmId },
      },
    });
  }
  // Flow style and two documents: not what synth writes, so parsed instead.
  const flow = 'apiVersion: fabric.kubelize.io/v1alpha1\nkind: Machine\nmetadata: {name: a, namespace: ns}\nspec:\n  network: {ipPool: lan, ip: 10.0.20.9}\n';
  expect(scanMachine(flow)).toBeUndefined();
  expect(allocatedMachines(new Map([['a.yaml', `${flow}---\n${flow.replace('name: a', 'name: b')}`]]), 'dist/').map((m) => [m.id, m.spec.network?.ip])).toEqual([['ns/a', '10.0.20.9'], ['ns/b', '10.0.20.9']]);
});
