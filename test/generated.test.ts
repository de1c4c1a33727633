/**
 * Generated files are current: imports/ and docs/machine-reference.md match a fresh `npm run import`, and
 * the committed dist/ matches a fresh synth (projen's cdk8s integration test does the same).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthesize } from '../src/synth';
import { readTree, REPO } from './_helpers';

describe('generated files', () => {
  test('the committed dist/ is what a fresh synth writes', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-dist-'));
    synthesize({ projectDir: REPO, outDir: path.join(out, 'dist') });
    expect(readTree(path.join(out, 'dist'))).toEqual(readTree(path.join(REPO, 'dist')));
  });

  test('synth is byte-identical on re-run', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-dist-')), 'dist');
    synthesize({ projectDir: REPO, outDir: out });
    const first = readTree(out);
    synthesize({ projectDir: REPO, outDir: out });
    expect(readTree(out)).toEqual(first);
  });

  // Offline: import reads each pinned CRD from imports/crds/ when its header names the URL cdk8s.yaml pins.
  test('imports/ and docs/machine-reference.md match a fresh npm run import', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-import-'));
    execFileSync(process.execPath, ['--require', 'tsx/cjs', path.join(REPO, 'src/cli/import.ts'), '--out', out], { cwd: REPO, stdio: 'pipe' });
    expect(readTree(path.join(out, 'imports'))).toEqual(readTree(path.join(REPO, 'imports')));
    expect(fs.readFileSync(path.join(out, 'docs', 'machine-reference.md'), 'utf8')).toBe(fs.readFileSync(path.join(REPO, 'docs', 'machine-reference.md'), 'utf8'));
  }, 120_000);
});
