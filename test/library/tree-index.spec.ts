/**
 * The tree index (src/tree-index.ts): a re-synth does not read a dist/ file that still holds what synth
 * wrote, by its size and time, and reads any other (an edit by hand, a checkout, a file too new to judge).
 */
import * as fs from 'fs';
import * as path from 'path';
import { synthesize } from '../../src/synth';
import { minimalMachine, readTree, tempProject } from '../_helpers';

let project: string;
let dist: string;

/** Sets every file under dist/ to a time well in the past, as a tree written minutes ago has. */
function age(seconds: number): void {
  const then = new Date(Date.now() - seconds * 1000);
  for (const file of Object.keys(readTree(dist))) fs.utimesSync(path.join(dist, file), then, then);
}

/** The dist/ files a synth reads. */
function distReads(): string[] {
  // The fs module itself: synth's `import * as fs` reads its functions from it at each call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const read = jest.spyOn(require('fs') as typeof fs, 'readFileSync');
  try {
    synthesize({ projectDir: project });
    return read.mock.calls.map(([file]) => String(file)).filter((file) => file.startsWith(`${dist}${path.sep}`));
  } finally {
    read.mockRestore();
  }
}

beforeEach(() => {
  project = tempProject({ 'a.yaml': minimalMachine('a'), 'b.yaml': minimalMachine('b') });
  dist = path.join(project, 'dist');
  synthesize({ projectDir: project });
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

test('a file just written is read (its time is too close to the index to judge); once indexed again, nothing is read', () => {
  expect(distReads().length).toBe(Object.keys(readTree(dist)).length);
  age(60);
  // Read once more: the index then records the files' settled times.
  expect(distReads().length).toBeGreaterThan(0);
  expect(distReads()).toEqual([]);
});

test('a synth that writes the tree drops its index and stats none of the files it wrote', () => {
  age(60);
  distReads();
  const indexFiles = () => fs.readdirSync(path.join(project, '.fabric')).filter((file) => /^tree-index-[0-9a-f]+\.json$/.test(file));
  expect(indexFiles()).toHaveLength(1);
  fs.writeFileSync(path.join(project, 'claims', 'a.yaml'), JSON.stringify(minimalMachine('a', { memory: { size: 4096 } })));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const stat = jest.spyOn(require('fs') as typeof fs, 'statSync');
  try {
    expect(synthesize({ projectDir: project }).written).toBe(true);
    // The old tree's files are stated as they are read; none of the new tree's (it replaces dist/).
    expect(stat.mock.calls.filter(([file]) => String(file).startsWith(`${dist}${path.sep}`)).length).toBe(Object.keys(readTree(dist)).length);
  } finally {
    stat.mockRestore();
  }
  expect(indexFiles()).toEqual([]);
  // So the next run reads every file, then indexes them.
  expect(distReads().length).toBe(Object.keys(readTree(dist)).length);
  expect(indexFiles()).toHaveLength(1);
});

test('a file edited since is read, and synth writes it back as rendered', () => {
  age(60);
  distReads();
  const file = path.join(dist, 'cluster', 'machines', 'machine.infra-machines.a.yaml');
  const written = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, written.replace('memory:', 'memory: # edited\n   '));
  expect(distReads()).toEqual([file]);
  expect(fs.readFileSync(file, 'utf8')).toBe(written);
});

test('a file that synth would now write differently is read, though unchanged on disk', () => {
  age(60);
  distReads();
  fs.writeFileSync(path.join(project, 'claims', 'a.yaml'), JSON.stringify(minimalMachine('a', { memory: { size: 4096 } })));
  const reads = distReads();
  expect(reads).toContain(path.join(dist, 'cluster', 'machines', 'machine.infra-machines.a.yaml'));
  expect(reads).not.toContain(path.join(dist, 'cluster', 'machines', 'machine.infra-machines.b.yaml'));
});

test('the index of a tree that is gone (a temporary --out) is deleted when another tree is indexed; a tree that exists keeps its own', () => {
  const state = path.join(project, '.fabric');
  const indexes = () => fs.readdirSync(state).filter((file) => file.startsWith('tree-index-')).sort();
  const elsewhere = fs.mkdtempSync(path.join(path.dirname(project), 'fabric-out-'));
  const temporary = path.join(elsewhere, 'a');
  const kept = path.join(elsewhere, 'b');
  // A tree is indexed by the run after the one that wrote it.
  for (const out of [dist, temporary, temporary, kept, kept]) synthesize({ projectDir: project, outDir: out });
  expect(indexes()).toHaveLength(3);
  // An index from before the list of trees, of no tree it names: deleted too.
  fs.writeFileSync(path.join(state, 'tree-index-0123456789ab.json'), '{}');
  fs.rmSync(temporary, { recursive: true });
  fs.writeFileSync(path.join(project, 'claims', 'c.yaml'), JSON.stringify(minimalMachine('c')));
  synthesize({ projectDir: project });
  synthesize({ projectDir: project });
  try {
    expect(indexes()).toHaveLength(2);
    expect(Object.values(JSON.parse(fs.readFileSync(path.join(state, 'tree-indexes.json'), 'utf8'))).sort()).toEqual([dist, kept].sort());
  } finally {
    fs.rmSync(elsewhere, { recursive: true, force: true });
  }
});
