import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import * as hostFacts from '../src/nixos/host-facts';
import * as main from '../src/synth/fleet-app';
import * as render from '../src/synth/render';
import { synthesize } from '../src/synth/synthesize';
import { minimalMachine, readTree, REPO, tempProject } from './_helpers';

const CLI = path.join(REPO, 'bin', 'fabric.js');

afterEach(() => jest.restoreAllMocks());

describe('synth', () => {
  let project: string;
  let dist: string;

  beforeEach(() => {
    project = tempProject({ 'a.yaml': minimalMachine('a'), 'b.yaml': minimalMachine('b') });
    dist = path.join(project, 'dist');
    synthesize({ projectDir: project });
    fs.writeFileSync(path.join(project, 'claims', 'c.yaml'), YAML.stringify(minimalMachine('c')));
  });

  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  test('an error thrown while rendering leaves dist/ byte-identical', () => {
    const before = readTree(dist);
    jest.spyOn(render, 'renderObjects').mockImplementation(() => { throw new Error('boom while rendering'); });
    expect(() => synthesize({ projectDir: project })).toThrow('boom while rendering');
    expect(readTree(dist)).toEqual(before);
    expect(fs.readdirSync(project).sort()).toEqual(['.fabric', 'claims', 'dist', 'package.json']);
  });

  test('an error thrown while building the charts leaves dist/ byte-identical', () => {
    const before = readTree(dist);
    jest.spyOn(main, 'buildFleetApp').mockImplementation(() => { throw new Error('boom in a construct'); });
    expect(() => synthesize({ projectDir: project })).toThrow('boom in a construct');
    expect(readTree(dist)).toEqual(before);
  });

  test('a synth that would write no objects at all is an error, and dist/ stays', () => {
    const before = readTree(dist);
    jest.spyOn(render, 'renderObjects').mockReturnValue(new Map());
    jest.spyOn(hostFacts, 'hostFactsFiles').mockReturnValue(new Map());
    expect(() => synthesize({ projectDir: project })).toThrow('refusing to write a dist/ with nothing in cluster/');
    expect(readTree(dist)).toEqual(before);
  });

  test('a project without Machines still writes the platform', () => {
    const empty = tempProject({});
    try {
      const result = synthesize({ projectDir: empty });
      expect(result.machineCount).toBe(0);
      expect([...result.files.keys()].some((f) => f.startsWith('cluster/platform/'))).toBe(true);
      expect([...result.files.keys()].some((f) => f.startsWith('cluster/machines/'))).toBe(false);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('the next synth writes exactly what it rendered', () => {
    const result = synthesize({ projectDir: project });
    expect(readTree(dist)).toEqual(Object.fromEntries([...result.files].map(([f, c]) => [path.normalize(f), c])));
  });
});

/**
 * Waits until `ready()` or the child ends. It polls every millisecond on a timer, not in a blocking loop:
 * the child's exit is an event, seen only while the event loop runs (a blocking loop waited forever for a
 * moment the child had already passed).
 */
async function waitFor(child: ChildProcess, ready: () => boolean): Promise<void> {
  while (child.exitCode === null && child.signalCode === null && !ready()) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('a synth killed with SIGKILL', () => {
  // Enough files that each moment below lasts many polls; more proves nothing and costs seconds.
  const COUNT = 60;
  let project: string;
  let dist: string;
  let backup: string;
  let before: Record<string, string>;
  let after: Record<string, string>;

  const writeClaims = (memory: number) => {
    for (let i = 0; i < COUNT; i++) {
      fs.writeFileSync(path.join(project, 'claims', `vm-${i}.yaml`), YAML.stringify(minimalMachine(`vm-${i}`, { memory: { size: memory } })));
    }
  };
  const leftovers = () => fs.readdirSync(project).filter((name) => name.startsWith('.dist-'));

  beforeAll(() => {
    project = tempProject({});
    dist = path.join(project, 'dist');
    backup = `${project}-backup`;
    fs.mkdirSync(path.join(project, 'claims'));
    writeClaims(2048);
    synthesize({ projectDir: project });
    before = readTree(dist);
    fs.cpSync(dist, backup, { recursive: true });
    // The killed synth changes every Machine in place: old and new trees differ in a thousand files.
    writeClaims(4096);
    const next = synthesize({ projectDir: project, dryRun: true });
    after = Object.fromEntries([...next.files].map(([f, c]) => [path.normalize(f), c]));
  }, 120_000);

  afterAll(() => {
    fs.rmSync(project, { recursive: true, force: true });
    fs.rmSync(backup, { recursive: true, force: true });
  });

  beforeEach(() => {
    fs.rmSync(dist, { recursive: true, force: true });
    fs.cpSync(backup, dist, { recursive: true });
  });

  test.each([
    ['as soon as it creates its new tree', (next: string) => fs.existsSync(next)],
    ['while it writes the Machines of its new tree', (next: string) => fs.existsSync(path.join(next, 'cluster', 'machines'))],
    ['when it moves dist/ aside (or once it is done)', (_next: string, previous: string) => fs.existsSync(previous)],
  ] as Array<[string, (next: string, previous: string) => boolean]>)('%s: dist/ is as it was or wholly new, and the next synth recovers', async (_moment, moment) => {
    const child = spawn(process.execPath, [CLI, 'synth', '--project', project], { cwd: REPO, stdio: 'ignore' });
    const previous = path.join(project, `.dist-previous-${child.pid}`);
    await waitFor(child, () => moment(path.join(project, `.dist-next-${child.pid}`), previous));
    child.kill('SIGKILL');
    await exited(child);

    if (fs.existsSync(dist)) {
      expect([before, after]).toContainEqual(readTree(dist));
    } else {
      // Killed between the two renames: the old tree waits aside, whole.
      expect(readTree(previous)).toEqual(before);
    }

    // The next run recovers whatever the kill left and writes the new tree.
    synthesize({ projectDir: project });
    expect(readTree(dist)).toEqual(after);
    expect(leftovers()).toEqual([]);
  }, 120_000);
});
