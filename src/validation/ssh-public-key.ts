/**
 * OpenSSH public key lines, checked the way Proxmox checks them. Proxmox runs `ssh-keygen -l` on every
 * line of a VM's `sshkeys` (pve-common `PVE::Tools::validate_ssh_public_keys`) and refuses the whole
 * update if one fails; bpg/proxmox sends the keys after the clone, so a refused key leaves a half-made VM
 * that Terraform taints and clones again on every reconcile. Synth therefore refuses what ssh-keygen
 * refuses.
 *
 * sshpk decodes and checks the key material of the plain types; it does not know the security-key
 * (`sk-`) types, accepts bytes after the key, RSA moduli below OpenSSH's 1024-bit floor and ECDSA points
 * off the curve. So this file walks the blob's SSH wire fields itself with sshpk's own reader (each
 * field a length-prefixed string, RFC 4251 § 5), unwraps an `sk-` key to the plain key it carries, and
 * has Node's OpenSSL import the key, which refuses a point that is not on its curve.
 *
 * @see https://git.proxmox.com/?p=pve-common.git;a=blob;f=src/PVE/Tools.pm (validate_ssh_public_keys)
 * @see https://github.com/openssh/openssh-portable/blob/master/PROTOCOL.u2f (sk- key blobs)
 */
import * as crypto from 'crypto';
import * as sshpk from 'sshpk';
import { lengthPrefixed, SSH_KEY_TYPES } from '../api/ssh-key-format';
// sshpk's reader for SSH wire strings; the package exports no typed entry point for it.
const SSHBuffer: new (options: { buffer: Buffer }) => SshWireReader = require('sshpk/lib/ssh-buffer');

interface SshWireReader {
  readBuffer(): Buffer;
  atEnd(): boolean;
  remainder(): Buffer;
}

/** OpenSSH refuses smaller RSA keys (sshkey.h SSH_RSA_MINIMUM_MODULUS_SIZE) and larger ones (SSHBUF_MAX_BIGNUM). */
export const RSA_MIN_BITS = 1024;
export const RSA_MAX_BITS = 16384;
const ED25519_KEY_BYTES = 32;

/**
 * Why `ssh-keygen -l` would refuse this key line, or undefined when it accepts it. The line is one
 * authorized_keys entry without options: type, base64 blob, optional comment.
 */
export function sshPublicKeyProblem(line: string): string | undefined {
  const [typeName, base64] = line.trim().split(/[ \t]+/, 2);
  const type = SSH_KEY_TYPES.find((candidate) => candidate.name === typeName);
  if (!type) {
    return `key type ${JSON.stringify(typeName)} is not one of ${SSH_KEY_TYPES.map((t) => t.name).join(', ')} (options before the key are not supported)`;
  }
  if (base64 === undefined) return 'the base64 key is missing';
  const blob = decodeBase64(base64);
  if (!blob) return 'the key is not valid base64';

  const fields = new Map<string, Buffer>();
  const reader = new SSHBuffer({ buffer: blob });
  try {
    const embedded = reader.readBuffer().toString('latin1');
    if (embedded !== type.name) return `the key is a ${JSON.stringify(embedded)} key but the line says ${type.name}`;
    for (const field of type.fields) fields.set(field, reader.readBuffer());
  } catch {
    return 'the key is truncated';
  }
  if (!reader.atEnd()) return `the key has ${reader.remainder().length} bytes after its last field`;

  const curve = fields.get('curve')?.toString('latin1');
  if (type.curve && curve !== type.curve) return `the key names curve ${JSON.stringify(curve)} but the line says ${type.name}`;
  const pk = fields.get('pk');
  if (pk && pk.length !== ED25519_KEY_BYTES) return `the ed25519 key is ${pk.length} bytes, not ${ED25519_KEY_BYTES}`;
  if (fields.get('application')?.includes(0)) return 'the security key application contains a NUL byte';

  // The plain key an sk- key carries is its blob under the plain type name, without the application.
  const plainName = type.plain ?? type.name;
  const plainFields = type.fields.filter((field) => field !== 'application').map((field) => fields.get(field)!);
  const plainBlob = Buffer.concat([Buffer.from(plainName), ...plainFields].map(lengthPrefixed));
  let key: sshpk.Key;
  try {
    key = sshpk.parseKey(`${plainName} ${plainBlob.toString('base64')}`, 'ssh');
  } catch (error) {
    return `the key does not decode: ${(error as Error).message}`;
  }
  if (key.type === 'rsa' && (key.size < RSA_MIN_BITS || key.size > RSA_MAX_BITS)) {
    return `the RSA key has ${key.size} bits; OpenSSH accepts ${RSA_MIN_BITS} to ${RSA_MAX_BITS}`;
  }
  if (key.type === 'ecdsa') {
    try {
      crypto.createPublicKey(key.toString('pkcs8'));
    } catch {
      return `the ECDSA key is not a point on ${curve}`;
    }
  }
  return undefined;
}

/**
 * Strict base64 as OpenSSH reads it: whole 4-character groups, padding only at the end, and no stray bits
 * in the last character (Buffer.from would silently ignore all three).
 */
function decodeBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

