#!/usr/bin/env node
'use strict';
/**
 * The `fabric` command: `fabric synth|plan|new|init|import|package|bench`; alone or with --help, the list.
 * Each runs compiled from lib/, so no TypeScript compiler is loaded unless a claim is TypeScript (claims.ts
 * registers tsx for it then). A command works on the project in the working directory (as npm runs scripts).
 *
 * In Fabric's source checkout, lib/ is built by `npm ci` (prepare), `npm run build` and `npm test`; when a file
 * under src/ or imports/ is newer than the last build, lib/ is rebuilt first (`tsc -b` compiles only what
 * changed), so every command runs one copy of Fabric, current. An installed package has no src/: its lib/ is
 * what was published.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const FABRIC = path.resolve(__dirname, '..');
const COMMANDS = {
  synth: { entry: 'synth.bundle', summary: 'check claims/ and write dist/, printing the plan' },
  plan: { entry: 'synth.bundle', args: ['--plan'], summary: 'print what synth would change, write nothing (--check: fail on a stale dist/ or a destroy without consent)' },
  new: { entry: 'new', summary: 'create a fleet repository: fabric new <dir>' },
  init: { entry: 'init-main', summary: 'turn a clone of Fabric into your own fleet (drops the example Machines)' },
  package: { entry: 'package', summary: 'write the Machine API as a Crossplane Configuration package folder' },
  import: { entry: 'import', source: true, summary: 'regenerate imports/ and the Machine reference (Fabric\'s source checkout)' },
  bench: { entry: 'bench', source: true, summary: 'time synth on the example fleet and generated fleets (Fabric\'s source checkout)' },
};

function usage() {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return ['usage: fabric <command> [<options>]   (each command: fabric <command> --help)', '', 'commands:',
    ...Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`), ''].join('\n');
}

const [command, ...args] = process.argv.slice(2);
if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  console.log(usage());
  process.exit(0);
}
const spec = COMMANDS[command];
if (spec === undefined) {
  console.error(`fabric: unknown command ${JSON.stringify(command)}\n\n${usage()}`);
  process.exit(2);
}

// Before anything needs a dependency: a fresh clone or fleet must be installed first.
try {
  require.resolve('cdk8s', { paths: [process.cwd(), FABRIC] });
} catch {
  console.error('fabric: the dependencies are not installed: run `npm ci` (once, after cloning) and then this command again');
  process.exit(2);
}

const sourceCheckout = fs.existsSync(path.join(FABRIC, 'src', 'index.ts'));
if (spec.source && !sourceCheckout) {
  console.error(`fabric: ${command} works on Fabric's own source checkout, not on an installed package`);
  process.exit(2);
}
if (sourceCheckout) {
  const { libIsCurrent } = require('./lib-freshness');
  if (!libIsCurrent(FABRIC)) {
    console.error('fabric: src/ or imports/ changed since lib/ was built; building it (tsc -b)');
    const steps = [[require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], [path.join('lib', 'src', 'cli', 'build-lib.js')]];
    for (const step of steps) {
      if (spawnSync(process.execPath, step, { cwd: FABRIC, stdio: ['ignore', 2, 2] }).status !== 0) break;
    }
    if (!libIsCurrent(FABRIC)) {
      console.error('fabric: lib/ could not be built: `npm run build` shows why');
      process.exit(2);
    }
  }
}
process.argv = [process.argv[0], process.argv[1], ...(spec.args ?? []), ...args];
require(path.join(FABRIC, 'lib', 'src', 'cli', `${spec.entry}.js`));
