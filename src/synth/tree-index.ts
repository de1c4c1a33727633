/**
 * A tree as synth last found it holding what synth writes, file by file: size, modification time and a hash
 * of the content. A re-synth then tells a file that still holds it from its stat alone, instead of reading
 * it, as git's index does for a working tree; a file whose size or time differs is read as before. At 10,000
 * Machines that is 20,000 reads saved on every re-synth. Kept in .fabric/ (git-ignored), per tree. A run
 * that writes the tree drops its index (forgetTreeIndex says why); the run after indexes the new files.
 *
 * For a file rendered from an object it also keeps a key of that object (renderKey). A re-synth that
 * renders an object of the same key, and finds the file still holding what was indexed, reads the file
 * instead of rendering the object to YAML again: at 10,000 Machines, 4.7 s → 4.1 s.
 *
 * Like git, it guards against an edit that keeps the size within the file system's timestamp granularity:
 * a file whose time is not clearly older than the index is read, and the index is written again once such
 * a file is found unchanged, so the run after that trusts it.
 *
 * The trees indexed are listed by out dir (tree-indexes.json); the index of a tree that no longer exists (a
 * temporary `--out`) is deleted when another is written, so .fabric/ does not grow with every such run.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { LOCAL_STATE_DIR } from './local-state';

interface Entry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly hash: string;
  /** For a file rendered from an object: that object's renderKey. */
  readonly source?: string;
}

/** What renders an object to YAML: cdk8s's Yaml.stringify, with the yaml library cdk8s bundles. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RENDERER = `cdk8s@${(require('cdk8s/package.json') as { version: string }).version}`;

/**
 * What an object renders to, as a key: its JSON with what JSON would drop or blur (undefined, -0, NaN and
 * the infinities, which YAML writes apart) marked by a NUL-named key no Kubernetes object has, hashed with
 * the renderer's version.
 */
export function renderKey(object: object): string {
  return crypto.createHash('sha1').update(RENDERER).update(JSON.stringify(object, markUnlikeJson)).digest('hex');
}

/** Marks undefined, -0, NaN and the infinities, which JSON drops or writes as another value. */
function markUnlikeJson(_key: string, value: unknown): unknown {
  const unlike = value === undefined || (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0)));
  return unlike ? { '\u0000': Object.is(value, -0) ? '-0' : String(value) } : value;
}

/** The index of one tree: when it was written, and `/`-separated path relative to the tree → entry. */
export interface TreeIndex {
  readonly writtenAt: number;
  readonly files: ReadonlyMap<string, Entry>;
}

/** How much older than the index a file's time must be to be trusted (coarse file system timestamps). */
const RACY_MS = 2000;

/** Index file name → the out dir it indexes. */
const TREES_FILE = 'tree-indexes.json';

function indexName(outDir: string): string {
  return `tree-index-${crypto.createHash('sha1').update(path.resolve(outDir)).digest('hex').slice(0, 12)}.json`;
}

function indexFile(projectDir: string, outDir: string): string {
  return path.join(projectDir, LOCAL_STATE_DIR, indexName(outDir));
}

export function contentHash(text: string): string {
  return crypto.createHash('sha1').update(text).digest('hex');
}

/**
 * The index synth wrote for `outDir`, empty when there is none (or it cannot be read), and when `tree`, what
 * `outDir` holds (itself, or the tree a killed swap left), is gone: an index outlives a deleted tree, and
 * would have each of its files looked for and each object's key computed, for nothing.
 */
export function readTreeIndex(projectDir: string, outDir: string, tree = outDir): TreeIndex {
  if (!fs.existsSync(tree)) return { writtenAt: 0, files: new Map() };
  try {
    const { writtenAt, files } = JSON.parse(fs.readFileSync(indexFile(projectDir, outDir), 'utf8')) as { writtenAt: number; files: Record<string, Entry> };
    return { writtenAt, files: new Map(Object.entries(files)) };
  } catch {
    return { writtenAt: 0, files: new Map() };
  }
}

/** A file's renderKey, for a file rendered from an object (else undefined). */
export type SourceKey = (file: string) => string | undefined;

/** The renderKey of each object's file, each computed once and only when asked for. */
export function sourceKeys(objects: ReadonlyMap<string, object>): SourceKey {
  const keys = new Map<string, string>();
  return (file) => {
    const object = objects.get(file);
    if (object !== undefined && !keys.has(file)) keys.set(file, renderKey(object));
    return keys.get(file);
  };
}

/**
 * Records that `outDir` holds `files`, with each file's size and time as the disk has them now, and the
 * renderKey of the object each rendered file was rendered from.
 */
export function writeTreeIndex(projectDir: string, outDir: string, files: ReadonlyMap<string, string>, sourceOf: SourceKey): void {
  const entries: Record<string, Entry> = {};
  for (const [file, text] of files) {
    const stat = fs.statSync(path.join(outDir, file));
    entries[file] = { size: stat.size, mtimeMs: stat.mtimeMs, hash: contentHash(text), source: sourceOf(file) };
  }
  const target = indexFile(projectDir, outDir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, JSON.stringify({ writtenAt: Date.now(), files: entries }));
  pruneIndexes(path.dirname(target), path.basename(target), path.resolve(outDir));
}

/**
 * Drops the index of `outDir`, as synth writes a new tree there. The new files would be about as new as
 * their index, too new to be trusted by their time (RACY_MS): the next run reads them anyway and indexes
 * them then, so a stat of each now (20,000 at 10,000 Machines) would be work thrown away.
 */
export function forgetTreeIndex(projectDir: string, outDir: string): void {
  fs.rmSync(indexFile(projectDir, outDir), { force: true });
}

/** Lists `outDir`'s index, and deletes every index of a tree that is gone (or of no tree listed). */
function pruneIndexes(stateDir: string, written: string, outDir: string): void {
  let trees: Record<string, string> = {};
  try {
    trees = JSON.parse(fs.readFileSync(path.join(stateDir, TREES_FILE), 'utf8'));
  } catch {
    // None yet, or unreadable: every other index is of a tree not listed.
  }
  const kept: Record<string, string> = { [written]: outDir };
  for (const name of fs.readdirSync(stateDir).filter((file) => /^tree-index-[0-9a-f]+\.json$/.test(file) && file !== written)) {
    const tree = trees[name];
    if (tree !== undefined && fs.existsSync(tree)) kept[name] = tree;
    else fs.rmSync(path.join(stateDir, name), { force: true });
  }
  fs.writeFileSync(path.join(stateDir, TREES_FILE), JSON.stringify(kept));
}

/**
 * The text of `file` in `dir` when the index shows it rendered from an object of the renderKey it has now
 * and the file still holds it: read, not rendered again (a read costs a fraction of a render). Else
 * undefined. The key is only computed when the index has one to compare. A file already read this run
 * is given as `read`.
 */
export function renderedBefore(index: TreeIndex, dir: string, file: string, sourceOf: SourceKey, read?: string): string | undefined {
  const entry = index.files.get(file);
  if (entry?.source === undefined || entry.source !== sourceOf(file)) return undefined;
  // Already read this run (`read`): its hash says whether it still holds what was indexed.
  if (read !== undefined) return contentHash(read) === entry.hash ? read : undefined;
  const full = path.join(dir, file);
  const stat = fs.statSync(full, { throwIfNoEntry: false });
  if (!stat || !unchangedSinceIndexed(index, file, stat)) return undefined;
  const text = fs.readFileSync(full, 'utf8');
  return contentHash(text) === entry.hash ? text : undefined;
}

/** Whether a file on disk, by its stat, still holds what the index recorded. */
export function unchangedSinceIndexed(index: TreeIndex, file: string, stat: fs.Stats): Entry | undefined {
  const entry = index.files.get(file);
  return entry !== undefined && statUnchanged(entry, index.writtenAt, stat) ? entry : undefined;
}

/**
 * Whether a file recorded with `recorded` size and time at `recordedAt` is, by its `stat` now, the same
 * file: same size and time, and a time clearly older than the record (else an edit within the file
 * system's timestamp granularity could keep both).
 */
export function statUnchanged(recorded: { readonly size: number; readonly mtimeMs: number }, recordedAt: number, stat: fs.Stats): boolean {
  return recorded.mtimeMs + RACY_MS <= recordedAt && recorded.size === stat.size && recorded.mtimeMs === stat.mtimeMs;
}
