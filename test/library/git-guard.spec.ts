/**
 * The destroy guard reads the Machines committed in git (`HEAD:dist`), not only dist/ on disk: ArgoCD syncs
 * the commit, so deleting dist/ (or a file in it) must not let a removed claim destroy a committed VM.
 */
import * as fs from 'fs';
import * as path from 'path';
import { committedTree } from '../../src/synth/git-baseline';
import { formatPlan } from '../../src/synth/plan';
import { CONSENT_FILE } from '../../src/synth/removal-consent';
import { DestroyRefusedError, synthesize } from '../../src/synth/synthesize';
import { git, minimalMachine, replaceClaims, tempProject } from '../_helpers';


/** A checkout whose HEAD commits Machines a and b and their dist/; each test gets a copy. */
let committed: string;
let project: string;
let dist: string;

beforeAll(() => {
  committed = tempProject({});
  replaceClaims(committed, [minimalMachine('a'), minimalMachine('b')]);
  synthesize({ projectDir: committed });
  git(committed, 'init', '-q');
  git(committed, 'add', '-A');
  git(committed, 'commit', '-q', '-m', 'fleet');
});

beforeEach(() => {
  project = fs.mkdtempSync(`${committed}-`);
  fs.cpSync(committed, project, { recursive: true });
  dist = path.join(project, 'dist');
});

afterEach(() => fs.rmSync(project, { recursive: true, force: true }));
afterAll(() => fs.rmSync(committed, { recursive: true, force: true }));

test('with dist/ deleted, removing a claim is refused, naming the committed Machine', () => {
  fs.rmSync(dist, { recursive: true });
  replaceClaims(project, [minimalMachine('a')]);
  expect(() => synthesize({ projectDir: project })).toThrow(DestroyRefusedError);
  expect(() => synthesize({ projectDir: project })).toThrow(
    /- {3}Machine infra-machines\/b: removed: the VM is destroyed; it is in git HEAD but not in the new tree\n/,
  );
  expect(fs.existsSync(dist)).toBe(false);
});

test('with dist/ deleted, the platform objects committed in git are not planned as new', () => {
  fs.rmSync(dist, { recursive: true });
  expect(synthesize({ projectDir: project, dryRun: true }).plan.objects).toEqual([]);
});

test('with the Machine\'s file deleted from dist/, removing its claim is refused', () => {
  fs.rmSync(path.join(dist, 'cluster', 'machines', 'machine.infra-machines.b.yaml'));
  replaceClaims(project, [minimalMachine('a')]);
  expect(() => synthesize({ projectDir: project })).toThrow(/Machine infra-machines\/b: removed/);
});

test('with dist/ deleted and every claim kept, synth writes dist/ again without a prompt', () => {
  fs.rmSync(dist, { recursive: true });
  const result = synthesize({ projectDir: project });
  expect(result.plan.changes).toEqual([]);
  expect(fs.existsSync(path.join(dist, 'cluster', 'machines', 'machine.infra-machines.b.yaml'))).toBe(true);
});

test('a committed Machine changed on disk is planned from dist/ on disk', () => {
  replaceClaims(project, [minimalMachine('a', { memory: { size: 4096 } }), minimalMachine('b')]);
  synthesize({ projectDir: project });
  replaceClaims(project, [minimalMachine('a', { memory: { size: 8192 } }), minimalMachine('b')]);
  expect(synthesize({ projectDir: project, dryRun: true }).plan.changes.map((c) => c.details.join())).toEqual([
    expect.stringMatching(/^spec.memory.size 4096 → 8192 /),
  ]);
});

test('the removal is written with allowDestroy', () => {
  fs.rmSync(dist, { recursive: true });
  replaceClaims(project, [minimalMachine('a')]);
  const result = synthesize({ projectDir: project, allowDestroy: true });
  expect(result.plan.changes.map((c) => `${c.kind} ${c.id}`)).toEqual(['remove infra-machines/b']);
  expect(fs.existsSync(path.join(dist, 'cluster', 'machines', 'machine.infra-machines.b.yaml'))).toBe(false);
});

describe('consent follows the Machine: it covers one removal, with the spec it had, from one HEAD, while the Machine stays out', () => {
  const removalsOf = (result: ReturnType<typeof synthesize>) => result.plan.changes.filter((c) => c.kind === 'remove').map((c) => `${c.id}${c.consented ? ' (consented)' : ''}`);
  const kinds = (result: ReturnType<typeof synthesize>) => result.plan.changes.map((c) => `${c.kind} ${c.id}`);
  const removeB = () => {
    replaceClaims(project, [minimalMachine('a')]);
    return synthesize({ projectDir: project, allowDestroy: true });
  };

  test('after consent, the next synth still shows the removal and counts it in destroys, without asking again', () => {
    removeB();
    const next = synthesize({ projectDir: project });
    expect(removalsOf(next)).toEqual(['infra-machines/b (consented)']);
    expect(formatPlan(next.plan)).toMatch(/^destroys: 1 /m);
    expect(formatPlan(next.plan)).toContain('-   Machine infra-machines/b: removed: the VM is destroyed; it is in git HEAD but not in the new tree; consent given: written to dist/, the VM is destroyed once dist/ is committed and synced');
  });

  test('restored: the Machine is no change (never "added"), and its consent is spent', () => {
    removeB();
    replaceClaims(project, [minimalMachine('a'), minimalMachine('b')]);
    expect(kinds(synthesize({ projectDir: project }))).toEqual([]);
    replaceClaims(project, [minimalMachine('a')]);
    expect(() => synthesize({ projectDir: project })).toThrow(/Machine infra-machines\/b: removed/);
  });

  test('restored and then removed with dist/ deleted: still refused, still shown', () => {
    removeB();
    replaceClaims(project, [minimalMachine('a'), minimalMachine('b')]);
    synthesize({ projectDir: project });
    replaceClaims(project, [minimalMachine('a')]);
    fs.rmSync(dist, { recursive: true });
    expect(() => synthesize({ projectDir: project })).toThrow(DestroyRefusedError);
    expect(removalsOf(synthesize({ projectDir: project, dryRun: true }))).toEqual(['infra-machines/b']);
  });

  test('renamed: the old name is removed (with consent), the new one added; renaming back spends the consent', () => {
    replaceClaims(project, [minimalMachine('a'), minimalMachine('c')]);
    expect(() => synthesize({ projectDir: project })).toThrow(/renamed to infra-machines\/c\?/);
    expect(kinds(synthesize({ projectDir: project, allowDestroy: true }))).toEqual(['remove infra-machines/b', 'add infra-machines/c']);
    replaceClaims(project, [minimalMachine('a'), minimalMachine('b')]);
    expect(kinds(synthesize({ projectDir: project, allowDestroy: true }))).toEqual(['remove infra-machines/c']);
    replaceClaims(project, [minimalMachine('a')]);
    expect(() => synthesize({ projectDir: project })).toThrow(/Machine infra-machines\/b: removed/);
  });

  test('re-added with another spec and removed again: the consent was for the old spec, so it is asked again', () => {
    removeB();
    replaceClaims(project, [minimalMachine('a'), minimalMachine('b', { memory: { size: 4096 } })]);
    synthesize({ projectDir: project });
    replaceClaims(project, [minimalMachine('a')]);
    expect(() => synthesize({ projectDir: project })).toThrow(/Machine infra-machines\/b: removed/);
  });

  test('a commit in between that keeps the Machine in HEAD voids the consent', () => {
    removeB();
    fs.writeFileSync(path.join(project, 'README.md'), 'another commit\n');
    git(project, 'add', 'README.md');
    git(project, 'commit', '-q', '-m', 'unrelated');
    expect(() => synthesize({ projectDir: project })).toThrow(/Machine infra-machines\/b: removed/);
  });

  test('committing the removal ends it: the plan no longer shows it and no consent is kept', () => {
    removeB();
    git(project, 'add', '-A');
    git(project, 'commit', '-q', '-m', 'b removed');
    expect(kinds(synthesize({ projectDir: project }))).toEqual([]);
    expect(fs.existsSync(path.join(project, CONSENT_FILE))).toBe(false);
  });

  test('dist/ deleted after consent: the removal is still shown, consented, and dist/ is written without b', () => {
    removeB();
    fs.rmSync(dist, { recursive: true });
    const result = synthesize({ projectDir: project });
    expect(removalsOf(result)).toEqual(['infra-machines/b (consented)']);
    expect(fs.existsSync(path.join(dist, 'cluster', 'machines', 'machine.infra-machines.b.yaml'))).toBe(false);
  });
});

describe('committedTree', () => {
  test('reads HEAD:dist byte for byte, paths relative to dist/', () => {
    const tree = committedTree(project, dist)!.files;
    const file = 'cluster/machines/machine.infra-machines.a.yaml';
    expect(tree.get(file)).toBe(fs.readFileSync(path.join(dist, file), 'utf8'));
  });

  test('reads only the committed files that differ from the tree given as on disk', () => {
    const unchanged = 'cluster/machines/machine.infra-machines.a.yaml';
    const edited = 'cluster/machines/machine.infra-machines.b.yaml';
    const onDisk = new Map([
      [unchanged, fs.readFileSync(path.join(dist, unchanged), 'utf8')],
      [edited, `${fs.readFileSync(path.join(dist, edited), 'utf8')}# edited\n`],
    ]);
    const tree = committedTree(project, dist, onDisk)!.files;
    expect(tree.has(unchanged)).toBe(false);
    expect(tree.get(edited)).toBe(fs.readFileSync(path.join(dist, edited), 'utf8'));
    // Not on disk at all: read from git.
    expect(tree.has('cluster/platform/packages/namespace.infra-machines.yaml')).toBe(true);
  });

  test('a committed file git cannot read refuses, rather than hide what HEAD holds', () => {
    // HEAD and its trees are there; only the blobs of dist/'s files are gone.
    const blobs = git(project, 'ls-tree', '-r', 'HEAD', '--', 'dist').split('\n').map((line) => line.split(/\s+/)[2]);
    for (const blob of blobs) fs.rmSync(path.join(project, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
    expect(() => committedTree(project, dist)).toThrow(/^git cat-file --batch in .*: [0-9a-f]{40} missing: the files of [0-9a-f]{40}:dist\/ cannot be read$/);
  });

  test('is undefined outside a git checkout, and for an out dir outside the checkout', () => {
    const plain = tempProject({});
    try {
      expect(committedTree(plain, path.join(plain, 'dist'))).toBeUndefined();
      expect(committedTree(project, path.join(plain, 'dist'))).toBeUndefined();
    } finally {
      fs.rmSync(plain, { recursive: true, force: true });
    }
  });

  test('is undefined in a checkout without a commit', () => {
    const fresh = tempProject({});
    try {
      git(fresh, 'init', '-q');
      expect(committedTree(fresh, path.join(fresh, 'dist'))).toBeUndefined();
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });
});
