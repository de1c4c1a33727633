/**
 * The claim cache (src/claim-cache.ts): a YAML claim unchanged since it was parsed, by its size and time, is
 * neither read nor parsed again; any other (an edit, a file too new to judge, another parser's cache) is, and
 * a claim that does not parse or that synth refuses is never kept.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CLAIM_CACHE_FILE } from '../../src/synth/claim-cache';
import { synthesize } from '../../src/synth/synthesize';
import { minimalMachine, readTree, tempProject } from '../_helpers';

let project: string;
let claims: string;

/** Sets every claim to a time well in the past, as files written minutes ago have. */
function age(seconds = 60): void {
  const then = new Date(Date.now() - seconds * 1000);
  for (const file of fs.readdirSync(claims)) fs.utimesSync(path.join(claims, file), then, then);
}

/** Synthesizes, returning the claim files it read. */
function synthReadingClaims(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const read = jest.spyOn(require('fs') as typeof fs, 'readFileSync');
  try {
    synthesize({ projectDir: project });
    return read.mock.calls.map(([file]) => String(file)).filter((file) => file.startsWith(`${claims}${path.sep}`)).map((file) => path.basename(file));
  } finally {
    read.mockRestore();
  }
}

const cached = () => Object.keys(JSON.parse(fs.readFileSync(path.join(project, CLAIM_CACHE_FILE), 'utf8')).files).sort();
const machineFile = (name: string) => path.join(project, 'dist', 'cluster', 'machines', `machine.infra-machines.${name}.yaml`);

beforeEach(() => {
  project = tempProject({ 'a.yaml': minimalMachine('a'), 'b.yaml': minimalMachine('b') });
  claims = path.join(project, 'claims');
  age();
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

test('an unchanged claim is not read again, and synth writes the same tree', () => {
  expect(synthReadingClaims()).toEqual(['a.yaml', 'b.yaml']);
  const first = readTree(path.join(project, 'dist'));
  expect(cached()).toEqual(['claims/a.yaml', 'claims/b.yaml']);
  expect(synthReadingClaims()).toEqual([]);
  expect(readTree(path.join(project, 'dist'))).toEqual(first);
});

test('an edited claim is parsed again and synthesized as it is now', () => {
  synthReadingClaims();
  fs.writeFileSync(path.join(claims, 'a.yaml'), JSON.stringify(minimalMachine('a', { memory: { size: 4096 } })));
  expect(synthReadingClaims()).toEqual(['a.yaml']);
  expect(fs.readFileSync(machineFile('a'), 'utf8')).toContain('size: 4096');
});

test('an edit keeping size and time is caught while the time is too close to the cache to judge', () => {
  const file = path.join(claims, 'a.yaml');
  // A whole second, so the time can be set back exactly after the edit.
  const second = Math.floor(Date.now() / 1000);
  fs.writeFileSync(file, JSON.stringify(minimalMachine('a', { memory: { size: 2048 } })));
  fs.utimesSync(file, second, second);
  synthReadingClaims();
  // Same length, same time: only the time being recent tells the edit.
  fs.writeFileSync(file, JSON.stringify(minimalMachine('a', { memory: { size: 3072 } })));
  fs.utimesSync(file, second, second);
  expect(synthReadingClaims()).toContain('a.yaml');
  expect(fs.readFileSync(machineFile('a'), 'utf8')).toContain('size: 3072');
});

test('a claim that does not parse is never kept: its problem is found on every run', () => {
  fs.writeFileSync(path.join(claims, 'b.yaml'), 'metadata: [unclosed\n');
  age();
  for (let run = 0; run < 2; run++) {
    expect(() => synthesize({ projectDir: project })).toThrow(/claims\/b\.yaml:\d+:\d+: cannot be read/);
  }
  expect(cached()).toEqual(['claims/a.yaml']);
});

test('a claim synth refuses is not kept, so a credential in it is not copied into .fabric/', () => {
  const token = `ghp_${'A1b2C3d4E5'.repeat(4)}`;
  fs.writeFileSync(path.join(claims, 'b.yaml'), JSON.stringify(minimalMachine('b', { tags: { note: token } })));
  age();
  expect(() => synthesize({ projectDir: project })).toThrow(/claims\/b\.yaml:\d+:\d+: Machine infra-machines\/b: spec\.tags\.note looks like a GitHub token/);
  expect(cached()).toEqual(['claims/a.yaml']);
  expect(fs.readFileSync(path.join(project, CLAIM_CACHE_FILE), 'utf8')).not.toContain(token);
});

test('what validation fills in is not kept: the cache holds the claim as written', () => {
  synthReadingClaims();
  const [document] = JSON.parse(JSON.parse(fs.readFileSync(path.join(project, CLAIM_CACHE_FILE), 'utf8')).files['claims/a.yaml'].documents);
  expect(document).toEqual(minimalMachine('a'));
});

test('a cache written by another parser is not used', () => {
  synthReadingClaims();
  const cacheFile = path.join(project, CLAIM_CACHE_FILE);
  const kept = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
  kept.files['claims/a.yaml'].documents = JSON.stringify([minimalMachine('a', { memory: { size: 8192 } })]);
  fs.writeFileSync(cacheFile, JSON.stringify({ ...kept, parser: 'yaml@0.0.0 another' }));
  expect(synthReadingClaims()).toEqual(['a.yaml', 'b.yaml']);
  expect(fs.readFileSync(machineFile('a'), 'utf8')).toContain('size: 2048');
});

test('a cache that does not parse (a run killed while writing it) is no cache', () => {
  synthReadingClaims();
  const cacheFile = path.join(project, CLAIM_CACHE_FILE);
  fs.writeFileSync(cacheFile, fs.readFileSync(cacheFile, 'utf8').slice(0, 100));
  expect(synthReadingClaims()).toEqual(['a.yaml', 'b.yaml']);
  expect(cached()).toEqual(['claims/a.yaml', 'claims/b.yaml']);
});

test('a deleted claim is forgotten', () => {
  synthReadingClaims();
  fs.rmSync(path.join(claims, 'b.yaml'));
  synthesize({ projectDir: project, allowDestroy: true });
  expect(cached()).toEqual(['claims/a.yaml']);
});

test('a plan writes nothing, not even the cache', () => {
  synthesize({ projectDir: project, dryRun: true });
  expect(fs.existsSync(path.join(project, '.fabric'))).toBe(false);
});
