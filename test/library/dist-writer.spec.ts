import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { recoverInterruptedSwap, settledTree, writeTreeAtomically } from '../../src/synth/dist-writer';
import { readTree } from '../_helpers';

let parent: string;
let dist: string;

const OLD = { 'cluster/platform/a.yaml': 'old a\n', 'cluster/machines/m.yaml': 'old m\n' };
const NEW = { 'cluster/platform/a.yaml': 'new a\n', 'cluster/machines/n.yaml': 'new n\n' };

/** Writes `files` below `dir` as they are, bypassing the writer: the states a killed run leaves. */
function plant(dir: string, files: Record<string, string>): void {
  for (const [relative, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    fs.writeFileSync(path.join(dir, relative), content);
  }
}

const entries = () => fs.readdirSync(parent).sort();
const tree = (files: Record<string, string>) => Object.fromEntries(Object.entries(files).map(([f, c]) => [path.normalize(f), c]));

beforeEach(() => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-dist-writer-'));
  dist = path.join(parent, 'dist');
});

afterEach(() => fs.rmSync(parent, { recursive: true, force: true }));

describe('writeTreeAtomically', () => {
  test('replaces the whole tree: stale files go, nothing is left beside it', () => {
    plant(dist, OLD);
    writeTreeAtomically(dist, new Map(Object.entries(NEW)));
    expect(readTree(dist)).toEqual(tree(NEW));
    expect(entries()).toEqual(['dist']);
  });

  test('creates the target and its parent when missing', () => {
    const nested = path.join(parent, 'a', 'b', 'dist');
    writeTreeAtomically(nested, new Map(Object.entries(NEW)));
    expect(readTree(nested)).toEqual(tree(NEW));
  });

  test('refuses an empty tree and leaves the target byte-identical', () => {
    plant(dist, OLD);
    expect(() => writeTreeAtomically(dist, new Map())).toThrow('refusing to write an empty dist/');
    expect(readTree(dist)).toEqual(tree(OLD));
  });

  test.each([['../escape.yaml'], ['cluster/../../escape.yaml'], ['/etc/escape.yaml']])('refuses a path outside the target: %s', (file) => {
    plant(dist, OLD);
    expect(() => writeTreeAtomically(dist, new Map([[file, 'x']]))).toThrow(`refusing to write ${file} outside dist/`);
    expect(readTree(dist)).toEqual(tree(OLD));
    expect(entries()).toEqual(['dist']);
  });

  test('a write that fails half-way leaves the target byte-identical and no work folder', () => {
    plant(dist, OLD);
    // 'cluster' is written as a file, so the next file cannot get its folder.
    const files = new Map([['cluster', 'a file'], ['cluster/platform/a.yaml', 'new a\n']]);
    expect(() => writeTreeAtomically(dist, files)).toThrow(/EEXIST|ENOTDIR/);
    expect(readTree(dist)).toEqual(tree(OLD));
    expect(entries()).toEqual(['dist']);
  });
});

describe('recovery from a killed run', () => {
  test('killed while writing: the partial new tree is dropped, dist/ stays', () => {
    plant(dist, OLD);
    plant(path.join(parent, '.dist-next-4242'), { 'cluster/platform/a.yaml': 'new a\n' });
    recoverInterruptedSwap(dist);
    expect(readTree(dist)).toEqual(tree(OLD));
    expect(entries()).toEqual(['dist']);
  });

  test('killed between the two renames: the previous tree becomes dist/ again', () => {
    plant(path.join(parent, '.dist-previous-4242'), OLD);
    plant(path.join(parent, '.dist-next-4242'), NEW);
    expect(settledTree(dist)).toBe(path.join(parent, '.dist-previous-4242'));
    recoverInterruptedSwap(dist);
    expect(readTree(dist)).toEqual(tree(OLD));
    expect(entries()).toEqual(['dist']);
  });

  test('killed after the swap, while deleting the previous tree: the new dist/ stays, the rest goes', () => {
    plant(dist, NEW);
    plant(path.join(parent, '.dist-previous-4242'), { 'cluster/machines/m.yaml': 'old m\n' });
    recoverInterruptedSwap(dist);
    expect(readTree(dist)).toEqual(tree(NEW));
    expect(entries()).toEqual(['dist']);
  });

  test('nothing to recover: nothing changes', () => {
    plant(dist, OLD);
    recoverInterruptedSwap(dist);
    expect(readTree(dist)).toEqual(tree(OLD));
    expect(settledTree(dist)).toBe(dist);
    recoverInterruptedSwap(path.join(parent, 'missing', 'dist'));
    expect(entries()).toEqual(['dist']);
  });

  test('only the work folders of this target are touched', () => {
    const out = path.join(parent, 'out');
    plant(path.join(parent, '.out-previous-7'), OLD);
    plant(path.join(parent, '.out-next-7'), NEW);
    plant(path.join(parent, '.dist-next-7'), NEW);
    recoverInterruptedSwap(dist);
    expect(entries()).toEqual(['.out-next-7', '.out-previous-7']);
    recoverInterruptedSwap(out);
    expect(readTree(out)).toEqual(tree(OLD));
    expect(entries()).toEqual(['out']);
  });

  test.each([
    ['killed while writing', () => { plant(dist, OLD); plant(path.join(parent, '.dist-next-1'), { 'x.yaml': 'partial' }); }],
    ['killed between the renames', () => { plant(path.join(parent, '.dist-previous-1'), OLD); plant(path.join(parent, '.dist-next-1'), NEW); }],
    ['killed after the swap', () => { plant(dist, OLD); plant(path.join(parent, '.dist-previous-1'), {}); }],
  ])('the next write after a run %s produces exactly the new tree', (_reason, leave) => {
    leave();
    writeTreeAtomically(dist, new Map(Object.entries(NEW)));
    expect(readTree(dist)).toEqual(tree(NEW));
    expect(entries()).toEqual(['dist']);
  });
});
