/**
 * The git checkout a folder is in, and the commit its HEAD names, found without starting git where that is
 * plain to see: starting git costs a process (about 30 ms), and most projects synth runs on in tests and
 * throwaway folders are in no repository at all, while a checkout's HEAD is nearly always a branch in a file.
 *
 * Discovery follows git's (setup.c, setup_git_directory_gently_1): a `.git` entry, a folder or a worktree's
 * file, in the folder or a parent, unless GIT_DIR names the repository. A folder that is itself a bare
 * repository has no working tree to compare dist/ with, so that case is left out.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Whether git could find a checkout from `dir` (a repository GIT_DIR names counts). */
export function mayBeInGitCheckout(dir: string): boolean {
  if (process.env.GIT_DIR !== undefined) return true;
  return checkoutTop(dir) !== undefined;
}

/** The nearest folder from `dir` up that holds a `.git` entry. */
function checkoutTop(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    if (fs.existsSync(path.join(current, '.git'))) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

export interface CheckoutHead {
  /** The checkout's top folder, symlinks resolved (as `git rev-parse --show-toplevel` prints it). */
  readonly top: string;
  /** The commit HEAD names; undefined on a branch without a commit yet. */
  readonly head: string | undefined;
}

/** Variables that move git's repository or working tree away from what the files below `.git` say. */
const GIT_LOCATION_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM'];
/** Settings after which only git reads the checkout right: another working tree, a bare repository, refs not in files, includes. */
const SETTINGS_ONLY_GIT_READS = /^\s*(worktree\s*=|bare\s*=\s*true|refstorage\s*=|\[\s*include)/im;
const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * The checkout of `dir` and its HEAD commit, read from the repository's files (git's gitrepository-layout)
 * instead of a `git rev-parse` process, which is most of what a synth in a checkout spends on git. HEAD is
 * a commit (detached) or `ref: refs/heads/<branch>`; a branch is read as git's files backend reads it
 * (refs/files-backend.c, read_ref_internal): its loose file in the common folder first, and only when that
 * does not exist its line in packed-refs. Undefined when anything is not that plain — a variable or a setting
 * that moves the repository, a symbolic or odd ref, a file that cannot be read: the caller then asks git.
 */
export function checkoutHeadFromFiles(dir: string): CheckoutHead | undefined {
  if (GIT_LOCATION_VARIABLES.some((name) => process.env[name] !== undefined)) return undefined;
  const top = checkoutTop(dir);
  if (top === undefined) return undefined;
  try {
    const dotGit = path.join(top, '.git');
    const gitDir = fs.statSync(dotGit).isDirectory() ? dotGit : linkedGitDir(dotGit);
    if (gitDir === undefined) return undefined;
    const common = optionalText(path.join(gitDir, 'commondir'))?.trim();
    const commonDir = common ? path.resolve(gitDir, common) : gitDir;
    const settings = [path.join(commonDir, 'config'), path.join(gitDir, 'config.worktree')].map(optionalText).join('\n');
    if (SETTINGS_ONLY_GIT_READS.test(settings)) return undefined;
    const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    if (OBJECT_ID.test(head)) return { top: fs.realpathSync(top), head };
    const branch = /^ref:\s*(refs\/heads\/\S+)$/.exec(head)?.[1];
    if (branch === undefined) return undefined;
    const resolved = branchCommit(commonDir, branch);
    return resolved === 'unknown' ? undefined : { top: fs.realpathSync(top), head: resolved };
  } catch {
    return undefined;
  }
}

/** The folder a linked worktree's or a submodule's `.git` file names (`gitdir: <path>`). */
function linkedGitDir(dotGitFile: string): string | undefined {
  const target = /^gitdir:\s*(.+?)\s*$/m.exec(fs.readFileSync(dotGitFile, 'utf8'))?.[1];
  return target === undefined ? undefined : path.resolve(path.dirname(dotGitFile), target);
}

/** A branch's commit: its loose file, else its packed-refs line; undefined when it has neither (no commit yet). */
function branchCommit(commonDir: string, branch: string): string | undefined | 'unknown' {
  const loose = path.join(commonDir, ...branch.split('/'));
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(loose);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return 'unknown';
  }
  if (stat !== undefined) {
    if (!stat.isFile()) return 'unknown';
    const id = fs.readFileSync(loose, 'utf8').trim();
    return OBJECT_ID.test(id) ? id : 'unknown';
  }
  const packed = optionalText(path.join(commonDir, 'packed-refs')) ?? '';
  for (const line of packed.split('\n')) {
    const [id, name] = line.trim().split(' ');
    if (name === branch && OBJECT_ID.test(id)) return id;
  }
  return undefined;
}

/** `git <args>` in `cwd`, `input` on its stdin: its stdout when it exits 0. */
export function gitOutput(cwd: string, args: readonly string[], input?: string): Buffer | undefined {
  const run = spawnSync('git', args, { cwd, input, maxBuffer: 1 << 30 });
  return run.status === 0 ? run.stdout : undefined;
}

function optionalText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
