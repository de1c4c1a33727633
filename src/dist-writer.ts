/**
 * Atomic output. cdk8s empties its output folder before it synthesizes; a failure half-way would leave an
 * empty dist/ that, committed, makes ArgoCD prune every Machine. Here the new tree is written beside dist/
 * and swapped in by two renames only when complete. A run killed between them is repaired by the next
 * run, which finds dist/ missing and the previous tree still there.
 */
import * as fs from 'fs';
import * as path from 'path';

const NEXT_PREFIX = '.dist-next-';
const PREVIOUS_PREFIX = '.dist-previous-';

/** Replaces `target` by a folder holding exactly `files` (relative path → content). */
export function writeTreeAtomically(target: string, files: ReadonlyMap<string, string>): void {
  if (files.size === 0) throw new Error(`refusing to write an empty ${path.basename(target)}/`);
  const parent = path.dirname(target);
  recoverInterruptedSwap(target);
  const next = path.join(parent, `${NEXT_PREFIX}${process.pid}`);
  fs.rmSync(next, { recursive: true, force: true });
  try {
    for (const [relative, content] of files) {
      const file = path.join(next, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
  } catch (error) {
    fs.rmSync(next, { recursive: true, force: true });
    throw error;
  }
  const previous = path.join(parent, `${PREVIOUS_PREFIX}${process.pid}`);
  const hadTarget = fs.existsSync(target);
  if (hadTarget) fs.renameSync(target, previous);
  try {
    fs.renameSync(next, target);
  } catch (error) {
    if (hadTarget) fs.renameSync(previous, target);
    throw error;
  }
  if (hadTarget) fs.rmSync(previous, { recursive: true, force: true });
}

/**
 * Cleans up after a killed run: leftover new trees are dropped; if dist/ itself is missing while a
 * previous tree exists, that tree is put back.
 */
export function recoverInterruptedSwap(target: string): void {
  const parent = path.dirname(target);
  if (!fs.existsSync(parent)) return;
  const leftovers = fs.readdirSync(parent).filter((name) => name.startsWith(NEXT_PREFIX) || name.startsWith(PREVIOUS_PREFIX));
  for (const name of leftovers.sort()) {
    const full = path.join(parent, name);
    if (name.startsWith(PREVIOUS_PREFIX) && !fs.existsSync(target)) fs.renameSync(full, target);
    else fs.rmSync(full, { recursive: true, force: true });
  }
}
