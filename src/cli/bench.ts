/**
 * `npm run bench [-- --sizes 10,1000,5000,10000 --runs 3]`: synth at fleet scale, against a floor.
 *
 * For each size N it generates N valid Machines, as YAML claims and as TypeScript claims, in a throwaway
 * project, runs the real synth over them (validation included) and a floor in the same run: a plain Node
 * script that only parses the same claims and writes each object back out with the same YAML library.
 * Like is compared with like: synth and floor are both started by bare node (npm's own start-up, about a
 * quarter of a second, is timed once, for the example fleet), and a first synth and the floor take turns,
 * so a drift in the machine's speed falls on both alike. Synth is timed twice: the first synth of the fleet
 * (no dist/ yet) and a re-synth over its own dist/ (the everyday case: the plan reads the current tree).
 * Every command runs once untimed first, so tsx's transform cache and the page cache are warm for synth and
 * floor alike; then min and median of the timed runs are reported, with peak memory, the synth/floor ratios
 * of the mins and of the medians (on a busy machine noise only adds time, so the mins' ratio is the steadier
 * one), and the cost per Machine.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BENCH_COMMAND } from './_commands';
import { commandLine } from './_options';
import { PROJECT_DIR } from './_project-dir';

const REPO = PROJECT_DIR;

interface Options {
  readonly sizes: number[];
  readonly runs: number;
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
  const sizes = (option('--sizes') ?? '10,1000,5000,10000').split(',').map(Number);
  const runs = Number(option('--runs') ?? '3');
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(runs) || runs < 1) {
    throw new Error('usage: npm run bench [-- --sizes 10,1000,5000,10000 --runs 3]');
  }
  return { sizes, runs };
}

/** Machine number i: unique name, hostname, static IP and VMID, so the fleet checks pass. */
function machineSpec(i: number): { name: string; spec: Record<string, unknown> } {
  const name = `bench${String(i).padStart(5, '0')}`;
  return {
    name,
    spec: {
      cpu: { cores: 2 },
      memory: { size: 2048 },
      disk: { size: 32 },
      network: { ip: `10.${16 + Math.floor(i / 65000)}.${Math.floor(i / 250) % 260}.${(i % 250) + 2}`, cidr: 16, gateway: `10.${16 + Math.floor(i / 65000)}.255.254` },
      proxmox: { node: `pve${(i % 3) + 1}`, vmId: 100000 + i },
      // A real public key, generated for the benchmark (its private half was discarded): synth checks keys.
      bootstrap: { sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO3+wvc10uSXd4/aZcU/V5V8e9McC4w0f+IJjU2xvUGC bench@fabric'] },
      tags: { environment: 'bench' },
    },
  };
}

/** A throwaway project sharing this repository's code and dependencies, with N generated claims. */
function makeProject(n: number, format: 'yaml' | 'ts'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fabric-bench-${format}-${n}-`));
  // This repository's settings, under another package name: named @kubelize/fabric, the project would be
  // what its claims' `@kubelize/fabric` resolves to.
  const { fabric } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'fabric-bench', private: true, fabric }));
  // This repository's dependencies, and the repository itself as @kubelize/fabric, which TypeScript claims import.
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(path.join(modules, '@kubelize'), { recursive: true });
  for (const entry of fs.readdirSync(path.join(REPO, 'node_modules'))) {
    if (entry !== '@kubelize') fs.symlinkSync(path.join(REPO, 'node_modules', entry), path.join(modules, entry));
  }
  fs.symlinkSync(REPO, path.join(modules, '@kubelize', 'fabric'));
  fs.mkdirSync(path.join(dir, 'claims'));
  for (let i = 0; i < n; i++) {
    const { name, spec } = machineSpec(i);
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

/** The synth process exactly as `npm run synth` starts it (its script's words), without npm in front. */
function synthProcess(): { command: string; args: string[] } {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [command, ...args] = manifest.scripts.synth.split(/\s+/);
  return { command: command === 'node' ? process.execPath : command, args };
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

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  if (typeof options === 'number') {
    process.exitCode = options;
    return;
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  console.log(`machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; min / median of ${options.runs} runs`);

  // The example fleet: the synth process exactly as `npm run synth` starts it, without npm's own start-up.
  const exampleOut = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-bench-example-'));
  const synth = synthProcess();
  const example = repeat(options.runs, () => {
    fs.rmSync(path.join(exampleOut, 'dist'), { recursive: true, force: true });
    return measure(synth.command, [...synth.args, '--out', path.join(exampleOut, 'dist')], REPO);
  });
  const viaNpm = repeat(options.runs, () => measure(npm, ['run', '--silent', 'synth', '--', '--out', path.join(exampleOut, 'dist')], REPO));
  const bareNode = repeat(options.runs, () => measure(process.execPath, ['-e', '0'], REPO));
  fs.rmSync(exampleOut, { recursive: true, force: true });
  console.log(`example fleet (claims/): synth process ${shown(example, 'ms')}, peak ${example.peakMiB} MiB (target < 400 ms); through npm run synth ${shown(viaNpm, 'ms')} (target < 700 ms); node -e 0 ${shown(bareNode, 'ms')}`);
  console.log('');
  console.log('| N | claims | floor | first synth | re-synth | first / floor | re-synth / floor | synth peak | floor peak | re-synth per Machine |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');

  // Every project is deleted at the end, not between sizes: a deletion would slow the next size's runs.
  const projects: string[] = [];
  try {
    for (const n of options.sizes) {
      for (const format of ['yaml', 'ts'] as const) {
        const project = makeProject(n, format);
        projects.push(project);
        const spent = path.join(project, 'spent');
        fs.mkdirSync(spent);
        fs.writeFileSync(path.join(project, 'floor.cjs'), FLOOR_SCRIPT);
        const floorRequire = format === 'ts' ? ['--require', 'tsx/cjs'] : [];
        const synthArgs = [...synth.args, '--project', project];
        const { first, floor } = interleave(options.runs, {
          first: () => {
            setAside(path.join(project, 'dist'), spent);
            return measure(synth.command, synthArgs, REPO);
          },
          floor: () => {
            setAside(path.join(project, 'floor-out'), spent);
            return measure(process.execPath, [...floorRequire, 'floor.cjs', project, path.join(project, 'floor-out')], project);
          },
        });
        const again = repeat(options.runs, () => measure(synth.command, synthArgs, REPO));
        const ratio = (t: Timing) => `${(t.min / floor.min).toFixed(2)}× / ${(t.median / floor.median).toFixed(2)}×`;
        console.log(`| ${n} | ${format} | ${shown(floor)} | ${shown(first)} | ${shown(again)} | ${ratio(first)} | ${ratio(again)} | ${Math.max(first.peakMiB, again.peakMiB)} MiB | ${floor.peakMiB} MiB | ${((again.median / n) * 1000).toFixed(2)} ms |`);
      }
    }
  } finally {
    for (const project of projects) fs.rmSync(project, { recursive: true, force: true });
  }
  console.log('');
  console.log('targets: example fleet < 0.40 s as a process, < 0.7 s through npm; synth ≤ 1.3× floor at 1,000, 5,000 and 10,000; linear growth; peak < 300 MiB at 10,000');
}

main();
