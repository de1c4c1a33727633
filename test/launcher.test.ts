/**
 * bin/fabric.js, behind `npm run synth` and the other commands: it runs the compiled lib/ (which `npm test`
 * builds first; synth as one bundled file), loads a TypeScript loader only for TypeScript claims, gives those
 * claims the library synth runs for `@kubelize/fabric`, and rebuilds lib/ when it is older than the sources.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundle } from '../src/cli/_bundle';
import { minimalMachine, REPO, tempProject } from './_helpers';

const LAUNCHER = path.join(REPO, 'bin', 'fabric.js');
/**
 * Preloaded into the command: writes every module file it compiled to $LOADED_MODULES at exit, through
 * require or vm.compileFunction (the synth bundle, run with V8's code cache). Compiled, not cached: the bundled
 * synth enters its own library in the module cache under lib/'s file names.
 */
const RECORDER = `const Module = require('module');
const vm = require('vm');
const compiled = [];
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) { compiled.push(filename); return compile.apply(this, arguments); };
const compileFunction = vm.compileFunction;
vm.compileFunction = function (code, params, options) { compiled.push(options.filename); return compileFunction.apply(this, arguments); };
process.on('exit', () => require('fs').writeFileSync(process.env.LOADED_MODULES, JSON.stringify(compiled)));`;
const SYNTH_BUNDLE = path.join('lib', 'src', 'cli', 'synth.bundle.js');
const LAUNCHER_MODULES = [path.join(REPO, 'bin', 'code-cache.js'), path.join(REPO, 'bin', 'lib-freshness.js')];
const TYPESCRIPT_TOOLING = /\/node_modules\/(tsx|esbuild|typescript|@esbuild)\//;

function runRecorded(launcher: string, args: string[], cwd: string) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-launcher-'));
  const recorder = path.join(work, 'recorder.js');
  const loaded = path.join(work, 'loaded.json');
  fs.writeFileSync(recorder, RECORDER);
  const run = spawnSync(process.execPath, ['--require', recorder, launcher, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LOADED_MODULES: loaded } });
  const modules: string[] = fs.existsSync(loaded) ? JSON.parse(fs.readFileSync(loaded, 'utf8')) : [];
  fs.rmSync(work, { recursive: true, force: true });
  return { ...run, modules: modules.filter((file) => file !== recorder) };
}

test('a fleet of YAML claims is synthesized by the bundled synth alone, without any TypeScript tooling loaded', () => {
  const project = tempProject({ 'a.yaml': minimalMachine('a') });
  try {
    const run = runRecorded(LAUNCHER, ['synth', '--plan', '--project', project], project);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.modules.filter((file) => TYPESCRIPT_TOOLING.test(file))).toEqual([]);
    expect(run.modules).toEqual([LAUNCHER, ...LAUNCHER_MODULES, path.join(REPO, SYNTH_BUNDLE)]);
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
}, 60_000);

test('TypeScript claims get tsx, and their @kubelize/fabric is the library in the bundle, not a second copy', () => {
  const run = runRecorded(LAUNCHER, ['synth', '--plan'], REPO);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^plan: 4 Machines, dist\/ unchanged/m);
  expect(run.modules.some((file) => /\/node_modules\/tsx\//.test(file))).toBe(true);
  const claims = fs.readdirSync(path.join(REPO, 'claims')).map((file) => path.join(REPO, 'claims', file));
  const fabricModules = run.modules.filter((file) => file.startsWith(REPO) && !file.includes('/node_modules/'));
  expect(fabricModules.sort()).toEqual([LAUNCHER, ...LAUNCHER_MODULES, path.join(REPO, SYNTH_BUNDLE), ...claims].sort());
}, 60_000);

describe('when src/ is newer than lib/', () => {
  let copy: string;
  beforeEach(() => {
    copy = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-stale-'));
    for (const entry of ['bin', 'lib', 'src', 'imports', 'claims', 'dist', 'package.json', 'tsconfig.json', 'tsconfig.base.json', 'tsconfig.build.json']) {
      fs.cpSync(path.join(REPO, entry), path.join(copy, entry), { recursive: true, preserveTimestamps: true });
    }
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'));
  });
  afterEach(() => fs.rmSync(copy, { recursive: true, force: true }));

  /** Edits a source file of the copy: it is newer than the copy's lib/, whose times were kept from the build. */
  const edit = (file: string, change: (text: string) => string) => {
    const full = path.join(copy, file);
    fs.writeFileSync(full, change(fs.readFileSync(full, 'utf8')));

  };

  test('lib/ is rebuilt first, and the command runs the rebuilt lib/', () => {
    // A file tsc does not compile and the synth bundle reads at run time, so the rebuild is quick: build-lib.ts
    // copies it into lib/, and the bundle, whose inputs are all older, is kept.
    edit('src/gitops/machine-health.lua', (text) => `${text}-- edited\n`);
    const run = runRecorded(path.join(copy, 'bin', 'fabric.js'), ['synth', '--plan'], copy);
    expect(run.stderr).toMatch(/^fabric: src\/ or imports\/ changed since lib\/ was built; building it \(tsc -b\)\nlib\/: \d+ runtime files copied from src\/, synth bundle current\n$/);
    expect(run.status).toBe(0);
    expect(fs.readFileSync(path.join(copy, 'lib', 'src', 'gitops', 'machine-health.lua'), 'utf8')).toMatch(/-- edited\n$/);
    expect(run.modules).toContain(path.join(copy, SYNTH_BUNDLE));
    // The bundle read the health script beside the module that reads it, in lib/src/gitops/.
    expect(run.stdout).toContain('~   ConfigMap argocd/argocd-cm: changed');
    expect(run.modules.filter((file) => file.startsWith(path.join(copy, 'src')))).toEqual([]);
  }, 120_000);

  test('a build step that fails stops the command, with the step\'s error', () => {
    // build-lib.ts fails when tsc left no lib/src/index.js. A type error in src/ fails the tsc step the same
    // way, but would cost the copy a full type-check: its node_modules resolve elsewhere than the build info says.
    edit('src/gitops/machine-health.lua', (text) => `${text}-- edited\n`);
    fs.rmSync(path.join(copy, 'lib', 'src', 'index.js'));
    const run = runRecorded(path.join(copy, 'bin', 'fabric.js'), ['synth'], copy);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('lib/src/index.js is missing: run tsc -b tsconfig.build.json first');
    expect(run.stderr).toMatch(/fabric: lib\/ could not be built: `npm run build` shows why\n$/);
    expect(run.modules.filter((file) => file.startsWith(path.join(copy, 'lib')))).toEqual([]);
  }, 120_000);
});

test('an unknown command is refused with the list of commands', () => {
  const run = spawnSync(process.execPath, [LAUNCHER, 'synthesize'], { encoding: 'utf8' });
  expect(run.status).toBe(2);
  expect(run.stderr).toBe('fabric: unknown command "synthesize"; one of: synth, init, import, package, bench\n');
});

describe('the synth bundle (src/cli/_bundle.ts)', () => {
  let dir: string;
  const outfile = () => path.join(dir, 'out', 'program.js');
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-bundle-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'entry.js'), "process.stdout.write(require('./assets/reader.js'));\n");
    fs.writeFileSync(path.join(dir, 'assets', 'reader.js'), "module.exports = require('fs').readFileSync(require('path').join(__dirname, 'beside.txt'), 'utf8');\n");
    fs.writeFileSync(path.join(dir, 'assets', 'beside.txt'), 'read beside its module');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** An input edited after the build: the input is new, the bundle was built a minute ago. */
  const editedAfterBundle = (file: string) => {
    const now = new Date();
    fs.utimesSync(file, now, now);
    const before = new Date(now.getTime() - 60_000);
    fs.utimesSync(outfile(), before, before);
  };

  test('a bundled module reads what lies beside its own file, not beside the bundle', async () => {
    expect(await bundle(path.join(dir, 'entry.js'), outfile())).toBe(true);
    const run = spawnSync(process.execPath, [outfile()], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('read beside its module');
  });

  test('a bundle newer than every file it was built from is kept; an edited or missing input builds it again', async () => {
    expect(await bundle(path.join(dir, 'entry.js'), outfile())).toBe(true);
    expect(await bundle(path.join(dir, 'entry.js'), outfile())).toBe(false);
    editedAfterBundle(path.join(dir, 'assets', 'reader.js'));
    expect(await bundle(path.join(dir, 'entry.js'), outfile())).toBe(true);
    expect(await bundle(path.join(dir, 'entry.js'), outfile())).toBe(false);
    // The entry no longer needs the reader, but keeps a time older than the bundle's: only the missing reader
    // says the bundle is stale.
    fs.writeFileSync(path.join(dir, 'entry.js'), "process.stdout.write('no reader');\n");
    const older = new Date(fs.statSync(outfile()).mtimeMs - 60_000);
    fs.utimesSync(path.join(dir, 'entry.js'), older, older);
    fs.rmSync(path.join(dir, 'assets', 'reader.js'));
    expect(await bundle(path.join(dir, 'entry.js'), outfile())).toBe(true);
    expect(spawnSync(process.execPath, [outfile()], { encoding: 'utf8' }).stdout).toBe('no reader');
  });
});

describe('the code cache the synth bundle runs with (bin/code-cache.js)', () => {
  let dir: string;
  const program = () => path.join(dir, 'program.js');
  const caches = () => fs.readdirSync(dir).filter((name) => name.endsWith('.v8cache')).sort();
  const run = (...flags: string[]) => spawnSync(process.execPath, [...flags, '-e', `require(${JSON.stringify(path.join(REPO, 'bin', 'code-cache.js'))}).runWithCodeCache(${JSON.stringify(program())})`], { encoding: 'utf8' });
  const writeProgram = (word: string) => {
    // The word at the top level, which the cache holds compiled.
    fs.writeFileSync(program(), `const { word } = require('./word.js');\nprocess.stdout.write('${word} ' + word + ' ' + require('path').basename(__dirname));\n`);
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-code-cache-'));
    fs.writeFileSync(path.join(dir, 'word.js'), "exports.word = 'beside';\n");
    writeProgram('old');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('runs the file as require would, and keeps one cache, which the next run takes as it is', () => {
    const first = run();
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe(`old beside ${path.basename(dir)}`);
    expect(caches()).toHaveLength(1);
    const written = fs.statSync(path.join(dir, caches()[0])).mtimeMs;
    expect(run().stdout).toBe(`old beside ${path.basename(dir)}`);
    // Not written again, nor deleted: V8 accepted it.
    expect(fs.statSync(path.join(dir, caches()[0])).mtimeMs).toBe(written);
  });

  test('an edit that keeps the length runs the new code (V8 alone would run the cached old code)', () => {
    run();
    writeProgram('new');
    expect(run().stdout).toBe(`new beside ${path.basename(dir)}`);
    expect(caches()).toHaveLength(1);
  });

  test('a cache V8 refuses is deleted, and the run goes on without it', () => {
    run();
    fs.writeFileSync(path.join(dir, caches()[0]), 'not a code cache');
    expect(run().stdout).toBe(`old beside ${path.basename(dir)}`);
    expect(caches()).toEqual([]);
    run();
    expect(caches()).toHaveLength(1);
  });

  test('other V8 flags keep a cache of their own', () => {
    run();
    run('--max-semi-space-size=4');
    expect(caches()).toHaveLength(2);
    expect(run('--max-semi-space-size=4').stdout).toBe(`old beside ${path.basename(dir)}`);
    expect(caches()).toHaveLength(2);
  });
});
