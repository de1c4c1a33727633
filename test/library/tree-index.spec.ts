/**
 * The tree index (src/tree-index.ts): a re-synth does not read a dist/ file that still holds what synth
 * wrote, by its size and time, and reads any other (an edit by hand, a checkout, a file too new to judge).
 * A file rendered from an object the index shows unchanged is read instead of rendered again.
 */
import { Yaml } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import { synthesize } from '../../src/synth/synthesize';
import { renderKey } from '../../src/synth/tree-index';
import { minimalMachine, readTree, tempProject } from '../_helpers';

let project: string;
let dist: string;

/** Sets every file under dist/ to a time well in the past, as a tree written minutes ago has. */
function age(seconds: number): void {
  const then = new Date(Date.now() - seconds * 1000);
  for (const file of Object.keys(readTree(dist))) fs.utimesSync(path.join(dist, file), then, then);
}

/** The tree indexes in the project's .fabric/. */
function indexFiles(): string[] {
  return fs.readdirSync(path.join(project, '.fabric')).filter((file) => /^tree-index-[0-9a-f]+\.json$/.test(file)).sort();
}

/** The dist/ files synth renders from an object (the others it writes from text), as full paths. */
function renderedFiles(): string[] {
  return Object.keys(readTree(dist)).filter((file) => /^(cluster|argocd)\//.test(file)).map((file) => path.join(dist, file)).sort();
}

/** The names of the objects a synth renders to YAML. */
function objectsRendered(): string[] {
  const stringify = jest.spyOn(Yaml, 'stringify');
  try {
    synthesize({ projectDir: project });
    return stringify.mock.calls.map(([object]) => (object as { metadata: { name: string } }).metadata.name);
  } finally {
    stringify.mockRestore();
  }
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

test('a file just written is read (its time is too close to the index to judge); once indexed again, only what would be rendered is read', () => {
  expect(distReads().length).toBe(Object.keys(readTree(dist)).length);
  age(60);
  // Read once more: the index then records the files' settled times.
  expect(distReads().length).toBeGreaterThan(0);
  // Files rendered from an object are read instead of rendered again; the others are known by their stat.
  expect(distReads().sort()).toEqual(renderedFiles());
});

test('a Machine unchanged since indexed is not rendered to YAML again; a changed one is', () => {
  age(60);
  expect(objectsRendered()).toEqual(expect.arrayContaining(['a', 'b']));
  fs.writeFileSync(path.join(project, 'claims', 'a.yaml'), JSON.stringify(minimalMachine('a', { memory: { size: 4096 } })));
  const rendered = objectsRendered();
  expect(rendered).toContain('a');
  expect(rendered).not.toContain('b');
  expect(fs.readFileSync(path.join(dist, 'cluster', 'machines', 'machine.infra-machines.a.yaml'), 'utf8')).toContain('size: 4096');
});

test('an index without the objects\' keys (an older Fabric\'s) is written again with them', () => {
  age(60);
  distReads();
  const state = path.join(project, '.fabric');
  const [name] = indexFiles();
  const index = JSON.parse(fs.readFileSync(path.join(state, name), 'utf8')) as { files: Record<string, { source?: string }> };
  for (const entry of Object.values(index.files)) delete entry.source;
  fs.writeFileSync(path.join(state, name), JSON.stringify(index));
  expect(objectsRendered()).toEqual(expect.arrayContaining(['a', 'b']));
  expect(objectsRendered()).not.toEqual(expect.arrayContaining(['a']));
});

test('a rendered file edited with its size and time kept is rendered again, not read back', () => {
  age(60);
  distReads();
  const file = path.join(dist, 'cluster', 'machines', 'machine.infra-machines.a.yaml');
  const written = fs.readFileSync(file, 'utf8');
  const { mtime } = fs.statSync(file);
  fs.writeFileSync(file, written.replace('memory:', 'memorx:'));
  fs.utimesSync(file, mtime, mtime);
  // Its text is checked against the index's hash before it is taken for the render.
  expect(objectsRendered()).toContain('a');
});

test('an object is keyed by its exact structure: undefined, -0, NaN and a number\'s type are told apart', () => {
  expect(renderKey({ a: 1, b: [1, 'x'] })).toBe(renderKey({ a: 1, b: [1, 'x'] }));
  expect(renderKey({ a: undefined })).not.toBe(renderKey({}));
  expect(renderKey({ a: -0 })).not.toBe(renderKey({ a: 0 }));
  expect(renderKey({ a: [NaN, Infinity] })).not.toBe(renderKey({ a: [null, null] }));
  expect(renderKey({ a: 1 })).not.toBe(renderKey({ a: '1' }));
  expect(renderKey({ a: 1, b: 2 })).not.toBe(renderKey({ b: 2, a: 1 }));
});

test('after dist/ is deleted, the index it left is not used: none of its files is looked for', () => {
  age(60);
  distReads();
  expect(indexFiles()).toHaveLength(1);
  fs.rmSync(dist, { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const stat = jest.spyOn(require('fs') as typeof fs, 'statSync');
  try {
    expect(synthesize({ projectDir: project }).written).toBe(true);
    expect(stat.mock.calls.map(([file]) => String(file)).filter((file) => file.startsWith(`${dist}${path.sep}`))).toEqual([]);
  } finally {
    stat.mockRestore();
  }
});

test('a synth that writes the tree drops its index and stats none of the files it wrote', () => {
  age(60);
  distReads();
  expect(indexFiles()).toHaveLength(1);
  fs.writeFileSync(path.join(project, 'claims', 'a.yaml'), JSON.stringify(minimalMachine('a', { memory: { size: 4096 } })));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const stat = jest.spyOn(require('fs') as typeof fs, 'statSync');
  let stated: Set<number>;
  try {
    expect(synthesize({ projectDir: project }).written).toBe(true);
    stated = new Set(stat.mock.results.map((result) => (result.value as fs.Stats | undefined)?.ino).filter((ino) => ino !== undefined));
  } finally {
    stat.mockRestore();
  }
  // The old tree's files are stated as they are read; none of the new tree's.
  expect(Object.keys(readTree(dist)).filter((file) => stated.has(fs.statSync(path.join(dist, file)).ino))).toEqual([]);
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
  // Read, as every file rendered from an object is; of the others, none.
  expect(distReads().sort()).toEqual(renderedFiles());
  expect(fs.readFileSync(file, 'utf8')).toBe(written);
});

test('a file that synth would now write differently is read, though unchanged on disk', () => {
  age(60);
  distReads();
  fs.writeFileSync(path.join(project, 'claims', 'a.yaml'), JSON.stringify(minimalMachine('a', { memory: { size: 4096 } })));
  const reads = distReads();
  expect(reads).toContain(path.join(dist, 'cluster', 'machines', 'machine.infra-machines.a.yaml'));
  // b's Machine is read once, instead of rendered; its host facts, known by their stat, not at all.
  expect(reads.filter((file) => file.endsWith('machine.infra-machines.b.yaml'))).toHaveLength(1);
  expect(reads).not.toContain(path.join(dist, 'hosts', 'infra-machines', 'b.json'));
});

test('the index of a tree that is gone (a temporary --out) is deleted when another tree is indexed; a tree that exists keeps its own', () => {
  const state = path.join(project, '.fabric');
  const elsewhere = fs.mkdtempSync(path.join(path.dirname(project), 'fabric-out-'));
  const temporary = path.join(elsewhere, 'a');
  const kept = path.join(elsewhere, 'b');
  // A tree is indexed by the run after the one that wrote it.
  for (const out of [dist, temporary, temporary, kept, kept]) synthesize({ projectDir: project, outDir: out });
  expect(indexFiles()).toHaveLength(3);
  // An index from before the list of trees, of no tree it names: deleted too.
  fs.writeFileSync(path.join(state, 'tree-index-0123456789ab.json'), '{}');
  fs.rmSync(temporary, { recursive: true });
  fs.writeFileSync(path.join(project, 'claims', 'c.yaml'), JSON.stringify(minimalMachine('c')));
  synthesize({ projectDir: project });
  synthesize({ projectDir: project });
  try {
    expect(indexFiles()).toHaveLength(2);
    expect(Object.values(JSON.parse(fs.readFileSync(path.join(state, 'tree-indexes.json'), 'utf8'))).sort()).toEqual([dist, kept].sort());
  } finally {
    fs.rmSync(elsewhere, { recursive: true, force: true });
  }
});
