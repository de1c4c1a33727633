#!/usr/bin/env node
'use strict';
/**
 * `npm run proxmox-sim -- [--listen <host>:<port>] [--site <file>]`: the Proxmox VE simulator compiled in lib/
 * (src/proxmox-sim/main.ts). lib/ is rebuilt first when src/ changed since it was built, as bin/fabric.js does.
 */
const { spawnSync } = require('child_process');
const path = require('path');
const { libIsCurrent } = require('./lib-freshness');

const PROJECT = path.resolve(__dirname, '..');
if (!libIsCurrent(PROJECT)) {
  console.error('proxmox-sim: src/ changed since lib/ was built; building it (tsc -b)');
  for (const args of [[require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], [path.join('lib', 'src', 'cli', 'build-lib.js')]]) {
    if (spawnSync(process.execPath, args, { cwd: PROJECT, stdio: ['ignore', 2, 2] }).status !== 0) {
      console.error('proxmox-sim: lib/ could not be built: `npm run build` shows why');
      process.exit(2);
    }
  }
}
require(path.join(PROJECT, 'lib', 'src', 'proxmox-sim', 'main.js'));
