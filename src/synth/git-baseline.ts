/**
 * The tree committed in git: what ArgoCD syncs is the commit, not the working tree, so the destroy guard
 * also compares against `HEAD:<dist path>`. A deleted or emptied dist/ on disk then cannot hide a committed
 * Machine. git itself is asked (rev-parse, ls-tree, cat-file): the project is a git checkout, so git is there.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { gitOutput } from './git';

export interface CommittedTree {
  /** The commit HEAD names. */
  readonly head: string;
  /**
   * The YAML files of `HEAD:<outDir>` that the tree on disk does not hold as they are (all of them when no
   * tree is given): path relative to outDir → text. A file equal on disk says nothing the disk does not.
   */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * The tree committed at `HEAD:<outDir>`, when `projectDir` is in a git checkout with a commit and outDir
 * lies inside it; undefined otherwise (no git, no commit, outDir elsewhere). Blobs whose hash equals the
 * git hash of the file on disk (`onDisk`, path relative to outDir → text) are not read: after a commit of
 * dist/, that is all of them.
 */
export function committedTree(projectDir: string, outDir: string, onDisk: ReadonlyMap<string, string> = new Map()): CommittedTree | undefined {
  if (!fs.existsSync(projectDir)) return undefined;
  const { top, head } = checkoutHead(projectDir);
  if (!top || !head) return undefined;
  const relative = path.relative(top, realOutDir(outDir));
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const prefix = relative === '' ? '' : `${relative.split(path.sep).join('/')}/`;
  const listing = yamlBlobs(top, head, prefix);
  if (listing === undefined) return undefined;
  const blobs = listing
    .map(([hash, full]) => ({ hash, file: full.slice(prefix.length) }))
    .filter(({ hash, file }) => !sameBlob(hash, onDisk.get(file)));
  const files = new Map<string, string>();
  if (blobs.length === 0) return { head, files };
  // One process for every blob: `<hash> blob <size>\n<content>\n` each, or `<hash> missing\n`.
  const out = gitOutput(top, ['cat-file', '--batch'], blobs.map((b) => b.hash).join('\n') + '\n');
  // Listed but unreadable: guessing would hide committed Machines from the destroy guard.
  const unreadable = (why: string) => new Error(`git cat-file --batch in ${top}: ${why}: the files of ${head}:${prefix} cannot be read`);
  if (out === undefined) throw unreadable('failed');
  let offset = 0;
  for (const { file } of blobs) {
    const headerEnd = out.indexOf(10, offset);
    const header = out.subarray(offset, headerEnd).toString('utf8');
    const [, type, size] = header.split(' ');
    if (type !== 'blob') throw unreadable(header);
    files.set(file, out.subarray(headerEnd + 1, headerEnd + 1 + Number(size)).toString('utf8'));
    offset = headerEnd + 1 + Number(size) + 1;
  }
  return { head, files };
}

/** The checkout's top folder and the commit HEAD names: empty when there is no git, no checkout or no commit. */
function checkoutHead(projectDir: string): { top?: string; head?: string } {
  // `--verify -q HEAD` prints the commit after the top level, and nothing (exit 1) before the first commit.
  const [top, head] = (gitOutput(projectDir, ['rev-parse', '--show-toplevel', '--verify', '-q', 'HEAD'])?.toString('utf8') ?? '').split('\n');
  return top && head ? { top: fs.realpathSync(top), head } : {};
}

/** [blob hash, path from the top of the checkout] of each YAML file of `<head>:<prefix>`. */
function yamlBlobs(top: string, head: string, prefix: string): Array<[string, string]> | undefined {
  const output = gitOutput(top, ['ls-tree', '-r', '-z', '--full-tree', head, '--', prefix || '.'])?.toString('utf8');
  if (output === undefined) return undefined;
  return output.split('\0').filter(Boolean)
    .map((line): [string, string] => { const [meta, full] = line.split('\t'); return [meta.split(' ')[2], full]; })
    .filter(([, full]) => full.startsWith(prefix) && /\.ya?ml$/.test(full));
}

/** Whether `text` is the blob git names `hash` (SHA-1, or SHA-256 in a repository that uses it). */
function sameBlob(hash: string, text: string | undefined): boolean {
  if (text === undefined) return false;
  const content = Buffer.from(text, 'utf8');
  const digest = crypto.createHash(hash.length === 64 ? 'sha256' : 'sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
  return digest === hash;
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
