/**
 * The OpenSSH public key formats the Machine API accepts, and the XRD's pattern for a key line: what a
 * regular expression can see of a key (its type, and base64 that starts by naming the same type). Synth
 * decodes the whole key as ssh-keygen does (src/validation/ssh-public-key.ts).
 */

export interface SshKeyType {
  /** The name on the line and inside the blob. */
  readonly name: string;
  /** Wire fields after the type name, in order. */
  readonly fields: readonly ('e' | 'n' | 'curve' | 'point' | 'pk' | 'application')[];
  /** The plain type an `sk-` key carries; its blob is this key's blob without the application. */
  readonly plain?: string;
  /** The curve name ECDSA blobs repeat. */
  readonly curve?: string;
}

/** Every key type Fabric accepts: OpenSSH's current ones (no DSA, which OpenSSH 9.8 removed; no certificates). */
export const SSH_KEY_TYPES: readonly SshKeyType[] = [
  { name: 'ssh-ed25519', fields: ['pk'] },
  { name: 'ssh-rsa', fields: ['e', 'n'] },
  { name: 'ecdsa-sha2-nistp256', fields: ['curve', 'point'], curve: 'nistp256' },
  { name: 'ecdsa-sha2-nistp384', fields: ['curve', 'point'], curve: 'nistp384' },
  { name: 'ecdsa-sha2-nistp521', fields: ['curve', 'point'], curve: 'nistp521' },
  { name: 'sk-ssh-ed25519@openssh.com', fields: ['pk', 'application'], plain: 'ssh-ed25519' },
  { name: 'sk-ecdsa-sha2-nistp256@openssh.com', fields: ['curve', 'point', 'application'], plain: 'ecdsa-sha2-nistp256', curve: 'nistp256' },
];

/** What only synth checks of a key line; the XRD's pattern sees the type and the start of the base64. */
export const SSH_KEY_SYNTH_ONLY_CHECKS =
  'decoded as `ssh-keygen -l` decodes it, which Proxmox runs on every key: valid base64, a blob of the declared type, not truncated, nothing after the key, RSA of 1024 to 16384 bits, an ECDSA point on its curve';


const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The base64 every blob of this type starts with: the type name's length (4 bytes) and the name. Bytes
 * that do not fill a whole base64 character fix only its high bits, so the last character is a class.
 */
export function base64TypePrefix(typeName: string): string {
  const bytes = lengthPrefixed(Buffer.from(typeName));
  const bits = [...bytes].map((byte) => byte.toString(2).padStart(8, '0')).join('');
  let prefix = '';
  for (let i = 0; i + 6 <= bits.length; i += 6) prefix += BASE64_ALPHABET[parseInt(bits.slice(i, i + 6), 2)];
  const known = bits.length % 6;
  if (known > 0) {
    const high = parseInt(bits.slice(bits.length - known), 2) << (6 - known);
    const choices = BASE64_ALPHABET.slice(high, high + (1 << (6 - known)));
    prefix += `[${choices}]`;
  }
  return prefix;
}

/**
 * The XRD's pattern for a key line: a known type, then base64 that starts by naming that same type,
 * then an optional comment. What a pattern cannot see (the rest of the blob) only synth checks.
 */
export const OPENSSH_PUBLIC_KEY_PATTERN =
  `^(${SSH_KEY_TYPES.map((type) => `${escapeRegExp(type.name)} ${base64TypePrefix(type.name)}`).join('|')})[0-9A-Za-z+/]*={0,2}( [^\\r\\n]*)?$`;

/** An SSH wire string: a 4-byte big-endian length, then the bytes (RFC 4251 § 5). */
export function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
