/**
 * Synth-time validation of every Machine: the XRD schema (ajv), the XRD's CEL rules, secret hygiene,
 * the SSH keys as Proxmox's ssh-keygen reads them, then the fleet-wide rules. Every problem of the run is
 * collected; none stops the others.
 */
import { LoadedMachine, RawClaim } from '../synth/claims';
import { MachineDefinition } from '../api/machine-claim';
import { validateCelRules } from './cel-validation';
import { checkFleet } from './fleet-checks';
import { Problem } from './problem';
import { checkSshKeys } from './ssh-key-checks';
import { validateAgainstSchema } from './schema-validation';
import { findCredentials } from './secret-scan';

export interface ValidationResult {
  readonly machines: LoadedMachine[];
  readonly problems: Problem[];
}

export function validateMachines(claims: readonly RawClaim[]): ValidationResult {
  const machines: LoadedMachine[] = [];
  const problems: Problem[] = [];
  for (const claim of claims) {
    const checked = validateMachine(claim);
    problems.push(...checked.problems);
    if (checked.machine) machines.push(checked.machine);
  }
  problems.push(...checkFleet(machines));
  return { machines, problems };
}

/** One Machine on its own (schema, CEL rules, secret hygiene, SSH keys; no fleet rules): the machine when valid, with defaults filled in. */
export function validateMachine(claim: RawClaim): { readonly machine?: LoadedMachine; readonly problems: Problem[] } {
  const problems: Problem[] = [];
  const document = claim.document;
  const machine = machineId(document) ?? `#${claim.index + 1}`;
  const report = (issues: { path: string; message: string; key?: boolean }[]) =>
    problems.push(...issues.map((issue) => ({ file: claim.file, machine, path: issue.path, message: issue.message, index: claim.index, ...(issue.key ? { key: true } : {}) })));

  const secrets = findCredentials(document);
  report(secrets.map((finding) => ({
    path: finding.path,
    message: `looks like ${finding.what}; claims are committed to git, so credentials must stay in Kubernetes Secrets`,
  })));
  // Other messages quote the value received; for a field holding a secret that would print the secret.
  const quiet = (issues: { path: string; message: string }[]) =>
    issues.filter((issue) => !secrets.some((s) => issue.path === s.path || issue.path.startsWith(`${s.path}.`) || issue.path.startsWith(`${s.path}[`)));
  const schemaIssues = validateAgainstSchema(document);
  report(quiet(schemaIssues));
  if (schemaIssues.length > 0 || secrets.length > 0) return { problems };
  const celIssues = validateCelRules(document);
  report(celIssues);
  if (celIssues.length > 0) return { problems };
  const keyIssues = checkSshKeys(document.spec as Parameters<typeof checkSshKeys>[0]);
  report(keyIssues);
  if (keyIssues.length > 0) return { problems };

  const { metadata, spec } = document as unknown as MachineDefinition;
  const namespace = metadata.namespace!;
  const valid: LoadedMachine = { file: claim.file, index: claim.index, name: metadata.name, namespace, id: `${namespace}/${metadata.name}`, metadata, spec };
  VALIDATED.set(spec, valid);
  return { machine: valid, problems };
}

/**
 * Machines this module found valid, by their spec object (defaults filled in). Synth validates every claim
 * and then builds a Machine construct from each: the construct asks here instead of validating again.
 */
const VALIDATED = new WeakMap<object, LoadedMachine>();

/** The valid Machine whose (defaulted) spec object this is, when validateMachine returned it. */
export function validatedMachineOf(spec: object): LoadedMachine | undefined {
  return VALIDATED.get(spec);
}

function machineId(document: Record<string, unknown>): string | undefined {
  const metadata = document.metadata as { name?: unknown; namespace?: unknown } | undefined;
  return typeof metadata?.name === 'string' ? `${String(metadata.namespace)}/${metadata.name}` : undefined;
}
