/**
 * The library the bundled synth (synth-bundle.ts) gives TypeScript claims. Inside the bundle, Fabric is not
 * at lib/src/index.js, yet a claim's `@kubelize/fabric` resolves there (tsconfig.json's paths, which tsx
 * reads) or to lib/index.js (the package's own name). Both files are entered in Node's module cache with the
 * bundle's exports, so a claim gets the very copy synth runs, and no second copy is loaded from lib/.
 */
import Module = require('module');
import * as path from 'path';
import * as fabric from '../index';

const LIBRARY_ENTRY_POINTS = [path.join(__dirname, '..', 'index.js'), path.join(__dirname, '..', '..', 'index.js')];

for (const file of LIBRARY_ENTRY_POINTS) {
  const entry = new Module(file, module);
  entry.filename = file;
  entry.exports = fabric;
  entry.loaded = true;
  require.cache[file] = entry;
}
