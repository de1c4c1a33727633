/**
 * CI's conformance validator, an extra check beside the project, run as CI runs it: `node validate-dist.mjs
 * <dir> --json`. It needs its own node_modules; .ci/run installs a copy and names it in FABRIC_CONFORMANCE_DIR.
 * Tests that need it are skipped, saying so in their name, unless FABRIC_CONFORMANCE_DIR is set; then they
 * run, and fail when the validator is missing there. What a clone can check alone (object shapes against the
 * pinned upstream CRDs in imports/crds/) is in test/_crd-schemas.ts and runs everywhere.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The installed validator FABRIC_CONFORMANCE_DIR names, when it is there with its dependencies. */
const named = process.env.FABRIC_CONFORMANCE_DIR;
export const CONFORMANCE_DIR = named && fs.existsSync(path.join(named, 'validate-dist.mjs')) && fs.existsSync(path.join(named, 'node_modules')) ? named : undefined;

/**
 * Whether tests that need the validator run: when FABRIC_CONFORMANCE_DIR names it (this project's own CI does;
 * a user's clone, CI or not, has no such validator and skips them).
 */
export const CONFORMANCE_REQUIRED = named !== undefined;

/** Said in the name of every test or group skipped for want of the validator. */
export const NEEDS_CONFORMANCE = '(needs the shared conformance validator, a CI extra: set FABRIC_CONFORMANCE_DIR)';

/** `test`, or `test.skip` with the reason in the name when the validator is not installed (set FABRIC_CONFORMANCE_DIR to run it). */
export const withConformance: jest.It = CONFORMANCE_REQUIRED ? test : (((name: string, ...rest: any[]) =>
  (test.skip as any)(`${name} ${NEEDS_CONFORMANCE}`, ...rest)) as any);

/** `describe`, or `describe.skip` with the reason in the group's name when the validator is not installed. */
export function describeWithConformance(name: string, body: () => void): void {
  if (CONFORMANCE_REQUIRED) describe(name, body);
  else describe.skip(`${name} ${NEEDS_CONFORMANCE}`, body);
}

export interface ConformanceProblem {
  readonly level: 'error' | 'warning' | 'info';
  readonly code: string;
  readonly file: string;
  readonly kind?: string;
  readonly name?: string;
  readonly path?: string;
  readonly message: string;
}

export interface ConformanceReport {
  readonly documents: number;
  readonly errors: number;
  readonly warnings: number;
  readonly problems: readonly ConformanceProblem[];
}

export function validateTree(dir: string): ConformanceReport {
  if (!CONFORMANCE_DIR) throw new Error('conformance validator not installed: set FABRIC_CONFORMANCE_DIR to an installed copy (.ci/run makes one)');
  const run = spawnSync(process.execPath, [path.join(CONFORMANCE_DIR, 'validate-dist.mjs'), dir, '--json'], { encoding: 'utf8', timeout: 120_000 });
  if (run.status === 2 || !run.stdout) throw new Error(`validator failed: ${run.error?.message ?? run.stderr}`);
  return JSON.parse(run.stdout) as ConformanceReport;
}

/** Problems of one level as `file: kind name: path: message [code]` lines, for readable failures. */
export function problemLines(report: ConformanceReport, level: ConformanceProblem['level']): string[] {
  return report.problems
    .filter((p) => p.level === level)
    .map((p) => `${p.file}: ${p.kind ?? ''} ${p.name ?? ''}: ${p.path ?? ''}: ${p.message} [${p.code}]`);
}
