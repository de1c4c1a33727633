/**
 * `npm run init` starts a user's own fleet from a clone: the example claims go, their Machines leave dist/
 * without a destroy prompt (running init is the consent, recorded for the guard), Argo CD's repository is
 * named, and nothing of the user's own is ever removed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { INIT_COMMAND } from '../../src/cli/_commands';
import { helpText } from '../../src/cli/_options';
import { initCommand } from '../../src/cli/init';
import { synthesize } from '../../src/synth/synthesize';
import { git, minimalMachine, REPO, tempProject } from '../_helpers';


/** An example claim as a TypeScript module, as claims/ ships them. */
const example = (name: string) => `export default ${JSON.stringify({ metadata: minimalMachine(name).metadata, spec: minimalMachine(name).spec })};\n`;

/** A clone as init meets it: the example claims, their dist/ committed, an origin; each test gets a copy. */
let clone: string;
let project: string;
let printed: string[];

beforeAll(() => {
  clone = tempProject({ 'basic.ts': example('basic'), 'dns01.ts': example('dns01'), '_shared.ts': 'export const NODE = "pve";\n' }, { gitops: { repoURL: undefined } });
  fs.writeFileSync(path.join(clone, 'package.json'), JSON.stringify({ name: 'fixture', fabric: { gitops: { repoURL: 'https://github.com/kubelize/fabric.git' } } }));
  synthesize({ projectDir: clone });
  git(clone, 'init', '-q');
  git(clone, 'remote', 'add', 'origin', 'git@github.com:you/fleet.git');
  git(clone, 'add', '-A');
  git(clone, 'commit', '-q', '-m', 'clone');
});

afterAll(() => fs.rmSync(clone, { recursive: true, force: true }));

beforeEach(() => {
  project = fs.mkdtempSync(`${clone}-`);
  fs.cpSync(clone, project, { recursive: true });
  printed = [];
  jest.spyOn(console, 'log').mockImplementation((text: string) => { printed.push(text); });
  jest.spyOn(console, 'error').mockImplementation((text: string) => { printed.push(text); });
});

afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(project, { recursive: true, force: true });
});

test('removes the example claims and their Machines without a destroy prompt, and names the origin as Argo CD\'s repository', () => {
  expect(initCommand(['--project', project], REPO)).toBe(0);
  expect(fs.readdirSync(path.join(project, 'claims'))).toEqual(['_shared.ts']);
  expect(fs.existsSync(path.join(project, 'dist', 'cluster', 'machines'))).toBe(false);
  expect(JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')).fabric.gitops.repoURL).toBe('https://github.com/you/fleet.git');
  expect(printed.join('\n')).toContain('  -   Machine infra-machines/basic: removed: the VM is destroyed');
});

test('the next synth, before anything is committed, does not ask again, and still shows the consented removals', () => {
  initCommand(['--project', project], REPO);
  fs.writeFileSync(path.join(project, 'claims', 'mine.yaml'), JSON.stringify(minimalMachine('mine')));
  const result = synthesize({ projectDir: project });
  expect(result.plan.changes.map((c) => `${c.kind} ${c.id}${c.consented ? ' (consented)' : ''}`)).toEqual([
    'remove infra-machines/basic (consented)',
    'remove infra-machines/dns01 (consented)',
    'add infra-machines/mine',
  ]);
});

test('refuses when claims/ holds the user\'s own Machines, and changes nothing', () => {
  fs.writeFileSync(path.join(project, 'claims', 'mine.yaml'), JSON.stringify(minimalMachine('mine')));
  expect(initCommand(['--project', project], REPO)).toBe(1);
  expect(printed).toEqual([
    'init: claims/ already holds Machines other than the examples (claims/mine.yaml); init starts a fresh fleet and never removes your own claims.\n'
      + 'Your fleet has begun already: edit claims/ and run npm run synth. To drop example claims still there, delete their files and run npm run synth -- --allow-destroy.',
  ]);
  expect(fs.readdirSync(path.join(project, 'claims')).sort()).toEqual(['_shared.ts', 'basic.ts', 'dns01.ts', 'mine.yaml']);
});

test('--repo-url names the repository where there is no remote', () => {
  git(project, 'remote', 'remove', 'origin');
  expect(initCommand(['--project', project], REPO)).toBe(1);
  expect(printed).toEqual(['init: no repository for Argo CD to sync from: the project has no git remote "origin" with a network URL; pass --repo-url https://...']);
  expect(initCommand(['--project', project, '--repo-url', 'https://git.example.org/mine.git'], REPO)).toBe(0);
  expect(JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')).fabric.gitops.repoURL).toBe('https://git.example.org/mine.git');
});

test('--help lists every option', () => {
  expect(initCommand(['--help'], REPO)).toBe(0);
  expect(printed).toEqual([helpText(INIT_COMMAND)]);
  for (const option of ['--repo-url <url>', '--project <dir>', '--help']) expect(printed[0]).toContain(`  ${option} `);
});
