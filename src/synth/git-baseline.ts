/**
 * The tree committed in git: what ArgoCD syncs is the commit, not the working tree, so the destroy guard
 * also compares against `HEAD:<dist path>`. A deleted or emptied dist/ on disk then cannot hide a committed
 * Machine. Plain `git` (ls-tree, cat-file) in a child process reads the objects: the project is a git
 * checkout, so git is there, and no library needs to understand the repository's format. Which commit HEAD
 * names is read from its files when they are plain (git-checkout.ts), else from `git rev-parse`. What
 * `git ls-tree` lists for a commit never changes, so the last listing is kept in .fabric/: a synth at the
 * same HEAD, with dist/ as committed, starts no git process at all.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CheckoutHead, checkoutHeadFromFiles, gitOutput, mayBeInGitCheckout } from './git-checkout';
import { LOCAL_STATE_DIR } from './local-state';

/** The last `HEAD:<out dir>` listing: its commit, its folder, and each YAML file's blob hash and path. */
export const COMMITTED_LISTING_FILE = path.join(LOCAL_STATE_DIR, 'committed-listing.json');

interface Listing {
  readonly head: string;
  readonly prefix: string;
  /** [blob hash, path from the top of the checkout]. */
  readonly blobs: ReadonlyArray<readonly [string, string]>;
}

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
 * dist/, that is all of them. The commit's listing is kept in .fabric/ unless `remember` is false (a plan).
 */
export function committedTree(projectDir: string, outDir: string, onDisk: ReadonlyMap<string, string> = new Map(), remember = true): CommittedTree | undefined {
  if (!fs.existsSync(projectDir) || !mayBeInGitCheckout(projectDir)) return undefined;
  const { top, head } = checkoutHeadFromFiles(projectDir) ?? checkoutHeadFromGit(projectDir);
  if (!top || !head) return undefined;
  const relative = path.relative(top, realOutDir(outDir));
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const prefix = relative === '' ? '' : `${relative.split(path.sep).join('/')}/`;
  const listing = listingOf(projectDir, top, head, prefix, remember);
  if (listing === undefined) return undefined;
  const blobs = listing.blobs
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

/** What `git rev-parse` says, when the files cannot: empty when there is no checkout or no commit. */
function checkoutHeadFromGit(projectDir: string): Partial<CheckoutHead> {
  // `--verify -q HEAD` prints the commit after the top level, and nothing (exit 1) before the first commit.
  const [top, head] = (gitOutput(projectDir, ['rev-parse', '--show-toplevel', '--verify', '-q', 'HEAD'])?.toString('utf8') ?? '').split('\n');
  return top && head ? { top: fs.realpathSync(top), head } : {};
}

/**
 * The YAML files of `<head>:<prefix>`: from .fabric/ when it holds that very listing, else from `git ls-tree`
 * (kept in .fabric/ when `remember`; a plan writes nothing).
 */
function listingOf(projectDir: string, top: string, head: string, prefix: string, remember: boolean): Listing | undefined {
  const file = path.join(projectDir, COMMITTED_LISTING_FILE);
  try {
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as Listing;
    if (kept.head === head && kept.prefix === prefix && Array.isArray(kept.blobs)) return kept;
  } catch {
    // None kept, or unreadable: listed again below.
  }
  const output = gitOutput(top, ['ls-tree', '-r', '-z', '--full-tree', head, '--', prefix || '.'])?.toString('utf8');
  if (output === undefined) return undefined;
  const blobs = output.split('\0').filter(Boolean)
    .map((line): [string, string] => { const [meta, full] = line.split('\t'); return [meta.split(' ')[2], full]; })
    .filter(([, full]) => full.startsWith(prefix) && /\.ya?ml$/.test(full));
  const listing = { head, prefix, blobs };
  if (remember) {
    // Written in place: a half-written file does not parse and reads as none.
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(listing));
  }
  return listing;
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
