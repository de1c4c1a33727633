/**
 * Atomic output. cdk8s empties its output folder before it synthesizes; a failure half-way would leave an
 * empty dist/ that, committed, makes ArgoCD prune every Machine. Here the new tree is written beside dist/
 * and swapped in by two renames only when complete. A run killed between them is repaired by the next
 * run, which finds dist/ missing and the previous tree still there.
 *
 * The states a killed run can leave, and what the next run makes of them:
 * - killed while writing: dist/ intact, `.dist-next-<pid>` partial → the leftover is removed;
 * - killed between the renames: dist/ missing, `.dist-previous-<pid>` whole → it becomes dist/ again;
 * - killed after the swap: dist/ new, `.dist-previous-<pid>` (maybe half deleted) → the leftover is removed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { byCodeUnit } from '../util/compare';
import { besideWorker, startShareWorker } from './share-worker';

/** Names of the work folders beside `target`, e.g. `.dist-next-` and `.dist-previous-` for dist/. */
function prefixes(target: string): { next: string; previous: string } {
  const base = path.basename(target);
  return { next: `.${base}-next-`, previous: `.${base}-previous-` };
}

type Entries = Array<[string, string]>;
// Plain JavaScript, so that a worker thread runs the same file (_write-files.js says why).
const WRITE_FILES = path.join(__dirname, '_write-files.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeFiles, packShare } = require('./_write-files.js') as {
  writeFiles: (root: string, entries: Entries) => void;
  packShare: (entries: Entries) => { contents: ArrayBuffer };
};

/** Below this many files, starting a second thread (about 40 ms here) costs as much as it saves. */
export const TWO_THREADS_FROM = 2000;

/**
 * Splits files into two shares of about the same size, whole folders each, largest folders first: a
 * Machine's manifest and its host facts lie in different folders, so a fleet splits about in half.
 */
function sharesByFolder(files: ReadonlyMap<string, string>): [Entries, Entries] {
  const byFolder = new Map<string, Entries>();
  for (const [relative, content] of files) {
    const folder = path.dirname(relative);
    if (!byFolder.has(folder)) byFolder.set(folder, []);
    byFolder.get(folder)!.push([relative, content]);
  }
  const shares: [Entries[], Entries[]] = [[], []];
  const sizes = [0, 0];
  for (const entries of [...byFolder.values()].sort((a, b) => b.length - a.length)) {
    const smaller = sizes[0] <= sizes[1] ? 0 : 1;
    shares[smaller].push(entries);
    sizes[smaller] += entries.length;
  }
  return [shares[0].flat(), shares[1].flat()];
}

/**
 * Writes `files` under `root`. A large tree is written on two threads at once, a share each: creating a
 * file is mostly kernel work, which the second core then does too (a first synth of 10,000 Machines went
 * from 7.1–7.9 s to 5.4–5.9 s here). No folder is written by both threads, since creating files in one
 * folder takes that folder's lock. The worker's error, if any, is thrown here, after both are done.
 */
function writeFilesOnTwoThreads(root: string, files: ReadonlyMap<string, string>): void {
  if (files.size < TWO_THREADS_FROM) return writeFiles(root, [...files]);
  const [here, there] = sharesByFolder(files);
  const share = packShare(there);
  const worker = startShareWorker<{ root: string; share: { contents: ArrayBuffer } }, void>('writing files', WRITE_FILES, 'writeShare');
  besideWorker(worker.start({ root, share }, [share.contents]), () => writeFiles(root, here));
}

/** Replaces `target` by a folder holding exactly `files` (relative path → content). */
export function writeTreeAtomically(target: string, files: ReadonlyMap<string, string>): void {
  if (files.size === 0) throw new Error(`refusing to write an empty ${path.basename(target)}/`);
  for (const relative of files.keys()) {
    if (path.isAbsolute(relative) || path.normalize(relative).split(path.sep).includes('..')) {
      throw new Error(`refusing to write ${relative} outside ${path.basename(target)}/`);
    }
  }
  const parent = path.dirname(target);
  recoverInterruptedSwap(target);
  fs.mkdirSync(parent, { recursive: true });
  const { next: nextPrefix, previous: previousPrefix } = prefixes(target);
  const next = path.join(parent, `${nextPrefix}${process.pid}`);
  try {
    writeFilesOnTwoThreads(next, files);
  } catch (error) {
    fs.rmSync(next, { recursive: true, force: true });
    throw error;
  }
  const previous = path.join(parent, `${previousPrefix}${process.pid}`);
  const hadTarget = fs.existsSync(target);
  if (hadTarget) fs.renameSync(target, previous);
  try {
    fs.renameSync(next, target);
  } catch (error) {
    if (hadTarget) fs.renameSync(previous, target);
    fs.rmSync(next, { recursive: true, force: true });
    throw error;
  }
  if (hadTarget) fs.rmSync(previous, { recursive: true, force: true });
}

/**
 * Cleans up after a killed run: leftover new trees are dropped; if `target` itself is missing while a
 * previous tree exists, that tree is put back. Only the work folders of this `target` are touched.
 */
export function recoverInterruptedSwap(target: string): void {
  const parent = path.dirname(target);
  if (!fs.existsSync(parent)) return;
  const { next, previous } = prefixes(target);
  const leftovers = fs.readdirSync(parent).filter((name) => name.startsWith(next) || name.startsWith(previous));
  // New trees first: whatever they hold was never swapped in, so the previous tree is the one to restore.
  for (const name of leftovers.sort((a, b) => Number(b.startsWith(next)) - Number(a.startsWith(next)) || byCodeUnit(a, b))) {
    const full = path.join(parent, name);
    if (name.startsWith(previous) && !fs.existsSync(target)) fs.renameSync(full, target);
    else fs.rmSync(full, { recursive: true, force: true });
  }
}

/**
 * The folder holding what `target` holds once an interrupted swap is recovered, without recovering it:
 * `target` itself, or the previous tree a killed run left while `target` is missing. The plan reads this,
 * so a killed run cannot hide the Machines it was about to replace from the destroy guard.
 */
export function settledTree(target: string): string {
  if (fs.existsSync(target) || !fs.existsSync(path.dirname(target))) return target;
  const { previous } = prefixes(target);
  const left = fs.readdirSync(path.dirname(target)).filter((name) => name.startsWith(previous)).sort();
  return left.length > 0 ? path.join(path.dirname(target), left[0]) : target;
}
