import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import type { Machine } from '../src/constructs/machine';
import type { Problem } from '../src/validation/problem';

export const REPO = path.resolve(__dirname, '..');

/**
 * Whether a test whose real tool is missing fails rather than skips: set by this project's own CI
 * (.ci/run), which installs them all. A user's CI (CI=true alone) needs nothing a clone cannot install.
 */
export const REQUIRE_TOOLS = process.env.FABRIC_REQUIRE_TOOLS === '1';

/** `git <args>` in `cwd`, as a fixed author and committer; its output, trimmed. Throws when git fails. */
export function git(cwd: string, ...args: string[]): string {
  const identity = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' };
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, ...identity } }).trim();
}

/** A real ed25519 public key (test/fixtures/ssh-keys), the key every test Machine's admin user gets. */
export const TEST_SSH_KEY = fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'ssh-keys', 'ed25519.pub'), 'utf8').trim();

/** The smallest valid Machine of the contract, as a YAML-claim document. */
export function minimalMachine(name = 'test-vm', spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'fabric.kubelize.io/v1alpha1',
    kind: 'Machine',
    metadata: { name, namespace: 'infra-machines' },
    spec: {
      cpu: { cores: 2 },
      memory: { size: 2048 },
      disk: { size: 32 },
      proxmox: { node: 'pve', storage: 'local-zfs', bridge: 'vmbr0', templateId: 9000 },
      ...spec,
    },
  };
}

/** The repository a throwaway project's Argo CD Application syncs from (projects must name one). */
export const TEST_REPO_URL = 'https://git.example.org/fleet.git';

/**
 * Claim documents checked as synth checks them (one YAML claim file, or a file per document with `files`),
 * with this repository's settings but TEST_REPO_URL: the Machines, and every problem.
 */
export function checkDocuments(documents: ReadonlyArray<Record<string, unknown>>, file: string | ((index: number) => string) = 'claims/test.yaml'): { machines: readonly Machine[]; problems: readonly Problem[] } {
  // Loaded here, not at the top: most specs that use the helpers never synthesize.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { checkClaims } = require('../src/synth/synthesize') as typeof import('../src/synth/synthesize');
  const { resolveSettings } = require('../src/synth/settings') as typeof import('../src/synth/settings');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const claims = documents.map((document, index) => {
    const metadata = document.metadata as Record<string, unknown> | undefined;
    const withNamespace = metadata && typeof metadata === 'object' && metadata.namespace === undefined ? { ...document, metadata: { ...metadata, namespace: 'infra-machines' } } : document;
    return typeof file === 'string' ? { file, index, document: withNamespace } : { file: file(index), index: 0, document: withNamespace };
  });
  const { fabric } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  return checkClaims(REPO, claims, resolveSettings({ ...fabric, gitops: { ...fabric.gitops, repoURL: TEST_REPO_URL } }));
}

/**
 * A throwaway project: package.json with `fabric` settings (gitops.repoURL TEST_REPO_URL unless given;
 * `gitops: { repoURL: undefined }` leaves it out) and claims/ holding the given files.
 */
export function tempProject(claims: Record<string, string | object | object[]>, fabric: Record<string, any> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-test-'));
  const settings = { ...fabric, gitops: { repoURL: TEST_REPO_URL, ...fabric.gitops } };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'fixture', fabric: settings }));
  for (const [file, content] of Object.entries(claims)) {
    const full = path.join(dir, 'claims', file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    const text = typeof content === 'string'
      ? content
      : (Array.isArray(content) ? content : [content]).map((doc) => YAML.stringify(doc, { version: '1.1' })).join('---\n');
    fs.writeFileSync(full, text);
  }
  return dir;
}

/** Replaces a project's claims/ with one YAML claim per Machine, named after it. */
export function replaceClaims(project: string, machines: ReadonlyArray<Record<string, any>>): void {
  fs.rmSync(path.join(project, 'claims'), { recursive: true, force: true });
  fs.mkdirSync(path.join(project, 'claims'));
  for (const machine of machines) {
    fs.writeFileSync(path.join(project, 'claims', `${machine.metadata.name}.yaml`), YAML.stringify(machine, { version: '1.1' }));
  }
}

/** Every file below `dir` with its content, for byte-for-byte comparisons. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else out[child] = fs.readFileSync(path.join(dir, child), 'utf8');
    }
  };
  walk('');
  return out;
}

/** Parses every YAML (and JSON) file of a rendered tree into objects; the inventory's pages are not objects. */
export function objectsOf(files: ReadonlyMap<string, string>): Array<Record<string, any>> {
  return [...files].filter(([file]) => !/\.(md|html)$/.test(file)).map(([, text]) => YAML.parse(text, { version: '1.1' }));
}

export function find(objects: Array<Record<string, any>>, kind: string, name: string, namespace?: string): Record<string, any> {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${namespace ? `${namespace}/` : ''}${name}`);
  return found;
}

/**
 * Tests named for the example fleet read this repository's own claims/ and dist/; once a user has run
 * `npm run init` for a fleet of their own, those examples are gone and the tests skip.
 */
export function describeExampleFleet(name: string, body: () => void): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EXAMPLE_CLAIMS } = require('../src/cli/init') as typeof import('../src/cli/init');
  const present = EXAMPLE_CLAIMS.every((file) => fs.existsSync(path.join(REPO, file)));
  (present ? describe : describe.skip)(`the example fleet: ${name}`, body);
}
