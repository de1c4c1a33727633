/**
 * Generated files are current: imports/ and docs/machine-reference.md match a fresh `npm run import`, and
 * the committed dist/ matches a fresh synth (projen's cdk8s integration test does the same). The import's match
 * is remembered for the same inputs and the same imports/ (_generator-checks.ts); CI always runs it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthesize } from '../src/synth/synthesize';
import { GeneratorCheck, passedBefore, recordPass } from './_generator-checks';
import { readTree, REPO } from './_helpers';

const IMPORT: GeneratorCheck = {
  name: 'import',
  command: ['bin/fabric.js', 'import'],
  inputs: ['cdk8s.yaml', 'src', 'bin', 'package.json', 'package-lock.json'],
  // imports/crds/ too: the import reads the pinned CRDs it kept there.
  outputs: ['imports', 'docs/machine-reference.md'],
};

describe('generated files', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-dist-')), 'dist');
  let first: ReturnType<typeof synthesize>;
  beforeAll(() => { first = synthesize({ projectDir: REPO, outDir: out }); });

  test('the committed dist/ is what a fresh synth writes', () => {
    expect(readTree(out)).toEqual(readTree(path.join(REPO, 'dist')));
  });

  test('synth is byte-identical on re-run, and then leaves dist/ alone', () => {
    const again = synthesize({ projectDir: REPO, outDir: out });
    expect(again.changed).toBe(false);
    expect(again.written).toBe(false);
    expect(Object.fromEntries(again.files)).toEqual(Object.fromEntries(first.files));
    expect(readTree(out)).toEqual(Object.fromEntries([...first.files].map(([file, text]) => [path.normalize(file), text])));
  });

  // Offline: import reads each pinned CRD from imports/crds/ when its header names the URL cdk8s.yaml pins.
  const remembered = passedBefore(IMPORT);
  test(`imports/ and docs/machine-reference.md match a fresh npm run import${remembered ? ' (matched before, inputs unchanged)' : ''}`, () => {
    if (remembered) return;
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-import-'));
    const [command, ...args] = IMPORT.command;
    execFileSync(process.execPath, [path.join(REPO, command), ...args, '--out', out], { cwd: REPO, stdio: 'pipe' });
    expect(readTree(path.join(out, 'imports'))).toEqual(readTree(path.join(REPO, 'imports')));
    expect(fs.readFileSync(path.join(out, 'docs', 'machine-reference.md'), 'utf8')).toBe(fs.readFileSync(path.join(REPO, 'docs', 'machine-reference.md'), 'utf8'));
    recordPass(IMPORT);
  }, 120_000);

  test('npm run import regenerates in place from the kept CRDs alone, without the network', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-import-in-place-'));
    for (const entry of ['bin', 'lib', 'src', 'imports', 'docs', 'cdk8s.yaml', 'package.json', 'tsconfig.base.json', 'tsconfig.build.json']) {
      fs.cpSync(path.join(REPO, entry), path.join(copy, entry), { recursive: true, preserveTimestamps: true });
    }
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'));
    const kept = readTree(path.join(copy, 'imports', 'crds'));
    const output = execFileSync(process.execPath, [path.join(copy, 'bin', 'fabric.js'), 'import'], { cwd: copy, encoding: 'utf8', stdio: 'pipe' });
    // Every CRD cdk8s.yaml pins, each from its kept copy.
    const pinned = (fs.readFileSync(path.join(REPO, 'cdk8s.yaml'), 'utf8').match(/^  - [a-z.]+:=https:\/\//gm) ?? []).length;
    expect(pinned).toBeGreaterThan(10);
    expect(output).toMatch(new RegExp(`^import: ${pinned} CRDs read from imports/crds/, 0 downloaded`, 'm'));
    expect(readTree(path.join(copy, 'imports', 'crds'))).toEqual(kept);
  }, 120_000);
});
