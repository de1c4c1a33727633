#!/usr/bin/env node
'use strict';
/**
 * `npm run synth`, `plan`, `init`, `import`, `package` and `bench`: runs the command compiled in lib/, so no
 * TypeScript compiler is loaded unless a claim is TypeScript (claims.ts registers tsx for it then).
 *
 * lib/ is built by `npm ci` (prepare), `npm run build` and `npm test`. When a file under src/ or imports/ is
 * newer than the last build, lib/ is rebuilt first (`tsc -b` compiles only what changed), so every command
 * runs one copy of Fabric, current, and a claim's `@kubelize/fabric` is that same copy.
 */
const { spawnSync } = require('child_process');
const path = require('path');

// Before anything needs a dependency: a fresh clone must be installed first.
try {
  require.resolve('cdk8s');
} catch {
  console.error('fabric: the dependencies are not installed: run `npm ci` (once, after cloning) and then this command again');
  process.exit(2);
}

const { libIsCurrent } = require('./lib-freshness');

const PROJECT = path.resolve(__dirname, '..');
const ENTRY_POINTS = { synth: 'synth.bundle', init: 'init-main', import: 'import', package: 'package', bench: 'bench' };

function buildLib() {
  console.error('fabric: src/ or imports/ changed since lib/ was built; building it (tsc -b)');
  const steps = [[require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], [path.join('lib', 'src', 'cli', 'build-lib.js')]];
  for (const args of steps) {
    if (spawnSync(process.execPath, args, { cwd: PROJECT, stdio: ['ignore', 2, 2] }).status !== 0) break;
  }
  if (!libIsCurrent(PROJECT)) {
    console.error('fabric: lib/ could not be built: `npm run build` shows why');
    process.exit(2);
  }
}

const [command, ...args] = process.argv.slice(2);
const entry = ENTRY_POINTS[command];
if (entry === undefined) {
  console.error(`fabric: unknown command ${JSON.stringify(command ?? '')}; one of: ${Object.keys(ENTRY_POINTS).join(', ')}`);
  process.exit(2);
}
if (!libIsCurrent(PROJECT)) buildLib();
process.argv = [process.argv[0], process.argv[1], ...args];
const program = path.join(PROJECT, 'lib', 'src', 'cli', `${entry}.js`);
require(program);
