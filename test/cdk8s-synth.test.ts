// `cdk8s synth` (the real cdk8s-cli) run in a copy of the project: it must never empty or change dist/, and
// a refusal of the guarded synth it runs must stop it. A bad claim is the refusal here; the destroy guard
// refuses through the same exit (library/plan.spec.ts, library/git-guard.spec.ts and cli.test.ts test it).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { minimalMachine, readTree, REPO } from './_helpers';

const SKIP = new Set(['node_modules', '.git', '.cdk8s.out', 'coverage']);

function projectCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-cdk8s-'));
  // Timestamps kept: synth runs the compiled lib/ only while it is newer than src/ (bin/fabric.js).
  fs.cpSync(REPO, dir, { recursive: true, preserveTimestamps: true, filter: (source) => !SKIP.has(path.relative(REPO, source)) });
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function cdk8sSynth(dir: string) {
  // CDK8S_CHECK_UPGRADE=false is --no-check-upgrade (cdk8s-cli lib/cli/index.js reads CDK8S_* options with yargs
  // .env('CDK8S')): otherwise each run asks the npm registry for cdk8s-cli's latest version through a child node
  // process (lib/upgrades.js, cdk8s Yaml.load of a URL), waits on the network and prints a notice when one is newer.
  const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
  const run = spawnSync(path.join(dir, 'node_modules', '.bin', 'cdk8s'), ['synth'], { cwd: dir, encoding: 'utf8', env });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

let project: string;
beforeAll(() => { project = projectCopy(); });
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

test('cdk8s synth writes dist/ as npm run synth does and leaves its own output in .cdk8s.out/', () => {
  const before = readTree(path.join(project, 'dist'));
  const run = cdk8sSynth(project);
  expect(run.status).toBe(0);
  expect(readTree(path.join(project, 'dist'))).toEqual(before);
  expect(readTree(path.join(project, '.cdk8s.out'))).toEqual(before);
}, 60_000);

test('cdk8s synth refuses a bad claim, exits non-zero and leaves dist/ byte-identical', () => {
  const before = readTree(path.join(project, 'dist'));
  const claim = path.join(project, 'claims', 'too-small.yaml');
  fs.writeFileSync(claim, YAML.stringify(minimalMachine('too-small', { memory: { size: 256 } })));
  try {
    const run = cdk8sSynth(project);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/claims\/too-small\.yaml:\d+:\d+: Machine infra-machines\/too-small: spec\.memory\.size must be at least 512/);
    expect(readTree(path.join(project, 'dist'))).toEqual(before);
  } finally {
    fs.rmSync(claim);
  }
}, 60_000);
