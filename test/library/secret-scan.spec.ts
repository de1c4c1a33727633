import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { synthesize } from '../../src/synth/synthesize';
import { formatProblem, ValidationError } from '../../src/validation/problem';
import { CREDENTIAL_PATTERNS, findCredentials } from '../../src/validation/secret-scan';
import { checkDocuments, readTree, REPO, tempProject } from '../_helpers';
import { Doc, fullMachine } from '../_validation-cases';

const keyFixture = (file: string) => fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'ssh-keys', file), 'utf8').trim();

const PRIVATE_KEY = ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', '-----END OPENSSH PRIVATE KEY-----'].join('\n');
const GITHUB_TOKEN = `ghp_${'A1b2C3d4E5'.repeat(4)}`;
const PROXMOX_TOKEN = 'root@pam!fabric=0f8a3c2e-5b7d-4e1f-9a6b-2c4d6e8f0a1b';
const SUFFIX = '; claims are committed to git, so credentials must stay in Kubernetes Secrets';
const PUB_HINT = '; paste the public key instead (the .pub file beside it, e.g. ~/.ssh/id_ed25519.pub) and keep the private key out of git';

function problemsOf(mutate: (m: Doc) => void): string[] {
  const document = fullMachine();
  mutate(document);
  return checkDocuments([document], 'claims/dns01.yaml').problems.map(formatProblem);
}

const where = 'claims/dns01.yaml: Machine infra-machines/dns01:';

describe('a claim holding credential material', () => {
  test.each([
    ['a private key among the authorized keys', (m: Doc) => { m.spec.bootstrap.sshAuthorizedKeys = [PRIVATE_KEY]; },
      `${where} spec.bootstrap.sshAuthorizedKeys[0] looks like a private key${SUFFIX}${PUB_HINT}`],
    ['a PuTTY private key', (m: Doc) => { m.spec.bootstrap.sshAuthorizedKeys = ['PuTTY-User-Key-File-3: ssh-ed25519']; },
      `${where} spec.bootstrap.sshAuthorizedKeys[0] looks like a private key${SUFFIX}${PUB_HINT}`],
    ['a password in the flake URL', (m: Doc) => { m.spec.nix.flakeRef = 'git+https://deploy:hunter22@git.example.com/infra/fabric?ref=main#dns01'; },
      `${where} spec.nix.flakeRef looks like a password in a URL${SUFFIX}`],
    ['a GitHub token as the URL user', (m: Doc) => { m.spec.nix.flakeRef = `git+https://${GITHUB_TOKEN}@github.com/kubelize/fabric#dns01`; },
      `${where} spec.nix.flakeRef looks like a GitHub token${SUFFIX}`],
    ['a token in the flake URL query', (m: Doc) => { m.spec.nix.flakeRef = 'https://git.example.com/fabric/archive.tar.gz?private_token=s3cr3t#dns01'; },
      `${where} spec.nix.flakeRef looks like a password assignment${SUFFIX}`],
    ['a GitHub token in an annotation', (m: Doc) => { m.metadata.annotations = { 'ci/token': GITHUB_TOKEN }; },
      `${where} metadata.annotations.ci/token looks like a GitHub token${SUFFIX}`],
    ['a Proxmox API token in an annotation', (m: Doc) => { m.metadata.annotations = { proxmox: PROXMOX_TOKEN }; },
      `${where} metadata.annotations.proxmox looks like a Proxmox API token${SUFFIX}`],
    ['a Proxmox Authorization header', (m: Doc) => { m.metadata.annotations = { auth: 'PVEAPIToken=root@pam!fabric=whatever' }; },
      `${where} metadata.annotations.auth looks like a Proxmox API token${SUFFIX}`],
    ['a password hash', (m: Doc) => { m.metadata.annotations = { hash: '$6$rounds=4096$saltsalt$K3yb0ardC4tW4lk3d0nTh1sL1n3' }; },
      `${where} metadata.annotations.hash looks like a password hash${SUFFIX}`],
    ['an AWS access key', (m: Doc) => { m.metadata.labels = { key: 'AKIAIOSFODNN7EXAMPLE' }; },
      `${where} metadata.labels.key looks like an AWS access key${SUFFIX}`],
  ] as Array<[string, (m: Doc) => void, string]>)('is refused: %s', (_reason, mutate, expected) => {
    expect(problemsOf(mutate)).toEqual([expected]);
  });

  test('a field named like a secret is refused even when its value looks harmless', () => {
    expect(problemsOf((m) => { m.spec.bootstrap.password = 'changeme'; })).toEqual([
      `${where} spec.bootstrap.password looks like a secret by its name${SUFFIX}`,
    ]);
  });

  test('the refusal never prints the secret itself', () => {
    const printed = problemsOf((m) => { m.spec.bootstrap.sshAuthorizedKeys = [PRIVATE_KEY]; m.spec.tags = { token: GITHUB_TOKEN }; }).join('\n');
    expect(printed).not.toContain('b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ');
    expect(printed).not.toContain(GITHUB_TOKEN);
  });

  test('synth refuses it and writes nothing', () => {
    const machine = fullMachine();
    machine.spec.nix.flakeRef = 'git+https://deploy:hunter22@git.example.com/infra/fabric#dns01';
    const project = tempProject({ 'dns01.yaml': machine });
    try {
      expect(() => synthesize({ projectDir: project })).toThrow(ValidationError);
      expect(() => synthesize({ projectDir: project })).toThrow(/spec.nix.flakeRef looks like a password in a URL/);
      expect(readTree(path.join(project, 'dist'))).toEqual({});
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});

describe('ordinary claims are not flagged', () => {
  test.each([
    ['an ed25519 public key', { bootstrap: { sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq1Hk2bLkQ7T8w0oP9mF3vZ5yXc4N6rB2sD1eA0uJ7k alice@laptop'] } }],
    ['an RSA public key with a long blob', { bootstrap: { sshAuthorizedKeys: [keyFixture('rsa-4096.pub')] } }],
    ['a security-key public key', { bootstrap: { sshAuthorizedKeys: [keyFixture('sk-ssh-ed25519.pub')] } }],
    ['a github: flake ref', { nix: { flakeRef: 'github:kubelize/fabric/main#dns01' } }],
    ['a git+https flake ref with a ref query', { nix: { flakeRef: 'git+https://github.com/kubelize/fabric?ref=main&rev=0123abc#dns01' } }],
    ['a git+ssh flake ref with a user but no password', { nix: { flakeRef: 'git+ssh://git@github.com/kubelize/fabric?ref=main#dns01' } }],
    ['a URL with a port', { nix: { flakeRef: 'git+https://git.example.com:8443/infra/fabric#dns01' } }],
    ['tags that mention secrets as words', { tags: { vault: 'secrets', role: 'token-issuer' } }],
  ] as Array<[string, Doc]>)('%s', (_reason, spec) => {
    expect(problemsOf((m) => Object.assign(m.spec, spec))).toEqual([]);
  });

  test('an annotation that talks about tokens in prose', () => {
    expect(findCredentials({ metadata: { annotations: { note: 'rotate the token: weekly; password: see vault' } } })).toEqual([]);
  });
});

/** Every credential finding in a rendered tree: parsed values (and keys), plus each raw line. */
function credentialsIn(files: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    for (const document of YAML.parseAllDocuments(text, { version: '1.1' })) {
      found.push(...findCredentials(document.toJS()).map((f) => `${file}: ${f.path} looks like ${f.what}`));
    }
    text.split('\n').forEach((line, index) => {
      const hit = CREDENTIAL_PATTERNS.find((c) => c.pattern.test(line));
      if (hit) found.push(`${file}:${index + 1} looks like ${hit.name}`);
    });
    // The Secret's keys are referenced by name; none may carry a value.
    if (/^\s*(token_secret|token_id|api_token|api_url)\s*:/m.test(text)) found.push(`${file}: sets a Proxmox credential key`);
    if (/^kind: Secret$/m.test(text)) found.push(`${file}: holds a Secret`);
  }
  return found;
}

describe('dist/ holds no credential material', () => {
  test('the committed dist/', () => {
    const files = readTree(path.join(REPO, 'dist'));
    expect(Object.keys(files).length).toBeGreaterThan(0);
    expect(credentialsIn(files)).toEqual([]);
  });

  test("a fresh synth of the repository's claims", () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-secret-scan-'));
    try {
      const result = synthesize({ projectDir: REPO, outDir: path.join(outDir, 'dist'), dryRun: true });
      expect(credentialsIn(Object.fromEntries(result.files))).toEqual([]);
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });

  test('the scan does find a credential planted in a tree', () => {
    expect(credentialsIn({ 'cluster/x.yaml': `kind: Secret\nstringData:\n  token_secret: ${PROXMOX_TOKEN}\n` })).toEqual([
      expect.stringMatching(/token_secret looks like a secret by its name/),
      expect.stringMatching(/token_secret looks like a Proxmox API token/),
      expect.stringMatching(/x.yaml:3 looks like a Proxmox API token/),
      'cluster/x.yaml: sets a Proxmox credential key',
      'cluster/x.yaml: holds a Secret',
    ]);
  });
});
