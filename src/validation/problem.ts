import { FabricError } from '../util/errors';

/**
 * A refusal at synth time. Every problem names where it is: the claim file, the Machine and the field,
 * then what is wrong, what is allowed and the value received.
 */
export interface Problem {
  /** Claim file, relative to the project, e.g. `claims/dns01.ts`. */
  readonly file: string;
  /**
   * Where in `file` the problem is, 1-based as editors count: set for YAML claims and for files that cannot be
   * parsed; not for other problems of TypeScript claims, whose values may be computed.
   */
  readonly line?: number;
  /** The column on `line`, 1-based. */
  readonly column?: number;
  /** `namespace/name`, when the Machine is known. */
  readonly machine?: string;
  /** Field path, e.g. `spec.memory.size`. */
  readonly path?: string;
  /** What is wrong, e.g. `must be at least 512 (MiB), got 256`. */
  readonly message: string;
  /** @internal Which Machine of `file` (RawClaim.index), so its YAML document can be found for a position. */
  readonly index?: number;
  /** @internal The problem is the key at `path` (a field that does not belong there), not its value. */
  readonly key?: boolean;
}

/** `claims/dns01.yaml:7:11: Machine infra-machines/dns01: spec.memory.size must be at least 512 (MiB), got 256` */
export function formatProblem(problem: Problem): string {
  const file = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column}`;
  const where = [file, problem.machine ? `Machine ${problem.machine}` : undefined].filter(Boolean).join(': ');
  return `${where}: ${problem.path ? `${problem.path} ` : ''}${problem.message}`;
}

/** Thrown when synth refuses; carries every problem found in the run. */
export class ValidationError extends FabricError {
  constructor(public readonly problems: readonly Problem[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} found:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  }
}

/** A value as it appears in a message: strings quoted, long values shortened. */
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
