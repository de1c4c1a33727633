/**
 * `npm run synth [-- --allow-destroy]` writes dist/; `npm run plan` prints the plan and writes nothing.
 * Options: --plan, --allow-destroy, --out <dir> (default <project>/dist), --project <dir> (default this
 * repository; tests point it at a throwaway project). An unknown option is refused rather than ignored:
 * a misspelled `--plan` must not write dist/.
 * Exit codes: 0 done, 1 refused (invalid claims or an unallowed destroy), 2 unexpected failure or bad usage.
 */
import * as path from 'path';
import { formatPlan } from '../plan';
import { DestroyRefusedError, synthesize } from '../synth';
import { ValidationError } from '../validation/problem';

interface Arguments {
  readonly dryRun: boolean;
  readonly allowDestroy: boolean;
  readonly outDir?: string;
  readonly projectDir: string;
}

function parseArguments(argv: readonly string[]): Arguments {
  let dryRun = false;
  let allowDestroy = false;
  let outDir: string | undefined;
  let projectDir = path.resolve(__dirname, '..', '..');
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${argv[i - 1]} needs a folder`);
      return path.resolve(next);
    };
    switch (argv[i]) {
      case '--plan': dryRun = true; break;
      case '--allow-destroy': allowDestroy = true; break;
      case '--out': outDir = value(); break;
      case '--project': projectDir = value(); break;
      default: throw new Error(`unknown option ${JSON.stringify(argv[i])}; known: --plan, --allow-destroy, --out <dir>, --project <dir>`);
    }
  }
  return { dryRun, allowDestroy, outDir, projectDir };
}

function main(argv: readonly string[]): number {
  const started = process.hrtime.bigint();
  let args: Arguments;
  try {
    args = parseArguments(argv);
  } catch (error) {
    console.error(`synth: ${(error as Error).message}`);
    return 2;
  }
  const outDir = args.outDir ?? path.join(args.projectDir, 'dist');
  const shownOut = `${path.relative(process.cwd(), outDir) || '.'}/`;
  try {
    const result = synthesize({ projectDir: args.projectDir, outDir, allowDestroy: args.allowDestroy, dryRun: args.dryRun });
    if (result.plan.changes.length > 0 || args.dryRun) console.log(formatPlan(result.plan));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(args.dryRun
      ? `plan: ${result.machineCount} Machines, nothing written (${ms.toFixed(0)} ms)`
      : `synth: ${result.machineCount} Machines, ${result.files.size} files written to ${shownOut} (${ms.toFixed(0)} ms, peak ${peakMiB()} MiB)`);
    return 0;
  } catch (error) {
    if (error instanceof ValidationError || error instanceof DestroyRefusedError) {
      console.error(error.message);
      console.error(`${shownOut} was left unchanged`);
      return 1;
    }
    console.error(`synth failed: ${(error as Error).stack ?? error}`);
    console.error(`${shownOut} was left unchanged`);
    return 2;
  }
}

/** Peak resident memory of this process so far (the benchmark reads it). */
function peakMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

process.exitCode = main(process.argv.slice(2));
