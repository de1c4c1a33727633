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
const fs = require('fs');
const path = require('path');

const PROJECT = path.resolve(__dirname, '..');
/** Written by build-lib.ts, the last step of every build. */
const BUILD_STAMP = path.join(PROJECT, 'lib', '.build-stamp');
const SOURCES = ['src', 'imports', 'tsconfig.base.json', 'tsconfig.build.json'];
const ENTRY_POINTS = { synth: 'synth', init: 'init-main', import: 'import', package: 'package', bench: 'bench' };

/** The newest modification time of a file or of anything under a folder. */
function newest(file) {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(file).reduce((latest, entry) => Math.max(latest, newest(path.join(file, entry))), 0);
}

function libIsCurrent() {
  if (!fs.existsSync(BUILD_STAMP)) return false;
  const built = fs.statSync(BUILD_STAMP).mtimeMs;
  return SOURCES.every((source) => newest(path.join(PROJECT, source)) <= built);
}

function buildLib() {
  console.error('fabric: src/ or imports/ changed since lib/ was built; building it (tsc -b)');
  const steps = [[require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], [path.join('lib', 'src', 'cli', 'build-lib.js')]];
  for (const args of steps) {
    if (spawnSync(process.execPath, args, { cwd: PROJECT, stdio: ['ignore', 2, 2] }).status !== 0) break;
  }
  if (!libIsCurrent()) {
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
if (!libIsCurrent()) buildLib();
process.argv = [process.argv[0], process.argv[1], ...args];
require(path.join(PROJECT, 'lib', 'src', 'cli', `${entry}.js`));
