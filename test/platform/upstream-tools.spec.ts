/**
 * tools/build.sh, which the upstream checks get their tools from: without Go, or for a tool it does not pin,
 * it fails saying why (the upstream tests put that reason in their skipped title, or fail with it in CI).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO } from '../_helpers';

const BUILD = path.join(REPO, 'tools', 'build.sh');

function build(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync('bash', [BUILD, ...args], { encoding: 'utf8', env });
}

const emptyCache = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-tools-cache-'));

/** PATH without every folder that holds a `go`. */
const pathWithoutGo = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => !fs.existsSync(path.join(dir, 'go'))).join(path.delimiter);

describe('tools/build.sh', () => {
  test('without Go on PATH, names the tool and says how to get Go', () => {
    const result = build(['crank'], { ...process.env, PATH: pathWithoutGo, FABRIC_TOOLS_CACHE: emptyCache() });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('tools/build.sh: crank needs Go (https://go.dev/dl/) on PATH');
  });

  test('refuses a tool it does not pin', () => {
    const result = build(['kubectl']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('tools/build.sh: no tool named kubectl (no tools/kubectl/go.mod)');
  });

  test('with --if-built, never builds: a tool not built yet is refused with the command that builds it', () => {
    const result = build(['--if-built', 'crank'], { ...process.env, FABRIC_TOOLS_CACHE: emptyCache() });
    expect(result.status).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe('tools/build.sh: crank is not built yet; `bash tools/build.sh crank` builds it once (minutes)');
  });

  test('with --if-built, a tool already built is found without Go', () => {
    // A binary in the cache under the key build.sh computes from the tool's pinned module files.
    const key = spawnSync('bash', ['-c', 'cat go.mod go.sum *.go | sha256sum | cut -c1-16'], { cwd: path.join(REPO, 'tools', 'argocd-lua'), encoding: 'utf8' }).stdout.trim();
    const cache = emptyCache();
    const binary = path.join(cache, `argocd-lua-${key}`);
    fs.writeFileSync(binary, '#!/bin/sh\n', { mode: 0o755 });
    const found = build(['--if-built', 'argocd-lua'], { ...process.env, PATH: pathWithoutGo, FABRIC_TOOLS_CACHE: cache });
    expect(found.stderr).toBe('');
    expect(found.status).toBe(0);
    expect(found.stdout.trim()).toBe(binary);
  });
});
