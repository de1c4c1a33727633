/**
 * Asking git: a child process per question. Fabric reads git's objects only through git itself, so no
 * repository layout (worktrees, packed refs, reftable, SHA-256) needs to be understood here.
 */
import { spawnSync } from 'child_process';

/** `git <args>` in `cwd`: its stdout, or undefined when git is missing or the command fails. */
export function gitOutput(cwd: string, args: readonly string[], input?: string): Buffer | undefined {
  const run = spawnSync('git', args, { cwd, input, maxBuffer: 1 << 30 });
  return run.status === 0 ? run.stdout : undefined;
}
