/**
 * A refusal at synth time. Every problem names where it is: the claim file, the Machine and the field,
 * then what is wrong, what is allowed and the value received.
 */
export interface Problem {
  /** Claim file, relative to the project, e.g. `claims/dns01.ts`. */
  readonly file: string;
  /** `namespace/name`, when the Machine is known. */
  readonly machine?: string;
  /** Field path, e.g. `spec.memory.size`. */
  readonly path?: string;
  /** What is wrong, e.g. `must be at least 512 (MiB), got 256`. */
  readonly message: string;
}

/** `claims/dns01.ts: Machine infra-machines/dns01: spec.memory.size must be at least 512 (MiB), got 256` */
export function formatProblem(problem: Problem): string {
  const where = [problem.file, problem.machine ? `Machine ${problem.machine}` : undefined].filter(Boolean).join(': ');
  return `${where}: ${problem.path ? `${problem.path} ` : ''}${problem.message}`;
}

/** Thrown when synth refuses; carries every problem found in the run. */
export class ValidationError extends Error {
  constructor(public readonly problems: readonly Problem[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} found:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'ValidationError';
  }
}

/** A value as it appears in a message: strings quoted, long values shortened. */
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
