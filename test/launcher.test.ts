/**
 * bin/fabric.js, behind `npm run synth` and the other commands: it runs the compiled lib/ (which `npm test`
 * builds first), loads a TypeScript loader only for TypeScript claims, gives those claims the compiled library
 * for `@kubelize/fabric`, and runs the sources when lib/ is older than them.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { minimalMachine, REPO, tempProject } from './_helpers';

const LAUNCHER = path.join(REPO, 'bin', 'fabric.js');
/** Preloaded into the command: writes every module file it loaded to $LOADED_MODULES at exit. */
const RECORDER = `process.on('exit', () => require('fs').writeFileSync(process.env.LOADED_MODULES, JSON.stringify(Object.keys(require.cache))));`;
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

test('a fleet of YAML claims is synthesized by the compiled lib/ without any TypeScript tooling loaded', () => {
  const project = tempProject({ 'a.yaml': minimalMachine('a') });
  try {
    const run = runRecorded(LAUNCHER, ['synth', '--plan', '--project', project], project);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.modules.filter((file) => TYPESCRIPT_TOOLING.test(file))).toEqual([]);
    const fabricModules = run.modules.filter((file) => file.startsWith(REPO) && !file.includes('/node_modules/'));
    expect(fabricModules).toContain(path.join(REPO, 'lib', 'src', 'synth.js'));
    expect(fabricModules.filter((file) => !file.startsWith(path.join(REPO, 'lib')) && !file.startsWith(path.join(REPO, 'bin')))).toEqual([]);
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
}, 60_000);

test('TypeScript claims get tsx, and their @kubelize/fabric is the compiled lib/, not a second copy from src/', () => {
  const run = runRecorded(LAUNCHER, ['synth', '--plan'], REPO);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^plan: 4 Machines, dist\/ unchanged/m);
  expect(run.modules.some((file) => /\/node_modules\/tsx\//.test(file))).toBe(true);
  expect(run.modules).toContain(path.join(REPO, 'lib', 'src', 'index.js'));
  expect(run.modules.filter((file) => file.startsWith(path.join(REPO, 'src')))).toEqual([]);
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
    // A file tsc does not compile, so the rebuild is quick: build-lib.ts copies it into lib/.
    edit('src/gitops/machine-health.lua', (text) => `${text}-- edited\n`);
    const run = runRecorded(path.join(copy, 'bin', 'fabric.js'), ['synth', '--plan'], copy);
    expect(run.stderr).toMatch(/^fabric: src\/ or imports\/ changed since lib\/ was built; building it \(tsc -b\)\nlib\/: \d+ runtime files copied from src\/\n$/);
    expect(run.status).toBe(0);
    expect(fs.readFileSync(path.join(copy, 'lib', 'src', 'gitops', 'machine-health.lua'), 'utf8')).toMatch(/-- edited\n$/);
    expect(run.modules).toContain(path.join(copy, 'lib', 'src', 'synth.js'));
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
