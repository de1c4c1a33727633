/**
 * What a claim document must be before it can be a Machine at all: a `fabric.kubelize.io/v1alpha1`
 * `Machine` with a name, and nothing beside `metadata` and `spec` (the API server would silently drop a
 * `deletionPolicy` written beside `spec`, or a `status` written by hand). The Machine construct checks
 * the rest. A document that is not a Machine gets one line saying so; every document is still scanned for
 * credentials, since claims are committed to git.
 */
import { MACHINE_API_VERSION, MACHINE_KIND } from '../api/machine-schema';
import { shown } from './problem';
import { SchemaIssue } from './schema-validation';
import { credentialMessage, findCredentials } from './secret-scan';

const MACHINE_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec'];

export interface EnvelopeCheck {
  /** The document can be built into a Machine construct (it may still have issues of its own). */
  readonly isMachine: boolean;
  readonly issues: SchemaIssue[];
}

export function checkClaimEnvelope(document: Record<string, unknown>): EnvelopeCheck {
  const issues: SchemaIssue[] = [];
  const credentials = (value: unknown, path: string) => issues.push(...findCredentials(value, path).map((finding) => ({ path: finding.path, message: credentialMessage(finding) })));
  if (document.apiVersion !== MACHINE_API_VERSION || document.kind !== MACHINE_KIND) {
    const what = typeof document.kind === 'string' ? `a ${document.kind}${typeof document.apiVersion === 'string' ? ` (${document.apiVersion})` : ''}` : 'a document without a kind';
    issues.push({ path: '', message: `holds ${what}, not a Machine: claims/ holds only ${MACHINE_API_VERSION} ${MACHINE_KIND} documents` });
    credentials(document, '');
    return { isMachine: false, issues };
  }
  for (const key of Object.keys(document).filter((field) => !MACHINE_FIELDS.includes(field))) {
    issues.push({ path: key, key: true, message: 'is not a field of the Machine API (the API server would silently drop it)' });
    credentials(document[key], key);
  }
  const metadata = document.metadata;
  if (metadata === undefined) issues.push({ path: 'metadata', message: 'is required' });
  else if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) issues.push({ path: 'metadata', message: `must be an object, got ${shown(metadata)}` });
  else if ((metadata as { name?: unknown }).name === undefined) issues.push({ path: 'metadata.name', message: 'is required' });
  else if (typeof (metadata as { name?: unknown }).name !== 'string') issues.push({ path: 'metadata.name', message: `must be a string, got ${shown((metadata as { name?: unknown }).name)}` });
  const isMachine = issues.every((issue) => !issue.path.startsWith('metadata'));
  // Not built into a Machine, so nothing else will look at its metadata and spec.
  if (!isMachine) credentials({ metadata: document.metadata, spec: document.spec }, '');
  return { isMachine, issues };
}
