import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as sshpk from 'sshpk';
import { OPENSSH_PUBLIC_KEY_PATTERN } from '../../src/api/ssh-key-format';
import { sshPublicKeyProblem } from '../../src/validation/ssh-public-key';
import { run, testWith } from '../_checkers';
import { REPO } from '../_helpers';

const FIXTURES = path.join(REPO, 'test', 'fixtures', 'ssh-keys');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8').trim();

/** Every real key type, as ssh-keygen (or, for sk-, the token layout) makes it. */
const ACCEPTED: [string, string][] = fs.readdirSync(FIXTURES).filter((file) => file.endsWith('.pub')).sort().map((file) => [file, fixture(file)]);

/** An SSH wire string: 4-byte length, then the bytes. */
function wire(...parts: (string | Buffer)[]): Buffer {
  return Buffer.concat(parts.map((part) => {
    const bytes = Buffer.isBuffer(part) ? part : Buffer.from(part);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  }));
}

/** The wire fields of a key line's blob. */
function fieldsOf(line: string): Buffer[] {
  const blob = Buffer.from(line.split(' ')[1], 'base64');
  const fields: Buffer[] = [];
  for (let offset = 0; offset < blob.length;) {
    const length = blob.readUInt32BE(offset);
    fields.push(blob.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return fields;
}

const line = (type: string, blob: Buffer, comment = 'admin@homelab') => `${type} ${blob.toString('base64')} ${comment}`;

const ed25519 = fixture('ed25519.pub');
const nistp256 = fixture('ecdsa-nistp256.pub');
const [, edKey] = fieldsOf(ed25519);
const [, curve, point] = fieldsOf(nistp256);
const offCurve = Buffer.from(point);
offCurve[offCurve.length - 1] ^= 1;
const rsa512 = sshpk.parseKey(crypto.generateKeyPairSync('rsa', { modulusLength: 512 }).publicKey.export({ type: 'spki', format: 'pem' }), 'pem').toString('ssh');
const nistp256Base64 = nistp256.split(' ')[1];

/**
 * Lines Fabric refuses, why, and what the real `ssh-keygen -l` says: Fabric refuses everything ssh-keygen
 * refuses, and on purpose a little more (options, which the Machine API leaves out).
 */
const REFUSED: [reason: string, line: string, message: RegExp, sshKeygen: 'refuses' | 'accepts'][] = [
  ['base64 with a character outside the alphabet', `ssh-ed25519 ${ed25519.split(' ')[1].slice(0, 30)}!!${ed25519.split(' ')[1].slice(32)}`, /^the key is not valid base64$/, 'refuses'],
  ['base64 without its padding', `ecdsa-sha2-nistp256 ${nistp256Base64.replace(/=+$/, '')}`, /^the key is not valid base64$/, 'refuses'],
  ['the blob names another type than the line', `ssh-rsa ${ed25519.split(' ')[1]}`, /^the key is a "ssh-ed25519" key but the line says ssh-rsa$/, 'refuses'],
  ['an ed25519 line carrying an ECDSA blob', `ssh-ed25519 ${nistp256Base64}`, /^the key is a "ecdsa-sha2-nistp256" key but the line says ssh-ed25519$/, 'refuses'],
  ['a truncated blob', line('ssh-ed25519', Buffer.from(ed25519.split(' ')[1], 'base64').subarray(0, 40)), /^the key is truncated$/, 'refuses'],
  ['a blob that ends after the type', line('ssh-ed25519', wire('ssh-ed25519')), /^the key is truncated$/, 'refuses'],
  ['bytes after the key', line('ssh-ed25519', Buffer.concat([wire('ssh-ed25519', edKey), Buffer.from([0, 0, 0, 1, 65])])), /^the key has 5 bytes after its last field$/, 'refuses'],
  ['an ed25519 key one byte short', line('ssh-ed25519', wire('ssh-ed25519', edKey.subarray(1))), /^the ed25519 key is 31 bytes, not 32$/, 'refuses'],
  ['an RSA key below 1024 bits', rsa512, /^the RSA key has 512 bits; OpenSSH accepts 1024 to 16384$/, 'refuses'],
  ['an ECDSA point off the curve', line('ecdsa-sha2-nistp256', wire('ecdsa-sha2-nistp256', curve, offCurve)), /^the ECDSA key is not a point on nistp256$/, 'refuses'],
  ['an ECDSA blob naming another curve', line('ecdsa-sha2-nistp256', wire('ecdsa-sha2-nistp256', 'nistp384', point)), /^the key names curve "nistp384" but the line says ecdsa-sha2-nistp256$/, 'refuses'],
  ['a security key without its application', line('sk-ssh-ed25519@openssh.com', wire('sk-ssh-ed25519@openssh.com', edKey)), /^the key is truncated$/, 'refuses'],
  ['a security key application with a NUL byte', line('sk-ssh-ed25519@openssh.com', wire('sk-ssh-ed25519@openssh.com', edKey, 'ss\0h:')), /^the security key application contains a NUL byte$/, 'refuses'],
  ['a security ECDSA key off the curve', line('sk-ecdsa-sha2-nistp256@openssh.com', wire('sk-ecdsa-sha2-nistp256@openssh.com', curve, offCurve, 'ssh:')), /^the ECDSA key is not a point on nistp256$/, 'refuses'],
  ['a DSA key, which OpenSSH no longer supports', line('ssh-dss', wire('ssh-dss', Buffer.alloc(20))), /^key type "ssh-dss" is not one of /, 'refuses'],
  ['no base64 at all', 'ssh-ed25519', /^the base64 key is missing$/, 'refuses'],
  ['an options prefix (valid in authorized_keys, not in the Machine API)', `no-pty ${ed25519}`, /^key type "no-pty" is not one of .*\(options before the key are not supported\)$/, 'accepts'],
];

/** Unit tests of the parser: every real key type accepted, every failure mode refused with its reason. */
describe('sshPublicKeyProblem', () => {
  test.each(ACCEPTED)('accepts %s', (_file, key) => {
    expect(sshPublicKeyProblem(key)).toBeUndefined();
  });

  test('accepts a key without a comment, and one separated by tabs', () => {
    const [type, base64] = ed25519.split(' ');
    expect(sshPublicKeyProblem(`${type} ${base64}`)).toBeUndefined();
    expect(sshPublicKeyProblem(`${type}\t${base64}\tadmin@homelab`)).toBeUndefined();
  });

  test.each(REFUSED)('refuses %s', (_reason, key, message) => {
    expect(sshPublicKeyProblem(key)).toMatch(message);
  });
});

/** The XRD's pattern: what the API server can check without decoding. */
describe('OPENSSH_PUBLIC_KEY_PATTERN', () => {
  const pattern = new RegExp(OPENSSH_PUBLIC_KEY_PATTERN);

  test.each(ACCEPTED)('matches %s', (_file, key) => {
    expect(key).toMatch(pattern);
  });

  test.each([
    ['a line whose blob names another type', `ssh-rsa ${ed25519.split(' ')[1]}`],
    ['an ed25519 line carrying an ECDSA blob', `ssh-ed25519 ${nistp256Base64}`],
    ['a nistp384 line carrying a nistp256 blob', `ecdsa-sha2-nistp384 ${nistp256Base64}`],
    ['the old placeholder key, whose length prefix names no type', 'ssh-ed25519 AAAAC3Nza admin@homelab'],
    ['an options prefix', `no-pty ${ed25519}`],
  ])('does not match %s', (_reason, key) => {
    expect(key).not.toMatch(pattern);
  });
});

/** The real judge: ssh-keygen -l, as Proxmox runs it on every line of `sshkeys`. */
describe('agreement with ssh-keygen -l', () => {
  const withSshKeygen = testWith('ssh-keygen');
  /**
   * Whether `ssh-keygen -l -f <file>` exits 0 for each key, each in a file of its own. One shell runs them all:
   * starting a process from this test process costs more than the check.
   */
  const sshKeygenAccepts = (keys: readonly string[]): boolean[] => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-sshkeys-'));
    const files = keys.map((key, index) => {
      const file = path.join(dir, `${index}.pub`);
      fs.writeFileSync(file, `${key}\n`);
      return file;
    });
    const script = 'for file in "$@"; do if ssh-keygen -l -f "$file" >/dev/null 2>&1; then echo accepts; else echo refuses; fi; done';
    const result = run('sh', ['-c', script, 'sh', ...files]);
    const verdicts = result.stdout.split('\n').filter(Boolean);
    expect(verdicts).toHaveLength(keys.length);
    return verdicts.map((verdict) => verdict === 'accepts');
  };

  withSshKeygen('ssh-keygen accepts every key Fabric accepts', () => {
    const accepted = sshKeygenAccepts(ACCEPTED.map(([, key]) => key));
    expect(ACCEPTED.filter((_, index) => !accepted[index]).map(([file]) => file)).toEqual([]);
  });

  withSshKeygen('ssh-keygen refuses every key Fabric refuses, except the options Fabric leaves out on purpose', () => {
    const accepted = sshKeygenAccepts(REFUSED.map(([, key]) => key));
    const verdicts = REFUSED.map(([reason], index) => [reason, accepted[index] ? 'accepts' : 'refuses']);
    expect(verdicts).toEqual(REFUSED.map(([reason, , , sshKeygen]) => [reason, sshKeygen]));
  });
});
