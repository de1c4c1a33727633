/**
 * Consent to remove a committed Machine. `synth --allow-destroy` writes a dist/ without it, and git HEAD still
 * holds it until that dist/ is committed; meanwhile every synth's plan still shows it removed (committing the
 * tree destroys its VM) without asking again. The rule: **a consent covers the removal of one Machine, with the
 * spec it had when consent was given, from one HEAD commit, for as long as the Machine stays out of the tree**.
 * It is spent the moment the Machine is back in the tree, void once HEAD moves or the Machine's spec there
 * differs from the one consented to. Kept in .fabric/ (git-ignored), like Terraform's .terraform/: consent is
 * given in a working tree, not committed for others.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { MachineSpec } from '../../imports/fabric.kubelize.io';
import { LOCAL_STATE_DIR } from './local-state';

export const CONSENT_FILE = path.join(LOCAL_STATE_DIR, 'accepted-removals.json');

interface Consent {
  /** The HEAD commit the consent was given against. */
  readonly head: string;
  /** `namespace/name` → the hash of the spec whose removal was consented to. */
  readonly machines: Readonly<Record<string, string>>;
}

/** A spec's identity for consent: its JSON with keys sorted. */
export function specHash(spec: MachineSpec): string {
  const sorted = (value: unknown): unknown => Array.isArray(value)
    ? value.map(sorted)
    : value !== null && typeof value === 'object'
      ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted((value as Record<string, unknown>)[key])]))
      : value;
  return crypto.createHash('sha256').update(JSON.stringify(sorted(spec))).digest('hex');
}

/** The consents given against `head` in this working tree: Machine id → consented spec hash. */
export function givenConsents(projectDir: string, head: string | undefined): ReadonlyMap<string, string> {
  const file = path.join(projectDir, CONSENT_FILE);
  try {
    const consent = JSON.parse(fs.readFileSync(file, 'utf8')) as Consent;
    return new Map(consent.head === head ? Object.entries(consent.machines) : []);
  } catch {
    return new Map();
  }
}

/** Keeps exactly `consents` for `head` (none: the file goes). */
export function keepConsents(projectDir: string, head: string | undefined, consents: ReadonlyMap<string, string>): void {
  const file = path.join(projectDir, CONSENT_FILE);
  if (head === undefined || consents.size === 0) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const machines = Object.fromEntries([...consents].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  fs.writeFileSync(file, `${JSON.stringify({ head, machines } satisfies Consent, null, 2)}\n`);
}
