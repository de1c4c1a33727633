/**
 * bin/fabric.js, behind `npm run synth` and the other commands: it runs the compiled lib/ (which `npm test`
 * builds first; synth as one bundled file), gives TypeScript claims the library synth runs for
 * `@kubelize/fabric`, and rebuilds lib/ when it is older than the sources.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundle } from '../src/cli/_bundle';
import { minimalMachine, REPO, tempProject } from './_helpers';

const LAUNCHER = path.join(REPO, 'bin', 'fabric.js');
const run = (launcher: string, args: string[], cwd: string) => spawnSync(process.execPath, [launcher, ...args], { cwd, encoding: 'utf8' });

test('a fleet of YAML claims is synthesized by the compiled synth', () => {
  const project = tempProject({ 'a.yaml': minimalMachine('a') });
  try {
    const result = run(LAUNCHER, ['synth', '--plan', '--project', project], project);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^plan: 1 Machines, nothing written/m);
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
}, 60_000);

test('TypeScript claims are loaded, and their @kubelize/fabric is the library synth runs', () => {
  const result = run(LAUNCHER, ['synth', '--plan'], REPO);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/^plan: \d+ Machines, dist\/ unchanged/m);
}, 60_000);

describe('when src/ is newer than lib/', () => {
  let copy: string;
  beforeEach(() => {
    copy = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-stale-'));
    for (const entry of ['bin', 'lib', 'src', 'imports', 'claims', 'dist', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.base.json', 'tsconfig.build.json']) {
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
    const result = run(path.join(copy, 'bin', 'fabric.js'), ['synth', '--plan'], copy);
    expect(result.stderr).toMatch(/^fabric: src\/ or imports\/ changed since lib\/ was built; building it \(tsc -b\)\nlib\/: \d+ runtime files copied from src\/, synth bundle current\n$/);
    expect(result.status).toBe(0);
    expect(fs.readFileSync(path.join(copy, 'lib', 'src', 'gitops', 'machine-health.lua'), 'utf8')).toMatch(/-- edited\n$/);
    // The bundle read the edited health script beside the module that reads it, in lib/src/gitops/.
    expect(result.stdout).toContain('~   ConfigMap argocd/argocd-cm: changed');
  }, 120_000);

  test('a build step that fails stops the command, with the step\'s error', () => {
    // build-lib.ts fails when tsc left no lib/src/index.js. A type error in src/ fails the tsc step the same
    // way, but would cost the copy a full type-check: its node_modules resolve elsewhere than the build info says.
    edit('src/gitops/machine-health.lua', (text) => `${text}-- edited\n`);
    fs.rmSync(path.join(copy, 'lib', 'src', 'index.js'));
    const result = run(path.join(copy, 'bin', 'fabric.js'), ['synth'], copy);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('lib/src/index.js is missing: run tsc -b tsconfig.build.json first');
    expect(result.stderr).toMatch(/fabric: lib\/ could not be built: `npm run build` shows why\n$/);
  }, 120_000);
});

test('without npm ci, a command says to run it rather than failing with a stack trace', () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-no-deps-'));
  try {
    fs.cpSync(path.join(REPO, 'bin'), path.join(copy, 'bin'), { recursive: true });
    fs.cpSync(path.join(REPO, 'package.json'), path.join(copy, 'package.json'));
    // Outside this repository, so that node does not find its node_modules/ further up.
    const result = spawnSync(process.execPath, [path.join(copy, 'bin', 'fabric.js'), 'synth'], { cwd: copy, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('fabric: the dependencies are not installed: run `npm ci` (once, after cloning) and then this command again\n');
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});

test('an unknown command is refused with the list of commands', () => {
  const run = spawnSync(process.execPath, [LAUNCHER, 'synthesize'], { encoding: 'utf8' });
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/^fabric: unknown command "synthesize"\n\nusage: fabric <command> \[<options>\]/);
  expect(run.stderr.match(/^ {2}\w+(?= )/gm)?.map((line) => line.trim())).toEqual(['synth', 'plan', 'new', 'init', 'package', 'import', 'bench']);
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
