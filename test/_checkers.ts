/**
 * The real external checkers some tests run (`cloud-init schema`, `nix-instantiate`, `sh`). On a
 * developer machine without the tool those tests are skipped and say why; in CI (CI=true) a missing tool
 * is a failure, because .ci/install-checkers.sh installs it and a silent skip would hide a broken check.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';

export function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' }).status === 0;
}

/** `test` when `tool` is on PATH; otherwise a skipped test, or in CI a test that fails and names the tool. */
export function testWith(tool: string): (name: string, body: () => void) => void {
  if (onPath(tool)) return (name, body) => test(name, body);
  if (process.env.CI === 'true') {
    return (name) => test(name, () => {
      throw new Error(`${tool} is not on PATH; CI installs it with .ci/install-checkers.sh`);
    });
  }
  return (name, body) => test.skip(`${name} (needs ${tool} on PATH)`, body);
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): RunResult {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
