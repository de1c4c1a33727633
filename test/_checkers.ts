/**
 * The real external checkers some tests run (`cloud-init schema`, `nix-instantiate`, `sh`). On a
 * machine without the tool those tests are skipped and say why; with FABRIC_REQUIRE_TOOLS=1 (this project's
 * CI, where .ci/install-checkers.sh installs them) a missing tool is a failure: a silent skip would hide a
 * broken check.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import { REQUIRE_TOOLS } from './_helpers';

export function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' }).status === 0;
}

/** `test` when `tool` is on PATH; otherwise a skipped test, or with FABRIC_REQUIRE_TOOLS=1 a test that fails and names the tool. */
export function testWith(tool: string): (name: string, body: () => void) => void {
  if (onPath(tool)) return (name, body) => test(name, body);
  if (REQUIRE_TOOLS) {
    return (name) => test(name, () => {
      throw new Error(`${tool} is not on PATH; FABRIC_REQUIRE_TOOLS=1 requires it (.ci/install-checkers.sh installs it)`);
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

/**
 * `cloud-init schema --config-file <file>` for each file, in one Python process: cloud-init's own CLI entry
 * point (cloudinit.cmd.main.main, what the `cloud-init` script runs) is called once per file, under the
 * interpreter the script names. A start of the CLI costs about 0.35 s of CPU, nearly all of it imports. A
 * `cloud-init` that is no Python script, or whose modules this cannot call, runs once per file.
 */
export function cloudInitSchema(files: readonly string[]): RunResult[] {
  const cli = spawnSync('sh', ['-c', 'command -v cloud-init'], { encoding: 'utf8' }).stdout.trim();
  const python = /^#!\s*(\S*python\S*)/.exec(fs.readFileSync(cli, 'utf8').split('\n', 1)[0])?.[1];
  if (python === undefined) return files.map((file) => run('cloud-init', ['schema', '--config-file', file]));
  const batch = run(python, ['-c', CLOUD_INIT_SCHEMA, ...files]);
  // Should cloud-init's module layout differ from the one this calls, the CLI itself still answers.
  if (batch.status !== 0) return files.map((file) => run('cloud-init', ['schema', '--config-file', file]));
  return JSON.parse(batch.stdout.trim().split('\n').pop()!);
}

const CLOUD_INIT_SCHEMA = `
import contextlib, io, json, sys
from cloudinit.cmd.main import main
results = []
for path in sys.argv[1:]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            status = main(['cloud-init', 'schema', '--config-file', path]) or 0
        except SystemExit as exit:
            status = exit.code if isinstance(exit.code, int) else 1
    results.append({'status': status, 'stdout': stdout.getvalue(), 'stderr': stderr.getvalue()})
print(json.dumps(results))
`;
