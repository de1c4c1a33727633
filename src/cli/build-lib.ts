/**
 * Finishes the build after `tsc -b tsconfig.build.json` compiled src/ and imports/ into lib/:
 * copies the files src/ reads at runtime from beside its own modules (the Argo CD Lua health check, the
 * NixOS flake and bootstrap contract), so `lib/src/...` finds them where `src/...` does, and writes
 * lib/index.js so `require('@kubelize/fabric')` and `require('./lib')` both load the public API, writes the lock a
 * new fleet installs (lib/starter.lock.json, _starter.ts), and bundles
 * the synth command into lib/src/cli/synth.bundle.js (synth-bundle.ts says why).
 */
import * as fs from 'fs';
import * as path from 'path';
import { bundle } from './_bundle';
import { FABRIC_DIR } from './_project-dir';
import { extractStarterLock } from './_starter';

const projectDir = FABRIC_DIR;
const src = path.join(projectDir, 'src');
const lib = path.join(projectDir, 'lib');

/** Everything under src/ that tsc does not emit: not TypeScript, and not the CLI (not part of the library). */
function copyAssets(relative: string): number {
  let copied = 0;
  for (const entry of fs.readdirSync(path.join(src, relative), { withFileTypes: true })) {
    const child = path.join(relative, entry.name);
    if (entry.isDirectory()) {
      if (child !== 'cli') copied += copyAssets(child);
    } else if (!entry.name.endsWith('.ts') && !entry.name.endsWith('.md')) {
      fs.mkdirSync(path.join(lib, 'src', relative), { recursive: true });
      // Its own time kept: a copy is then as new as its source, so the synth bundle (which requires the JSON)
      // is built again only when a source changed.
      fs.cpSync(path.join(src, child), path.join(lib, 'src', child), { preserveTimestamps: true });
      copied++;
    }
  }
  return copied;
}

if (!fs.existsSync(path.join(lib, 'src', 'index.js'))) throw new Error('lib/src/index.js is missing: run tsc -b tsconfig.build.json first');
const copied = copyAssets('');
fs.writeFileSync(path.join(lib, 'index.js'), "'use strict';\nmodule.exports = require('./src/index.js');\n");
fs.writeFileSync(path.join(lib, 'index.d.ts'), "export * from './src/index';\n");
// What `fabric new` writes into a fleet's lock: the part of Fabric's own a fleet installs (_starter.ts).
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(projectDir, file), 'utf8'));
fs.writeFileSync(path.join(lib, 'starter.lock.json'), `${JSON.stringify(extractStarterLock(readJson('package-lock.json'), readJson('package.json')))}\n`);
bundle(path.join(lib, 'src', 'cli', 'synth-bundle.js'), path.join(lib, 'src', 'cli', 'synth.bundle.js')).then((bundled) => {
  // Last: bin/fabric.js runs lib/ only while this stamp is newer than every source.
  fs.writeFileSync(path.join(lib, '.build-stamp'), `${new Date().toISOString()}\n`);
  console.log(`lib/: ${copied} runtime files copied from src/, synth ${bundled ? 'bundled' : 'bundle current'}`);
}, (error: unknown) => {
  console.error(`lib/: synth could not be bundled: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
