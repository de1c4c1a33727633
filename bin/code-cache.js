'use strict';
/**
 * Runs a large CommonJS file (the synth bundle) with V8's code cache kept beside it, as Node 22's
 * `module.enableCompileCache()` does for every module; Node 20, which package.json's engines allow, has no
 * such call. Reading the cache instead of compiling saves about 25 ms of a 0.4 s synth of the example fleet.
 *
 * V8 refuses a cache made by another Node or with other V8 flags, but checks a source only by its length (it
 * runs the old code of an edit that keeps the length), so the cache file is named after a hash of the
 * source as well as of Node's version and flags: a rebuilt file never meets an old cache, and
 * `npm run synth` (which passes --max-semi-space-size) and a bare `node bin/fabric.js synth` keep a cache
 * each instead of overwriting one another's.
 */
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

const CACHE_SUFFIX = '.v8cache';

function cacheFileOf(file, bytes) {
  // sha256 of the bytes: about 1 ms for the bundle here, a third of sha1 over the decoded text.
  const hash = crypto.createHash('sha256').update(JSON.stringify([process.version, process.execArgv, process.env.NODE_OPTIONS ?? ''])).update(bytes);
  return `${file}.${hash.digest('hex').slice(0, 16)}${CACHE_SUFFIX}`;
}

/**
 * Writes the cache and drops the caches made before the file was last written: they belong to older builds.
 * Written atomically, since two synths may start at once.
 */
function writeCache(file, cacheFile, cachedData) {
  try {
    const { mtimeMs } = fs.statSync(file);
    for (const name of fs.readdirSync(path.dirname(file))) {
      const other = path.join(path.dirname(file), name);
      if (name.startsWith(`${path.basename(file)}.`) && name.endsWith(CACHE_SUFFIX) && fs.statSync(other).mtimeMs < mtimeMs) fs.rmSync(other, { force: true });
    }
    const partial = `${cacheFile}.${process.pid}`;
    fs.writeFileSync(partial, cachedData);
    fs.renameSync(partial, cacheFile);
  } catch {
    // A cache that cannot be written (a read-only checkout) only costs the next run its compile time.
  }
}

function removeCache(cacheFile) {
  try {
    fs.rmSync(cacheFile, { force: true });
  } catch {
    // Read-only: V8 refuses it again next time, which costs only the compile time.
  }
}

/**
 * As `require(file)` for a file that is run once per process, and is therefore not put in the module cache.
 * Compiled as Node compiles a module (vm.compileFunction): run as a vm.Script instead, a synth of 10,000
 * TypeScript claims peaked 20–45 MiB higher. The cache is made when the function is compiled, on the first
 * run; a cache V8 refuses is deleted, and the next run makes a new one.
 */
function runWithCodeCache(file) {
  const bytes = fs.readFileSync(file);
  const cacheFile = cacheFileOf(file, bytes);
  const source = bytes.toString('utf8');
  const cachedData = fs.existsSync(cacheFile) ? fs.readFileSync(cacheFile) : undefined;
  const program = vm.compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file, cachedData, produceCachedData: cachedData === undefined });
  if (program.cachedDataProduced) writeCache(file, cacheFile, program.cachedData);
  else if (program.cachedDataRejected) removeCache(cacheFile);
  const loaded = new Module(file, module);
  loaded.filename = file;
  program.call(loaded.exports, loaded.exports, Module.createRequire(file), loaded, file, path.dirname(file));
  loaded.loaded = true;
}

module.exports = { runWithCodeCache };
