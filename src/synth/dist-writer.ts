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

/** Names of the work folders beside `target`, e.g. `.dist-next-` and `.dist-previous-` for dist/. */
function prefixes(target: string): { next: string; previous: string } {
  const base = path.basename(target);
  return { next: `.${base}-next-`, previous: `.${base}-previous-` };
}

/** Writes `files` (relative path → content) under `root`, creating folders as it goes. */
function writeFiles(root: string, files: ReadonlyMap<string, string>): void {
  const folders = new Set<string>();
  for (const [relative, content] of files) {
    const file = path.join(root, relative);
    const folder = path.dirname(file);
    if (!folders.has(folder)) fs.mkdirSync(folder, { recursive: true });
    folders.add(folder);
    fs.writeFileSync(file, content);
  }
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
    writeFiles(next, files);
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
