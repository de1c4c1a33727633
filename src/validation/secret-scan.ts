/**
 * Secret hygiene: a claim is committed to git and its values land in dist/, so any string that looks like
 * credential material is refused. Public SSH keys are expected; private keys, passwords and tokens are not.
 */

/** What a credential looks like, with the name used in messages. */
export const CREDENTIAL_PATTERNS: ReadonlyArray<{ readonly name: string; readonly pattern: RegExp }> = [
  { name: 'a private key', pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|PuTTY-User-Key-File/ },
  { name: 'a password in a URL', pattern: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i },
  { name: 'a Proxmox API token', pattern: /PVEAPIToken=|[a-z0-9._-]+@[a-z0-9.-]+![a-z0-9._-]+=[0-9a-f-]{36}/i },
  { name: 'a GitHub token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { name: 'a GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { name: 'an AWS access key', pattern: /\b(AKIA|ASIA)[A-Z0-9]{16}\b/ },
  { name: 'a Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/ },
  { name: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/ },
  { name: 'a password hash', pattern: /^\$(1|2[aby]?|5|6|y)\$[^\s]{8,}$/ },
  // `key=value` only (URL queries, env lines): prose such as "rotate the token: weekly" is not a secret.
  { name: 'a password assignment', pattern: /(?<![a-z])(password|passwd|secret|token|api[_-]?key)=[^\s&#]+/i },
];

/** Field names whose presence alone means a secret was put in the claim. */
const SECRET_FIELD = /^(password|passwd|secret|token|privateKey|private_key|apiToken|token_secret)$/i;

/** The message for a finding: why it is refused, and for a private key, what to paste instead. */
export function credentialMessage(finding: SecretFinding): string {
  const hint = finding.what === 'a private key' ? '; paste the public key instead (the .pub file beside it, e.g. ~/.ssh/id_ed25519.pub) and keep the private key out of git' : '';
  return `looks like ${finding.what}; claims are committed to git, so credentials must stay in Kubernetes Secrets${hint}`;
}

export interface SecretFinding {
  readonly path: string;
  readonly what: string;
}

/** Every string (and key) in `value` that looks like credential material. */
export function findCredentials(value: unknown, path = ''): SecretFinding[] {
  if (typeof value === 'string') {
    const hit = CREDENTIAL_PATTERNS.find((c) => c.pattern.test(value));
    return hit ? [{ path, what: hit.name }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => findCredentials(item, `${path}[${index}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => {
      const childPath = path ? `${path}.${key}` : key;
      // A pod's `secret:` volume source names a Secret (secretName) and holds none.
      const reference = typeof child === 'object' && child !== null && typeof (child as Record<string, unknown>).secretName === 'string';
      const named = SECRET_FIELD.test(key) && !reference ? [{ path: childPath, what: 'a secret by its name' }] : [];
      return [...named, ...findCredentials(child, childPath)];
    });
  }
  return [];
}
