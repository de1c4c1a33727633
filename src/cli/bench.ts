/**
 * `npm run bench [-- --sizes 100,1000 --runs 5 --compare <checkout>]`: synth at fleet scale, against a floor.
 *
 * The workloads are the example fleet (this repository's claims/) and, for each size N, N generated Machines
 * as YAML claims and as TypeScript claims, each in a throwaway project. For each, it times the real synth
 * (validation, plan and atomic write included) twice: a first synth as after a clone (no dist/, no .fabric/)
 * and a re-synth of the unchanged fleet (the everyday case), and a floor: a plain Node script that only parses
 * the same claims and writes each object back out with the same YAML library. Synth and floor are both
 * started by bare node, and take turns, so a drift in the machine's speed falls on both alike. Every command
 * runs once untimed first (tsx's transform cache and the page cache are warm for synth and floor alike);
 * then min and median of the timed runs are reported, with peak memory.
 *
 * `--compare <checkout>` times another built checkout's synth in turn with this one's: that is how a speed
 * part is judged, by switching it off in a copy and comparing (CONTRIBUTING.md).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BENCH_COMMAND } from './_commands';
import { commandLine, UsageError } from './_options';
import { FABRIC_DIR } from './_project-dir';

const REPO = FABRIC_DIR;

interface Options {
  readonly sizes: number[];
  readonly runs: number;
  /** Another Fabric checkout whose synth takes turns with this one's. */
  readonly compare?: string;
  /** Also time each size with addresses and VMIDs allocated from the site (src/synth/allocation.ts). */
  readonly pools: boolean;
}

interface Measurement {
  readonly seconds: number;
  readonly peakMiB: number;
}

/** Several timed runs of one command: min and median wall time, median peak memory. */
interface Timing {
  readonly min: number;
  readonly median: number;
  readonly peakMiB: number;
}

function parseOptions(argv: readonly string[]): Options | number {
  const parsed = commandLine(BENCH_COMMAND, argv, 'bench');
  if (typeof parsed === 'number') return parsed;
  const option = (name: string) => {
    const value = parsed.values.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const sizes = (option('--sizes') ?? '100,1000').split(',').map(Number);
  const runs = Number(option('--runs') ?? '5');
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(runs) || runs < 1) {
    throw new UsageError('--sizes takes whole numbers from 1, --runs a whole number from 1');
  }
  const compare = option('--compare');
  if (compare !== undefined && !fs.existsSync(path.join(compare, 'bin', 'fabric.js'))) throw new UsageError(`--compare ${compare}: no Fabric checkout there (no bin/fabric.js)`);
  return { sizes, runs, compare, pools: parsed.values.has('--pools') };
}

/** The site a pooled fleet draws from: room for the largest fleet the literal addresses below allow. */
const BENCH_SITE = {
  ipPools: { bench: { subnet: '10.16.0.0/12', gateway: '10.31.255.254', ranges: ['10.16.0.2-10.31.255.253'] } },
  vmIds: { from: 100000, to: 999999 },
};

/**
 * Machine number i: unique name, hostname, static IP and VMID, so the fleet checks pass; `pooled`, the IP
 * and VMID are left to synth, from BENCH_SITE.
 */
function machineSpec(i: number, pooled = false): { name: string; spec: Record<string, unknown> } {
  const name = `bench${String(i).padStart(5, '0')}`;
  return {
    name,
    spec: {
      cpu: { cores: 2 },
      memory: { size: 2048 },
      disk: { size: 32 },
      network: pooled
        ? { ipPool: 'bench' }
        : { ip: `10.${16 + Math.floor(i / 65000)}.${Math.floor(i / 250) % 260}.${(i % 250) + 2}`, cidr: 16, gateway: `10.${16 + Math.floor(i / 65000)}.255.254` },
      proxmox: { node: `pve${(i % 3) + 1}`, ...(pooled ? { allocateVmId: true } : { vmId: 100000 + i }) },
      // A real public key, generated for the benchmark (its private half was discarded): synth checks keys.
      bootstrap: { sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO3+wvc10uSXd4/aZcU/V5V8e9McC4w0f+IJjU2xvUGC bench@fabric'] },
      tags: { environment: 'bench' },
    },
  };
}

/** A throwaway project sharing this repository's code and dependencies, with N generated claims. */
function makeProject(n: number, format: 'yaml' | 'ts', pooled = false): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fabric-bench-${format}-${n}-`));
  // This repository's settings, under another package name: named @kubelize/fabric, the project would be
  // what its claims' `@kubelize/fabric` resolves to.
  const { fabric } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'fabric-bench', private: true, fabric: pooled ? { ...fabric, site: BENCH_SITE } : fabric }));
  // This repository's dependencies, and the repository itself as @kubelize/fabric, which TypeScript claims import.
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(path.join(modules, '@kubelize'), { recursive: true });
  for (const entry of fs.readdirSync(path.join(REPO, 'node_modules'))) {
    if (entry !== '@kubelize') fs.symlinkSync(path.join(REPO, 'node_modules', entry), path.join(modules, entry));
  }
  fs.symlinkSync(REPO, path.join(modules, '@kubelize', 'fabric'));
  fs.mkdirSync(path.join(dir, 'claims'));
  for (let i = 0; i < n; i++) {
    const { name, spec } = machineSpec(i, pooled);
    const metadata = { name, namespace: 'infra-machines' };
    const file = path.join(dir, 'claims', `${name}.${format}`);
    if (format === 'yaml') {
      fs.writeFileSync(file, JSON.stringify({ apiVersion: 'fabric.kubelize.io/v1alpha1', kind: 'Machine', metadata, spec }, null, 1));
    } else {
      fs.writeFileSync(file, `import { defineMachine } from '@kubelize/fabric';\n\nexport default defineMachine(${JSON.stringify({ metadata, spec }, null, 2)});\n`);
    }
  }
  return dir;
}

/** The floor: parse every claim and write each object back out with the same YAML library. */
const FLOOR_SCRIPT = `
const fs = require('fs');
const path = require('path');
const { Yaml } = require('cdk8s');
const YAML = require('yaml');
const [project, out] = process.argv.slice(2);
fs.mkdirSync(out, { recursive: true });
for (const file of fs.readdirSync(path.join(project, 'claims')).sort()) {
  const full = path.join(project, 'claims', file);
  const objects = file.endsWith('.ts')
    ? [require(full).default]
    : YAML.parseAllDocuments(fs.readFileSync(full, 'utf8')).map((d) => d.toJS());
  objects.forEach((object, i) => fs.writeFileSync(path.join(out, file + '.' + i + '.yaml'), Yaml.stringify(object)));
}
console.log('peak ' + Math.round(process.resourceUsage().maxRSS / 1024) + ' MiB');
`;

/** Runs a command, returns wall seconds and the peak memory the command reports (`peak N MiB`). */
function measure(command: string, args: string[], cwd: string): Measurement {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  const peak = /peak (\d+) MiB/.exec(result.stdout)?.[1];
  return { seconds, peakMiB: peak ? Number(peak) : NaN };
}

/**
 * Moves a tree out of the way before a timed run, into `spent`, which is deleted when the bench ends, and
 * flushes earlier runs' writes, so that no run is charged for another's write-back.
 *
 * Deleting the tree instead would charge the run for the deletion. On an ext4 file system without a
 * journal, such as this project's machine's root, allocating an inode skips, one by one, every free inode
 * of its group deleted in the last minute (six while that inode's table block is unwritten): Linux's
 * fs/ext4/ialloc.c, where `find_inode_bit` calls `recently_deleted` when `s_journal` is NULL. After such
 * deletions, creating 20,000 files took 2.0–2.8 s here instead of 0.4–0.6 s, most of the kernel's time in
 * that check; synth, which creates two files per Machine, pays it twice over the floor. A user's first
 * synth follows no such deletion.
 */
function setAside(dir: string, spent: string): void {
  if (fs.existsSync(dir)) fs.renameSync(dir, path.join(spent, `${path.basename(dir)}-${fs.readdirSync(spent).length}`));
  spawnSync('sync');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function timing(measurements: Measurement[]): Timing {
  const seconds = measurements.map((m) => m.seconds);
  return { min: Math.min(...seconds), median: median(seconds), peakMiB: median(measurements.map((m) => m.peakMiB)) };
}

/** Runs each command once untimed (a warm-up), then `runs` rounds of all of them in turn. */
function interleave<K extends string>(runs: number, commands: Record<K, () => Measurement>): Record<K, Timing> {
  const names = Object.keys(commands) as K[];
  const measured = new Map(names.map((name) => [name, [] as Measurement[]]));
  for (const name of names) commands[name]();
  for (let round = 0; round < runs; round++) for (const name of names) measured.get(name)!.push(commands[name]());
  return Object.fromEntries(names.map((name) => [name, timing(measured.get(name)!)])) as Record<K, Timing>;
}

function repeat(runs: number, once: () => Measurement): Timing {
  return interleave(runs, { once }).once;
}

/** `min / median` in seconds (or milliseconds), as the table prints a timing. */
function shown(timing: Timing, unit: 's' | 'ms' = 's'): string {
  const scale = unit === 'ms' ? 1000 : 1;
  const digits = unit === 'ms' ? 0 : 2;
  return `${(timing.min * scale).toFixed(digits)} / ${(timing.median * scale).toFixed(digits)} ${unit}`;
}

/** A synth to time: this checkout's, or another's given with --compare. */
interface Synth {
  readonly label: string;
  readonly command: string;
  readonly args: string[];
  readonly cwd: string;
}

/** The synth process of a checkout, as `npm run synth` starts it there (its script's words) without npm. */
function synthOf(checkout: string, label: string): Synth {
  const manifest = JSON.parse(fs.readFileSync(path.join(checkout, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [command, ...args] = manifest.scripts.synth.split(/\s+/);
  return { label, command: command === 'node' ? process.execPath : command, args: args.map((arg) => (arg.startsWith('bin/') ? path.join(checkout, arg) : arg)), cwd: checkout };
}

/** A throwaway project with this repository's example claims (claims/), sharing its dependencies. */
function exampleProject(): string {
  const dir = makeProject(0, 'yaml');
  fs.cpSync(path.join(REPO, 'claims'), path.join(dir, 'claims'), { recursive: true });
  return dir;
}

/**
 * A first synth as after a clone (no dist/, no .fabric/: both set aside before each run) and a re-synth of an
 * unchanged fleet (dist/ and .fabric/ as the previous synth left them), for each synth, taking turns.
 */
function timeSynths(synths: readonly Synth[], project: string, runs: number, floor: () => Measurement): { first: Timing[]; again: Timing[]; floor: Timing } {
  const spent = path.join(project, 'spent');
  fs.mkdirSync(spent, { recursive: true });
  const first = (synth: Synth) => () => {
    setAside(path.join(project, 'dist'), spent);
    setAside(path.join(project, '.fabric'), spent);
    return measure(synth.command, [...synth.args, '--project', project], synth.cwd);
  };
  const again = (synth: Synth) => () => measure(synth.command, [...synth.args, '--project', project], synth.cwd);
  const firsts = interleave(runs, { ...Object.fromEntries(synths.map((synth, i) => [`s${i}`, first(synth)])), floor } as Record<string, () => Measurement>);
  // Each re-synth runs over the tree its own synth wrote just before.
  const agains = synths.map((synth) => {
    first(synth)();
    return repeat(runs, again(synth));
  });
  return { first: synths.map((_, i) => firsts[`s${i}`]), again: agains, floor: firsts.floor };
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  if (typeof options === 'number') {
    process.exitCode = options;
    return;
  }
  const synths = [synthOf(REPO, 'this'), ...(options.compare ? [synthOf(path.resolve(options.compare), path.basename(options.compare))] : [])];
  console.log(`machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; min / median of ${options.runs} runs${synths.length > 1 ? `; ${synths[1].label} / this is the ratio of medians` : ''}`);
  const compared = (times: Timing[]) => (times.length > 1 ? ` | ${shown(times[1])} | ${(times[1].median / times[0].median).toFixed(2)}×` : '');
  console.log(`| fleet | claims | floor | first synth | re-synth |${synths.length > 1 ? ` ${synths[1].label} first | ratio | ${synths[1].label} re-synth | ratio |` : ''} first / floor | peak |`);
  console.log(`| --- | --- | ---: | ---: | ---: |${synths.length > 1 ? ' ---: | ---: | ---: | ---: |' : ''} ---: | ---: |`);

  // Every project is deleted at the end, not between sizes: a deletion would slow the next size's runs.
  const projects: string[] = [];
  try {
    const workloads: Array<{ fleet: string; format: 'yaml' | 'ts'; project: string }> = [{ fleet: 'example (claims/)', format: 'ts', project: exampleProject() }];
    for (const n of options.sizes) {
      for (const format of ['yaml', 'ts'] as const) workloads.push({ fleet: String(n), format, project: makeProject(n, format) });
      if (options.pools) workloads.push({ fleet: `${n} from pools`, format: 'yaml', project: makeProject(n, 'yaml', true) });
    }
    for (const { fleet, format, project } of workloads) {
      projects.push(project);
      fs.writeFileSync(path.join(project, 'floor.cjs'), FLOOR_SCRIPT);
      const floorRequire = format === 'ts' ? ['--require', 'tsx/cjs'] : [];
      const floor = () => {
        setAside(path.join(project, 'floor-out'), path.join(project, 'spent'));
        return measure(process.execPath, [...floorRequire, 'floor.cjs', project, path.join(project, 'floor-out')], project);
      };
      const times = timeSynths(synths, project, options.runs, floor);
      const ratio = (t: Timing) => `${(t.min / times.floor!.min).toFixed(2)}× / ${(t.median / times.floor!.median).toFixed(2)}×`;
      console.log(`| ${fleet} | ${format} | ${shown(times.floor!)} | ${shown(times.first[0])} | ${shown(times.again[0])}${compared(times.first)}${compared(times.again)} | ${ratio(times.first[0])} | ${Math.max(times.first[0].peakMiB, times.again[0].peakMiB)} MiB |`);
    }
  } finally {
    for (const project of projects) fs.rmSync(project, { recursive: true, force: true });
  }
  console.log('');
  console.log('target: a first synth at most 2.0× its floor, for the example fleet and for 1,000 Machines');
}

main();
