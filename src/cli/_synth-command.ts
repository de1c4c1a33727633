/**
 * `npm run synth` writes dist/; `npm run plan` (synth --plan) prints the plan and writes nothing. The options
 * and exit codes are the table below, which `--help` prints. The command is a function of its arguments and
 * an output sink, so tests run it in-process; cli/synth.ts is the process around it.
 */
import * as path from 'path';
import { formatPlan, hasChanges, isDestructive, refusedChanges, unconsentedDestroys } from '../synth/plan';
import { synthesize } from '../synth/synthesize';
import { FabricError } from '../util/errors';
import { CommandSpec, helpText, parseOptions, UsageError } from './_options';

export const SYNTH_COMMAND: CommandSpec = {
  usage: 'npm run synth [-- <options>]    npm run plan [-- <options>]',
  summary: 'Validates every Machine under claims/ and writes the platform and the Machines to dist/; with --plan, only prints what would change.',
  options: [
    { name: '--plan', description: 'print the plan and write nothing (what `npm run plan` does)' },
    { name: '--allow-destroy', description: 'accept a plan that destroys or replaces a VM, or loses a disk\'s data' },
    { name: '--check', description: 'print the plan, write nothing, and fail (exit 1) unless dist/ is what synth writes and nothing is destroyed without consent (a fleet\'s `npm test`)' },
    { name: '--detailed-exitcode', description: 'exit 0 when nothing changes, 2 when something changes, 3 when a change destroys; errors exit 1 (as `terraform plan -detailed-exitcode`)' },
    { name: '--out', value: '<dir>', description: 'write the tree to <dir> instead of <project>/dist' },
    { name: '--project', value: '<dir>', description: 'the project (package.json settings, claims/) to synthesize; default: the one in the working directory' },
  ],
  exitCodes: [
    '0  done (with --detailed-exitcode: done, nothing changed)',
    '1  refused: an invalid Machine or a destroy without --allow-destroy; with --check, also a stale dist/ (with --detailed-exitcode: any error)',
    '2  bad usage or an unexpected failure (with --detailed-exitcode: done, something changed, nothing destroyed)',
    '3  with --detailed-exitcode only: done, and the plan destroys or replaces a VM or loses a disk\'s data',
  ],
};

/** Where the command writes: stdout and stderr lines. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: Output = { out: (text) => console.log(text), err: (text) => console.error(text) };

export interface SynthCommandOptions {
  /** The project when --project is not given. */
  readonly defaultProject: string;
  /** Folder paths are shown relative to it. @default process.cwd() */
  readonly cwd?: string;
  /** `true` for `npm run plan`. @default false */
  readonly plan?: boolean;
}

/** Runs the command; returns its exit code. */
export function synthCommand(argv: readonly string[], options: SynthCommandOptions, output: Output = processOutput): number {
  const started = process.hrtime.bigint();
  const cwd = options.cwd ?? process.cwd();
  let parsed;
  try {
    parsed = parseOptions(SYNTH_COMMAND, argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.err(`synth: ${error.message}`);
    return argv.includes('--detailed-exitcode') ? 1 : 2;
  }
  if (parsed.help) {
    output.out(helpText(SYNTH_COMMAND));
    return 0;
  }
  const folder = (name: string) => {
    const value = parsed.values.get(name);
    return typeof value === 'string' ? path.resolve(cwd, value) : undefined;
  };
  const detailed = parsed.values.has('--detailed-exitcode');
  const check = parsed.values.has('--check');
  const dryRun = options.plan === true || parsed.values.has('--plan') || check;
  const projectDir = folder('--project') ?? options.defaultProject;
  const outDir = folder('--out') ?? path.join(projectDir, 'dist');
  const shownOut = `${path.relative(cwd, outDir) || '.'}/`;
  try {
    const result = synthesize({ projectDir, outDir, allowDestroy: parsed.values.has('--allow-destroy'), dryRun });
    const changed = hasChanges(result.plan) || result.changed;
    if (hasChanges(result.plan) || dryRun) output.out(formatPlan(result.plan));
    const ms = (Number(process.hrtime.bigint() - started) / 1e6).toFixed(0);
    if (dryRun) output.out(`plan: ${result.machineCount} Machines, ${result.changed ? 'nothing written' : `${shownOut} unchanged`} (${ms} ms)`);
    else if (!result.changed) output.out(`synth: ${result.machineCount} Machines, ${shownOut} unchanged (${ms} ms, peak ${peakMiB()} MiB)`);
    else output.out(`synth: ${result.machineCount} Machines, ${result.changedFiles} of ${result.files.size} files changed in ${shownOut} (${ms} ms, peak ${peakMiB()} MiB)`);
    for (const warning of result.warnings) output.err(`warning: ${warning}`);
    const refusals = refusedChanges(result.plan);
    if (refusals.length > 0) {
      output.err(`the bpg/proxmox provider cannot apply:\n${refusals.map((line) => `  ${line}`).join('\n')}`);
      return 1;
    }
    if (check) {
      const destroys = unconsentedDestroys(result.plan);
      if (result.changed) output.err(`plan: ${shownOut} is not what synth writes from claims/: run npm run synth, and commit ${shownOut}`);
      if (destroys.length > 0) output.err(`plan: ${destroys.length} change(s) would destroy or replace a committed VM without consent: run npm run synth -- --allow-destroy if that is meant`);
      if (result.changed || destroys.length > 0) return 1;
    }
    if (!detailed || !changed) return 0;
    return isDestructive(result.plan) ? 3 : 2;
  } catch (error) {
    const refused = error instanceof FabricError;
    output.err(refused ? (error as Error).message : `synth failed: ${(error as Error).stack ?? error}`);
    if (!dryRun) output.err(`${shownOut} was left unchanged`);
    return refused || detailed ? 1 : 2;
  }
}

/** Peak resident memory of this process so far (the benchmark reads it). */
function peakMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
