/**
 * The checks of one Machine on its own: secret hygiene, the XRD schema (ajv), the XRD's CEL rules and the
 * SSH keys as Proxmox's ssh-keygen reads them. The Machine construct runs them in its validation; every
 * issue of the Machine is collected, and a later check runs only on what the earlier ones let through.
 */
import { MACHINE_API_VERSION, MACHINE_KIND, TAG_KEY } from '../api/machine-schema';
import { shown } from './problem';
import { validateCelRules } from './cel-validation';
import { SchemaIssue, validateAgainstSchema } from './schema-validation';
import { checkSshKeys } from './ssh-key-checks';
import { credentialMessage, findCredentials } from './secret-scan';

/** A Machine document as the API server receives it. */
export interface MachineDocument {
  readonly metadata: unknown;
  readonly spec: unknown;
}

/** Every issue of one Machine: field path and message. */
export function machineIssues(machine: MachineDocument): SchemaIssue[] {
  // A private copy: validation fills the schema's defaults in, as the API server does before CEL runs.
  const document = { apiVersion: MACHINE_API_VERSION, kind: MACHINE_KIND, metadata: structuredClone(machine.metadata), spec: structuredClone(machine.spec) };
  const secrets = findCredentials({ metadata: document.metadata, spec: document.spec });
  const issues: SchemaIssue[] = secrets.map((finding) => ({ path: finding.path, message: credentialMessage(finding) }));
  // Other messages quote the value received; for a field holding a secret that would print the secret.
  const quiet = (found: SchemaIssue[]) =>
    found.filter((issue) => !secrets.some((s) => issue.path === s.path || issue.path.startsWith(`${s.path}.`) || issue.path.startsWith(`${s.path}[`)));
  const schemaIssues = validateAgainstSchema(document);
  issues.push(...quiet(schemaIssues));
  if (issues.length > 0) return issues;
  const celIssues = validateCelRules(document).flatMap((issue) => (issue.path === 'spec.tags' ? eachTagKey(issue, document.spec) : [issue]));
  if (celIssues.length > 0) return celIssues;
  return checkSshKeys(document.spec as Parameters<typeof checkSshKeys>[0]);
}

/** The tag-key rule sees the whole map; a user wants every bad key named, each on a line of its own. */
function eachTagKey(issue: SchemaIssue, spec: unknown): SchemaIssue[] {
  const tags = (spec as { tags?: Record<string, unknown> }).tags ?? {};
  const bad = Object.keys(tags).filter((key) => !new RegExp(TAG_KEY).test(key));
  if (bad.length === 0) return [issue];
  return bad.map((key) => ({ path: `spec.tags`, message: `key ${shown(key)}: ${issue.message.replace(/^tag keys /, '').replace(/, got .*$/, '')}` }));
}
