/**
 * `npm run bench [-- --sizes 10,1000,10000 --runs 3]`: synth at fleet scale, against a floor.
 *
 * For each size N it generates N valid Machines, as YAML claims and as TypeScript claims, in a throwaway
 * project, runs the real `npm run synth` over them (validation included) and a floor in the same run: a
 * plain Node script that only parses the same claims and writes each object back out with the same YAML
 * library. Synth is timed twice: the first synth of the fleet (no dist/ yet) and a re-synth over its own
 * dist/ (the everyday case: the plan reads the current tree). Every command runs once untimed first, so
 * tsx's transform cache and the page cache are warm for synth and floor alike; then the median of the
 * timed runs is reported, with peak memory, the synth/floor ratio and the cost per Machine.
 * The example fleet (claims/ of this repository) is timed as a synth process on its own.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BENCH_COMMAND } from './_commands';
import { commandLine } from './_options';

const REPO = path.resolve(__dirname, '..', '..');

interface Options {
  readonly sizes: number[];
  readonly runs: number;
}

interface Measurement {
  readonly seconds: number;
  readonly peakMiB: number;
}

function parseOptions(argv: readonly string[]): Options | number {
  const parsed = commandLine(BENCH_COMMAND, argv, 'bench');
  if (typeof parsed === 'number') return parsed;
  const option = (name: string) => {
    const value = parsed.values.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const sizes = (option('--sizes') ?? '10,1000,10000').split(',').map(Number);
  const runs = Number(option('--runs') ?? '3');
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(runs) || runs < 1) {
    throw new Error('usage: npm run bench [-- --sizes 10,1000,10000 --runs 3]');
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
      bootstrap: { sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDQMiAfu3Dnt/xo6xQPL1oQrlAgyswsvn5cskQs46F8k admin@homelab'] },
      tags: { environment: 'bench' },
    },
  };
}

/** A throwaway project sharing this repository's code and dependencies, with N generated claims. */
function makeProject(n: number, format: 'yaml' | 'ts'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fabric-bench-${format}-${n}-`));
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
  for (const shared of ['node_modules', 'src', 'imports']) fs.symlinkSync(path.join(REPO, shared), path.join(dir, shared));
  fs.mkdirSync(path.join(dir, 'claims'));
  for (let i = 0; i < n; i++) {
    const { name, spec } = machineSpec(i);
    const metadata = { name, namespace: 'infra-machines' };
    const file = path.join(dir, 'claims', `${name}.${format}`);
    if (format === 'yaml') {
      fs.writeFileSync(file, JSON.stringify({ apiVersion: 'fabric.kubelize.io/v1alpha1', kind: 'Machine', metadata, spec }, null, 1));
    } else {
      fs.writeFileSync(file, `import { defineMachine } from '../src';\n\nexport default defineMachine(${JSON.stringify({ metadata, spec }, null, 2)});\n`);
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

/** The command line of an npm script of this package, as words. */
function npmScript(name: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  return manifest.scripts[name].split(/\s+/);
}

/**
 * Removes a tree before a timed run and flushes the deletion to disk, so the run is not charged for the
 * previous run's write-back (on this machine it can slow file creation several times over).
 */
function removeTree(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  spawnSync('sync');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function repeat(runs: number, once: () => Measurement): Measurement {
  once(); // warm-up, untimed
  const all = Array.from({ length: runs }, once);
  return { seconds: median(all.map((m) => m.seconds)), peakMiB: median(all.map((m) => m.peakMiB)) };
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  if (typeof options === 'number') {
    process.exitCode = options;
    return;
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  console.log(`machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; median of ${options.runs} runs`);

  // The example fleet: the synth process exactly as `npm run synth` starts it, without npm's own start-up.
  const exampleOut = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-bench-example-'));
  const synthCommand = npmScript('synth');
  const example = repeat(options.runs, () => {
    fs.rmSync(path.join(exampleOut, 'dist'), { recursive: true, force: true });
    return measure(synthCommand[0] === 'node' ? process.execPath : synthCommand[0], [...synthCommand.slice(1), '--out', path.join(exampleOut, 'dist')], REPO);
  });
  const viaNpm = repeat(options.runs, () => measure(npm, ['run', '--silent', 'synth', '--', '--out', path.join(exampleOut, 'dist')], REPO));
  console.log(`example fleet (claims/): synth process ${(example.seconds * 1000).toFixed(0)} ms, peak ${example.peakMiB} MiB (target < 500 ms); through npm run synth ${(viaNpm.seconds * 1000).toFixed(0)} ms`);
  console.log('');
  console.log('| N | claims | floor | first synth | re-synth | first / floor | re-synth / floor | synth peak | floor peak | re-synth per Machine |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');

  for (const n of options.sizes) {
    for (const format of ['yaml', 'ts'] as const) {
      const project = makeProject(n, format);
      fs.writeFileSync(path.join(project, 'floor.cjs'), FLOOR_SCRIPT);
      const floorRequire = format === 'ts' ? ['--require', 'tsx/cjs'] : [];
      const synthArgs = ['run', '--silent', 'synth', '--', '--project', project];
      const first = repeat(options.runs, () => {
        removeTree(path.join(project, 'dist'));
        return measure(npm, synthArgs, REPO);
      });
      const again = repeat(options.runs, () => measure(npm, synthArgs, REPO));
      const floor = repeat(options.runs, () => {
        removeTree(path.join(project, 'floor-out'));
        return measure(process.execPath, [...floorRequire, 'floor.cjs', project, path.join(project, 'floor-out')], project);
      });
      const ratio = (m: Measurement) => `${(m.seconds / floor.seconds).toFixed(2)}×`;
      console.log(`| ${n} | ${format} | ${floor.seconds.toFixed(2)} s | ${first.seconds.toFixed(2)} s | ${again.seconds.toFixed(2)} s | ${ratio(first)} | ${ratio(again)} | ${Math.max(first.peakMiB, again.peakMiB)} MiB | ${floor.peakMiB} MiB | ${((again.seconds / n) * 1000).toFixed(2)} ms |`);
      fs.rmSync(project, { recursive: true, force: true });
    }
  }
  console.log('');
  console.log('targets: example fleet < 0.5 s; synth ≤ 2.0× floor at 1,000 and 10,000; linear growth; peak < 300 MiB at 10,000');
}

main();
