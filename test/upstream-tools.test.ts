/**
 * tools/build.sh, which the upstream checks get their tools from: without Go, or for a tool it does not pin,
 * it fails saying why (the upstream tests put that reason in their skipped title, or fail with it in CI).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO } from './_helpers';

const BUILD = path.join(REPO, 'tools', 'build.sh');

function build(tool: string, env: NodeJS.ProcessEnv = process.env) {
  return spawnSync('bash', [BUILD, tool], { encoding: 'utf8', env });
}

/** PATH without every folder that holds a `go`. */
const pathWithoutGo = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => !fs.existsSync(path.join(dir, 'go'))).join(path.delimiter);

describe('tools/build.sh', () => {
  test('without Go on PATH, names the tool and says how to get Go', () => {
    const result = build('crank', { ...process.env, PATH: pathWithoutGo });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('tools/build.sh: crank needs Go (https://go.dev/dl/) on PATH');
  });

  test('refuses a tool it does not pin', () => {
    const result = build('kubectl');
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('tools/build.sh: no tool named kubectl (no tools/kubectl/go.mod)');
  });
});
