/**
 * The tree committed in git: what ArgoCD syncs is the commit, not the working tree, so the destroy guard
 * also compares against `HEAD:<dist path>`. A deleted or emptied dist/ on disk then cannot hide a committed
 * Machine. Plain `git` (ls-tree, cat-file) in a child process: the project is a git checkout, so git is
 * there, and no library needs to understand the repository's format.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

function git(cwd: string, args: readonly string[], input?: string): string | undefined {
  const run = spawnSync('git', args, { cwd, encoding: 'utf8', input, maxBuffer: 1 << 30 });
  return run.status === 0 ? run.stdout : undefined;
}

export interface CommittedTree {
  /** The commit HEAD names. */
  readonly head: string;
  /** The YAML files of `HEAD:<outDir>`: path relative to outDir → text. */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * The tree committed at `HEAD:<outDir>`, when `projectDir` is in a git checkout with a commit and outDir
 * lies inside it; undefined otherwise (no git, no commit, outDir elsewhere).
 */
export function committedTree(projectDir: string, outDir: string): CommittedTree | undefined {
  if (!fs.existsSync(projectDir)) return undefined;
  const top = git(projectDir, ['rev-parse', '--show-toplevel'])?.trim();
  if (!top) return undefined;
  const relative = path.relative(fs.realpathSync(top), realOutDir(outDir));
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const prefix = relative === '' ? '' : `${relative.split(path.sep).join('/')}/`;
  const head = git(top, ['rev-parse', '--verify', '-q', 'HEAD'])?.trim();
  const listing = head ? git(top, ['ls-tree', '-r', '-z', '--full-tree', head, '--', prefix || '.']) : undefined;
  if (!head || listing === undefined) return undefined;
  const blobs = listing.split('\0').filter(Boolean)
    .map((line) => { const [meta, file] = line.split('\t'); return { hash: meta.split(' ')[2], file }; })
    .filter(({ file }) => /\.ya?ml$/.test(file) && file.startsWith(prefix));
  const files = new Map<string, string>();
  if (blobs.length === 0) return { head, files };
  // One process for every blob: `<hash> blob <size>\n<content>\n` each.
  const out = spawnSync('git', ['cat-file', '--batch'], { cwd: top, input: blobs.map((b) => b.hash).join('\n') + '\n', maxBuffer: 1 << 30 }).stdout as Buffer;
  let offset = 0;
  for (const { file } of blobs) {
    const headerEnd = out.indexOf(10, offset);
    const size = Number(out.subarray(offset, headerEnd).toString('utf8').split(' ')[2]);
    files.set(file.slice(prefix.length), out.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8'));
    offset = headerEnd + 1 + size + 1;
  }
  return { head, files };
}

/** outDir with symlinks resolved as far as it exists (it may have been deleted). */
function realOutDir(outDir: string): string {
  const missing: string[] = [];
  let existing = path.resolve(outDir);
  while (!fs.existsSync(existing)) {
    missing.unshift(path.basename(existing));
    existing = path.dirname(existing);
  }
  return path.join(fs.realpathSync(existing), ...missing);
}
