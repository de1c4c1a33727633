/**
 * Consent to remove Machines that are still committed: after `synth --allow-destroy` (or `init`) has
 * written a dist/ without them, and until that dist/ is committed, git HEAD still holds them. The consent
 * is kept here, per HEAD commit, so the next synth does not ask again; a new commit makes it moot, and a
 * Machine that reappears in a later commit is guarded again. Local state (.fabric/ is git-ignored), like
 * Terraform's .terraform/: consent is given in a working tree, not committed for others.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LOCAL_STATE_DIR } from './local-state';

export const CONSENT_FILE = path.join(LOCAL_STATE_DIR, 'accepted-removals.json');

interface Consent {
  /** The HEAD commit the consent was given against. */
  readonly head: string;
  /** `namespace/name` of each Machine whose removal was accepted. */
  readonly machines: readonly string[];
}

/** Machines whose removal from `head` was accepted in this working tree. */
export function acceptedRemovals(projectDir: string, head: string): ReadonlySet<string> {
  const file = path.join(projectDir, CONSENT_FILE);
  if (!fs.existsSync(file)) return new Set();
  const consent = JSON.parse(fs.readFileSync(file, 'utf8')) as Consent;
  return new Set(consent.head === head ? consent.machines : []);
}

/** Adds `machines` to the removals accepted against `head` (a consent for another commit is replaced). */
export function acceptRemovals(projectDir: string, head: string, machines: readonly string[]): void {
  if (machines.length === 0) return;
  const accepted = new Set([...acceptedRemovals(projectDir, head), ...machines]);
  const file = path.join(projectDir, CONSENT_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ head, machines: [...accepted].sort() } satisfies Consent, null, 2)}\n`);
}
