/**
 * `npm run synth [-- --allow-destroy]` writes dist/; `npm run plan` prints the plan and writes nothing.
 * Exit codes: 0 done, 1 refused (invalid claims or an unallowed destroy), 2 unexpected failure.
 */
import * as path from 'path';
import { formatPlan } from '../plan';
import { DestroyRefusedError, synthesize } from '../synth';
import { ValidationError } from '../validation/problem';

function main(argv: readonly string[]): number {
  const started = process.hrtime.bigint();
  const dryRun = argv.includes('--plan');
  const outIndex = argv.indexOf('--out');
  const projectDir = path.resolve(__dirname, '..', '..');
  try {
    const result = synthesize({
      projectDir,
      outDir: outIndex >= 0 ? path.resolve(argv[outIndex + 1]) : undefined,
      allowDestroy: argv.includes('--allow-destroy'),
      dryRun,
    });
    if (result.plan.changes.length > 0 || dryRun) console.log(formatPlan(result.plan));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(dryRun
      ? `plan: ${result.machineCount} Machines, nothing written (${ms.toFixed(0)} ms)`
      : `synth: ${result.machineCount} Machines, ${result.files.size} files written to dist/ (${ms.toFixed(0)} ms)`);
    return 0;
  } catch (error) {
    if (error instanceof ValidationError || error instanceof DestroyRefusedError) {
      console.error(error.message);
      console.error('dist/ was left unchanged');
      return 1;
    }
    console.error(`synth failed: ${(error as Error).stack ?? error}`);
    console.error('dist/ was left unchanged');
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
