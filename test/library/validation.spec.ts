import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { synthesize } from '../../src/synth/synthesize';
import { formatProblem, Problem, ValidationError } from '../../src/validation/problem';
import { BAD_CASES, Doc, fullMachine, GOOD_CASES } from '../_validation-cases';
import { checkDocuments, readTree, tempProject } from '../_helpers';

function mutated(mutate: (m: Doc) => void, name = 'dns01'): Doc {
  const machine = fullMachine(name);
  mutate(machine);
  return machine;
}

function problemsOf(document: Doc, file = 'claims/dns01.yaml'): readonly Problem[] {
  return checkDocuments([document], file).problems;
}

/** Runs the real synth on a throwaway project; returns the refusal (and checks nothing was written). */
function refusal(claims: Record<string, string | object | object[]>): ValidationError {
  const project = tempProject(claims);
  const outDir = path.join(project, 'dist');
  try {
    synthesize({ projectDir: project, outDir });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect(fs.existsSync(outDir)).toBe(false);
    return error as ValidationError;
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
  throw new Error('synth accepted the claims');
}

/** The claim's line at a problem's position, split there: what comes before the node, and the node on. */
function positionedText(document: Doc, problem: Problem): { before: string; at: string } {
  const line = YAML.stringify(document, { version: '1.1' }).split('\n')[problem.line! - 1];
  return { before: line.slice(0, problem.column! - 1), at: line.slice(problem.column! - 1) };
}

/**
 * Where a problem at `fieldPath` must point in the YAML tempProject writes (block style), worked out from the
 * document itself: a scalar or empty value right after its `key: ` or `- `; else the key of the deepest part
 * of the path that is there (the key itself for an unknown field), or the `- ` of an array element.
 */
function expectedAt(document: Doc, fieldPath: string, unknownKey: boolean): { before: unknown; at: unknown } {
  const segments = fieldPath.match(/[^.[\]]+/g)!;
  let node: unknown = document;
  let reached = 0;
  for (const segment of segments) {
    if (node === null || typeof node !== 'object' || !(segment in node)) break;
    node = (node as Record<string, unknown>)[segment];
    reached++;
  }
  const last = segments[reached - 1];
  const element = /^\d+$/.test(last);
  const scalar = node === null || typeof node !== 'object' || Object.keys(node).length === 0;
  const [before, at] = reached === segments.length && scalar && !unknownKey
    ? [element ? /- $/ : new RegExp(`^ *(- )?${last}: $`), /./]
    : element ? [/- $/, /./] : [/^ *(- )?$/, new RegExp(`^${last}:`)];
  return { before: expect.stringMatching(before), at: expect.stringMatching(at) };
}

describe('a single bad Machine', () => {
  test('the table covers at least 45 rules', () => {
    expect(BAD_CASES.length).toBeGreaterThanOrEqual(45);
    expect(new Set(BAD_CASES.map((c) => c.reason)).size).toBe(BAD_CASES.length);
  });

  test.each(BAD_CASES.map((c) => [c.reason, c] as const))('is refused at synth time: %s', (_reason, c) => {
    const document = mutated(c.mutate);
    const error = refusal({ 'dns01.yaml': document });
    expect(error.problems).toHaveLength(1);
    const [problem] = error.problems;
    const machine = c.path === 'metadata.name' ? 'infra-machines/dns.01' : 'infra-machines/dns01';
    expect(problem).toMatchObject({ file: 'claims/dns01.yaml', machine, path: c.path });
    expect(problem.message).toMatch(c.message);
    expect(error.message).toContain(`claims/dns01.yaml:${problem.line}:${problem.column}: Machine ${machine}: ${c.path} ${problem.message}`);
    expect(positionedText(document, problem)).toEqual(expectedAt(document, c.path, /^is not a field/.test(problem.message)));
  });
});

describe('a good Machine', () => {
  test.each(GOOD_CASES)('is accepted: %s', (_reason, mutate) => {
    expect(problemsOf(mutated(mutate)).map(formatProblem)).toEqual([]);
  });
});

describe('refusal messages', () => {
  test('read as the house format, with the value received', () => {
    const error = refusal({ 'dns01.yaml': mutated((m) => { m.spec.memory.size = 256; }) });
    expect(error.message).toBe('1 problem found:\n  claims/dns01.yaml:15:11: Machine infra-machines/dns01: spec.memory.size must be at least 512 (MiB), got 256');
  });

  test('name the TypeScript claim file', () => {
    const machine = mutated((m) => { m.spec.network.ip = '10.0.1.256'; });
    const error = refusal({ 'dns01.ts': `export default ${JSON.stringify({ metadata: machine.metadata, spec: machine.spec })};\n` });
    expect(error.problems.map(formatProblem)).toEqual([
      'claims/dns01.ts: Machine infra-machines/dns01: spec.network.ip must be a dotted-quad IPv4 address without leading zeros (e.g. 10.0.1.10), got "10.0.1.256"',
    ]);
  });

  test('name the Machine by document position when it has no name', () => {
    const error = refusal({ 'two.yaml': [fullMachine('dns01'), { ...fullMachine(), metadata: { namespace: 'infra-machines' } }] });
    expect(error.problems.map(formatProblem)).toEqual(['claims/two.yaml:55:1: Machine #2: metadata.name is required']);
  });

  test('report an unreadable claim file without stopping at it', () => {
    const error = refusal({ 'broken.yaml': 'spec: [unclosed', 'dns01.yaml': mutated((m) => { m.spec.cpu.cores = 0; }) });
    expect(error.problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^claims\/broken.yaml:1:16: cannot be read: /),
      'claims/dns01.yaml:11:12: Machine infra-machines/dns01: spec.cpu.cores must be at least 1, got 0',
    ]);
  });

  test('refuse a YAML claim with a duplicate key rather than keep the last value', () => {
    const error = refusal({ 'dns01.yaml': 'apiVersion: fabric.kubelize.io/v1alpha1\nkind: Machine\nmetadata: {name: dns01}\nspec:\n  memory: {size: 2048}\n  memory: {size: 256}\n' });
    expect(error.problems.map(formatProblem)).toEqual(['claims/dns01.yaml:6:3: cannot be read: map keys must be unique']);
  });

  test('name line and column of a syntax error in a TypeScript claim', () => {
    const error = refusal({ 'dns01.ts': 'export default {\n  metadata: { name: "dns01" },\n  spec: { cpu: { cores: 2 }\n};\n' });
    expect(error.problems.map(formatProblem)).toEqual(['claims/dns01.ts:4:2: cannot be read: expected "}" but found ";"']);
  });

  test('read files starting with _ as shared modules that claims import, not as claims', () => {
    const machine = fullMachine();
    const projectDir = tempProject({
      '_sizes.ts': 'export const MEMORY = 4096;\n',
      '_lib/keys.ts': 'export const KEYS: string[] = [];\n',
      'dns01.ts': `import { MEMORY } from './_sizes';\nexport default ${JSON.stringify({ metadata: { name: 'dns01' }, spec: { ...machine.spec, memory: { size: 1 } } })};\n`.replace('"size":1', '"size":MEMORY'),
    });
    const result = synthesize({ projectDir, dryRun: true });
    expect(result.machineCount).toBe(1);
    expect(result.files.get('cluster/machines/machine.infra-machines.dns01.yaml')).toContain('size: 4096');
  });

  test('refuse a field a TypeScript claim puts beside spec rather than drop it', () => {
    const machine = fullMachine();
    const error = refusal({ 'dns01.ts': `export default ${JSON.stringify({ metadata: { name: 'dns01' }, spec: machine.spec, deletionPolicy: 'Orphan' })};\n` });
    expect(error.problems.map(formatProblem)).toEqual([
      'claims/dns01.ts: Machine infra-machines/dns01: deletionPolicy is not a field of the Machine API (the API server would silently drop it)',
    ]);
  });

  test('refuse a document that is not a Machine', () => {
    const error = refusal({ 'cm.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, spec: {} } });
    expect(error.problems.map(formatProblem)).toEqual([
      'claims/cm.yaml:1:1: holds a ConfigMap (v1), not a Machine: claims/ holds only fabric.kubelize.io/v1alpha1 Machine documents',
    ]);
  });
});

describe('messages that lead to the next step', () => {
  test.each([
    ['memory as a Kubernetes quantity', (m: Doc) => { m.spec.memory.size = '8Gi'; }, 'spec.memory.size must be an integer, got "8Gi"; memory.size is a number of MiB: write 8192 for "8Gi"'],
    ['disk in GB', (m: Doc) => { m.spec.disk.size = '50GB'; }, 'spec.disk.size must be an integer, got "50GB"; disk.size is a number of GiB: write 50 for "50GB"'],
    ['a data disk in Ti', (m: Doc) => { m.spec.dataDisks = [{ size: '1Ti' }]; }, 'spec.dataDisks[0].size must be an integer, got "1Ti"; dataDisks[0].size is a number of GiB: write 1024 for "1Ti"'],
    ['a number in quotes', (m: Doc) => { m.spec.memory.size = '2048'; }, 'spec.memory.size must be an integer, got "2048"; memory.size is a number of MiB: write 2048, without quotes'],
  ])('a size written as a string gets the unit hint: %s', (_reason, mutate, expected) => {
    expect(problemsOf(mutated(mutate)).map((p) => `${p.path} ${p.message}`)).toEqual([expected]);
  });

  test('every bad tag key is named, each on a line of its own', () => {
    const problems = problemsOf(mutated((m) => { m.spec.tags = { Env: 'prod', ok: 'yes', '-team': 'infra' }; }));
    expect(problems.map((p) => `${p.path} ${p.message}`)).toEqual([
      expect.stringMatching(/^spec.tags key "Env": must use Proxmox's tag alphabet/),
      expect.stringMatching(/^spec.tags key "-team": must use Proxmox's tag alphabet/),
    ]);
  });
});

describe('several problems in one run', () => {
  test('are all reported together, one file after another', () => {
    const project = tempProject({
      'a.yaml': mutated((m) => { m.spec.memory.size = 256; }, 'a'),
      'b.yaml': mutated((m) => { m.spec.memroy = { size: 1 }; m.spec.network.ip = '10.0.1.0'; }, 'b'),
      'c.yaml': mutated((m) => { m.spec.bootstrap.adminUser = 'root'; }, 'c'),
    });
    try {
      expect(() => synthesize({ projectDir: project })).toThrow(ValidationError);
      try {
        synthesize({ projectDir: project });
      } catch (error) {
        expect((error as ValidationError).problems.map(formatProblem)).toEqual([
          'claims/a.yaml:15:11: Machine infra-machines/a: spec.memory.size must be at least 512 (MiB), got 256',
          'claims/b.yaml:37:11: Machine infra-machines/b: spec.proxmox.vmId 120 is already pinned by Machine infra-machines/a (claims/a.yaml:4)',
          expect.stringMatching(/^claims\/b.yaml:52:3: Machine infra-machines\/b: spec.memroy is not a field of the Machine API/),
          'claims/c.yaml:24:9: Machine infra-machines/c: spec.network.ip "10.0.1.10" is already the static ip of Machine infra-machines/a (claims/a.yaml:4)',
          'claims/c.yaml:37:11: Machine infra-machines/c: spec.proxmox.vmId 120 is already pinned by Machine infra-machines/a (claims/a.yaml:4)',
          'claims/c.yaml:43:16: Machine infra-machines/c: spec.bootstrap.adminUser must not be root, got "root"',
        ]);
        expect((error as ValidationError).message).toMatch(/^6 problems found:\n {2}claims\/a.yaml/);
      }
      expect(readTree(path.join(project, 'dist'))).toEqual({});
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  test('within one Machine, every schema problem is reported, not only the first', () => {
    const problems = problemsOf(mutated((m) => { m.spec.cpu.cores = 0; m.spec.memory.size = 256; m.spec.proxmox.vlan = 5000; }));
    expect(problems.map((p) => p.path)).toEqual(['spec.cpu.cores', 'spec.memory.size', 'spec.proxmox.vlan']);
  });
});

describe('YAML claims', () => {
  test('are read as YAML 1.1, as kubectl reads them: yes/no are booleans', () => {
    const project = tempProject({ 'vm.yaml': 'apiVersion: fabric.kubelize.io/v1alpha1\nkind: Machine\nmetadata: {name: vm}\nspec:\n  cpu: {cores: 1}\n  memory: {size: 512}\n  proxmox: {node: pve, startOnBoot: no}\n' });
    try {
      const result = synthesize({ projectDir: project, dryRun: true });
      expect(result.files.get('cluster/machines/machine.infra-machines.vm.yaml')).toMatch(/startOnBoot: false/);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});

describe('validation fills the schema defaults', () => {
  test('a minimal YAML claim gets the defaults of the contract and the default namespace', () => {
    const document: Doc = { apiVersion: 'fabric.kubelize.io/v1alpha1', kind: 'Machine', metadata: { name: 'vm' }, spec: { cpu: { cores: 1 }, memory: { size: 512 }, proxmox: { node: 'pve' }, network: { ip: '10.0.0.5', gateway: '10.0.0.1' } } };
    const project = tempProject({ 'vm.yaml': document });
    try {
      const result = synthesize({ projectDir: project, dryRun: true });
      expect(result.machineCount).toBe(1);
      const machine = checkDocuments([{ ...document, metadata: { name: 'vm', namespace: 'infra-machines' } }], 'claims/vm.yaml').machines[0];
      expect(machine.spec).toMatchObject({
        cpu: { cores: 1, sockets: 1, type: 'x86-64-v2-AES' },
        disk: { size: 32, interface: 'scsi0' },
        network: { cidr: 24, dns: ['1.1.1.1', '8.8.8.8'] },
        proxmox: { storage: 'local-zfs', bridge: 'vmbr0', templateId: 9000, startOnBoot: true },
        deletionPolicy: 'Delete',
      });
      expect(`${machine.namespace}/${machine.name}`).toBe('infra-machines/vm');
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
