/**
 * A fleet repository of one's own, as a user gets it: Fabric packed (`npm pack`), a fleet created from the
 * tarball with `fabric new`, installed with `npm ci --offline` from the lock file `new` writes (npm's cache
 * holds every package since this project's own `npm ci`), and then the user's day: synth, test, add, edit,
 * break and remove a Machine (with consent), and an upgrade to a second packed version of Fabric.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { git, REPO, TEST_REPO_URL } from './_helpers';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { libIsCurrent } = require('../bin/lib-freshness') as { libIsCurrent(project: string): boolean };

let work: string;
let fleet: string;
const NPM_TIMEOUT = 180_000;

function run(command: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  // npm passes its own settings to scripts as npm_config_*; the fleet's commands must not see this project's.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_') || name === 'npm_config_cache'));
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...inherited, ...env }, timeout: NPM_TIMEOUT });
}
const npm = (args: readonly string[], cwd = fleet) => run('npm', args, cwd);
const output = (result: SpawnSyncReturns<string>) => `${result.stdout}${result.stderr}`;

/** `npm pack` of this project as version `version`: the v1 tarball, or a copy of it with the version bumped. */
function packed(version?: string): string {
  if (version === undefined) {
    // `npm test` has just brought lib/ up to date; without the prepare script, lib/ stays in place for the
    // other test workers.
    expect(libIsCurrent(REPO)).toBe(true);
    const pack = run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], REPO);
    expect(pack.status).toBe(0);
    return path.join(work, pack.stdout.trim().split('\n').pop()!);
  }
  const unpacked = fs.mkdtempSync(path.join(work, 'v-'));
  expect(run('tar', ['-xzf', packed1, '-C', unpacked], work).status).toBe(0);
  const manifestFile = path.join(unpacked, 'package', 'package.json');
  fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').replace(/"version": "[^"]+"/, `"version": "${version}"`));
  const tarball = path.join(work, `kubelize-fabric-${version}.tgz`);
  expect(run('tar', ['-czf', tarball, '-C', unpacked, 'package'], work).status).toBe(0);
  return tarball;
}

let packed1: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-fleet-'));
  packed1 = packed();
  // What `npx @kubelize/fabric new` runs: the tarball's own command, its dependencies installed beside it
  // (here: this project's, through NODE_PATH, since npx would download them).
  const unpacked = path.join(work, 'cli');
  fs.mkdirSync(unpacked);
  expect(run('tar', ['-xzf', packed1, '-C', unpacked], work).status).toBe(0);
  const created = run(process.execPath, [path.join(unpacked, 'package', 'bin', 'fabric.js'), 'new', 'my-fleet', '--fabric', `file:${path.basename(packed1)}`, '--repo-url', TEST_REPO_URL], work,
    { NODE_PATH: path.join(REPO, 'node_modules') });
  expect(output(created)).toMatch(/^new: my-fleet\/ created: package\.json, package-lock\.json, \.github\/workflows\/fabric\.yml, \.gitignore, README\.md, cdk8s\.yaml, claims\/example\.ts, tsconfig\.json$/m);
  expect(created.status).toBe(0);
  fleet = path.join(work, 'my-fleet');
  git(fleet, 'init', '-q', '-b', 'main');
  const install = npm(['ci', '--offline', '--no-audit', '--no-fund']);
  expect(output(install)).toMatch(/added \d+ packages/);
  expect(install.status).toBe(0);
}, NPM_TIMEOUT);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function commit(message: string) {
  git(fleet, 'add', '-A');
  git(fleet, 'commit', '-q', '-m', message);
}

function writeClaim(name: string, memory: number) {
  fs.writeFileSync(path.join(fleet, 'claims', `${name}.ts`), [
    "import { defineMachine } from '@kubelize/fabric';",
    '',
    `export default defineMachine({ metadata: { name: '${name}' }, spec: { cpu: { cores: 2 }, memory: { size: ${memory} }, disk: { size: 32 }, proxmox: { node: 'pve', templateId: 9000 } } });`,
    '',
  ].join('\n'));
}

const WEB01_FILE = () => path.join(fleet, 'dist', 'cluster', 'machines', 'machine.infra-machines.web01.yaml');
const distFiles = () => fs.readdirSync(path.join(fleet, 'dist'), { recursive: true, encoding: 'utf8' }).sort();

test('a new fleet is a repository of its own: its package.json depends on the tarball, Argo CD syncs its own repository', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(fleet, 'package.json'), 'utf8'));
  expect(manifest.dependencies['@kubelize/fabric']).toBe(`file:../${path.basename(packed1)}`);
  expect(manifest.fabric).toEqual({ gitops: { repoURL: TEST_REPO_URL } });
  expect(fs.readFileSync(path.join(fleet, '.gitignore'), 'utf8')).toMatch(/^\.fabric\/$/m);
});

test('the user\'s day: synth and test pass, and keep passing as Machines are added, changed, refused and removed with consent', () => {
  const synth = npm(['run', 'synth']);
  expect(output(synth)).toMatch(/\+ {3}Machine infra-machines\/example: added: 2 cores, 2048 MiB, 32 GiB disk, on node pve/);
  expect(synth.status).toBe(0);
  const application = fs.readFileSync(path.join(fleet, 'dist', 'argocd', 'application.argocd.fabric.yaml'), 'utf8');
  expect(application).toContain(`repoURL: ${TEST_REPO_URL}`);
  expect(npm(['test']).status).toBe(0);
  commit('the example Machine');

  writeClaim('web01', 4096);
  expect(output(npm(['test']))).toMatch(/dist\/ is not what synth writes from claims\/: run npm run synth, and commit dist\//);
  const added = npm(['run', 'synth']);
  expect(output(added)).toMatch(/\+ {3}Machine infra-machines\/web01: added: 2 cores, 4096 MiB/);
  expect(npm(['test']).status).toBe(0);
  commit('web01');

  writeClaim('web01', 8192);
  const changed = npm(['run', 'synth']);
  expect(output(changed)).toMatch(/Machine infra-machines\/web01: .*memory/);
  expect(changed.status).toBe(0);
  commit('web01 grows');

  // A bad Machine never reaches dist/: the test fails naming file, Machine, field and rule.
  const before = fs.readFileSync(WEB01_FILE(), 'utf8');
  writeClaim('web01', 256);
  const refused = npm(['test']);
  expect(output(refused)).toMatch(/claims\/web01\.ts.*\n?.*Machine infra-machines\/web01: spec\.memory\.size must be at least 512 \(MiB\), got 256/);
  expect(refused.status).not.toBe(0);
  expect(npm(['run', 'synth']).status).not.toBe(0);
  expect(fs.readFileSync(WEB01_FILE(), 'utf8')).toBe(before);

  // Removing a committed Machine needs consent; without it neither synth nor the test passes.
  fs.rmSync(path.join(fleet, 'claims', 'web01.ts'));
  const unconsented = npm(['run', 'synth']);
  expect(output(unconsented)).toMatch(/npm run synth -- --allow-destroy/);
  expect(unconsented.status).toBe(1);
  expect(npm(['test']).status).toBe(1);
  const consented = npm(['run', 'synth', '--', '--allow-destroy']);
  expect(output(consented)).toMatch(/- {3}Machine infra-machines\/web01: removed/);
  expect(consented.status).toBe(0);
  expect(npm(['test']).status).toBe(0);
  expect(distFiles()).not.toContainEqual(expect.stringContaining('web01'));
  commit('web01 goes');
}, 5 * NPM_TIMEOUT);

test('upgrading is bumping the dependency: the next version\'s plan shows what it changes in dist/', () => {
  const packed2 = packed('0.2.0');
  const manifestFile = path.join(fleet, 'package.json');
  fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').replace(path.basename(packed1), path.basename(packed2)));
  // Offline, npm cannot fetch the registry's metadata it reads to re-check peer dependencies (cdk8s,
  // constructs); they are installed already and unchanged. Online, `npm install @kubelize/fabric@<version>`.
  const install = npm(['install', '--offline', '--legacy-peer-deps', '--no-audit', '--no-fund']);
  expect(install.status).toBe(0);
  const plan = npm(['run', 'plan']);
  expect(output(plan)).toMatch(/~ {3}CompositeResourceDefinition machines\.fabric\.kubelize\.io: changed/);
  expect(plan.status).toBe(0);
  expect(output(npm(['test']))).toMatch(/dist\/ is not what synth writes/);
  expect(npm(['run', 'synth']).status).toBe(0);
  expect(fs.readFileSync(path.join(fleet, 'dist', 'cluster', 'platform', 'definition', 'compositeresourcedefinition.machines.fabric.kubelize.io.yaml'), 'utf8'))
    .toContain('fabric.kubelize.io/version: 0.2.0');
  expect(npm(['test']).status).toBe(0);
}, 2 * NPM_TIMEOUT);

test('`fabric` alone lists its commands; `fabric new` refuses a folder that is not empty', () => {
  const fabric = path.join(fleet, 'node_modules', '.bin', 'fabric');
  const list = run(fabric, [], fleet);
  expect(list.stdout).toMatch(/^commands:\n {2}synth +check claims\/ and write dist\/, printing the plan$/m);
  expect(list.stdout).toMatch(/^ {2}new +create a fleet repository: fabric new <dir>$/m);
  expect(list.status).toBe(0);
  const refused = run(fabric, ['new', 'claims'], fleet);
  expect(refused.stderr).toBe('new: claims is not empty; name a new folder, or an empty one\n');
  expect(refused.status).toBe(1);
});

test('a fleet without tsx is told to install it when it has TypeScript claims, and synthesizes YAML claims without it', () => {
  const tsx = path.join(fleet, 'node_modules', 'tsx');
  fs.renameSync(tsx, `${tsx}.hidden`);
  try {
    const refused = npm(['run', 'plan']);
    expect(output(refused)).toMatch(/claims\/example\.ts: cannot be read: a TypeScript claim needs tsx where synth runs: npm install --save-dev tsx/);
    expect(refused.status).toBe(1);
    fs.renameSync(path.join(fleet, 'claims', 'example.ts'), path.join(fleet, 'example.ts.aside'));
    fs.writeFileSync(path.join(fleet, 'claims', 'example.yaml'), [
      'apiVersion: fabric.kubelize.io/v1alpha1', 'kind: Machine', 'metadata: { name: example }',
      'spec: { cpu: { cores: 2 }, memory: { size: 2048 }, disk: { size: 32 }, proxmox: { node: pve, templateId: 9000 } }', ''].join('\n'));
    const plan = npm(['run', 'plan']);
    expect(output(plan)).toMatch(/^plan: 1 Machines, /m);
    expect(plan.status).toBe(0);
  } finally {
    fs.renameSync(`${tsx}.hidden`, tsx);
    fs.rmSync(path.join(fleet, 'claims', 'example.yaml'), { force: true });
    if (fs.existsSync(path.join(fleet, 'example.ts.aside'))) fs.renameSync(path.join(fleet, 'example.ts.aside'), path.join(fleet, 'claims', 'example.ts'));
  }
});
