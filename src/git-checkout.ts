/**
 * Whether git could find a checkout from `dir`, decided without starting git: git's discovery (setup.c,
 * setup_git_directory_gently_1) looks for a `.git` entry, a folder or a worktree's file, in `dir` and each
 * parent, unless GIT_DIR names the repository. It also takes a folder that is itself a bare repository,
 * which has no working tree to compare dist/ with, so that case is left out. Starting git costs a process;
 * most projects synth runs on in tests and throwaway folders are in no repository at all.
 */
import * as fs from 'fs';
import * as path from 'path';

export function mayBeInGitCheckout(dir: string): boolean {
  if (process.env.GIT_DIR !== undefined) return true;
  let current = path.resolve(dir);
  for (;;) {
    if (fs.existsSync(path.join(current, '.git'))) return true;
    const parent = path.dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}
