/**
 * The layers of src/ (.dependency-cruiser.cjs, CONTRIBUTING.md): no import runs from a lower layer up, no
 * import cycle, the Proxmox simulator stands alone. Checked by dependency-cruiser over the real imports.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO } from './_helpers';

const DEPCRUISE = path.join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const cruise = (cwd: string) => spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd, encoding: 'utf8' });

test('src/ keeps its layers: every import runs downward, and none goes round in a cycle', () => {
  const run = cruise(REPO);
  expect(run.stdout + run.stderr).toMatch(/no dependency violations found/);
  expect(run.status).toBe(0);
}, 60_000);

test('an import from a lower layer up is refused, naming the rule and both files', () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-layers-'));
  try {
    for (const entry of ['src', 'imports', '.dependency-cruiser.cjs', 'tsconfig.build.json', 'tsconfig.base.json', 'package.json']) {
      fs.cpSync(path.join(REPO, entry), path.join(copy, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'));
    fs.appendFileSync(path.join(copy, 'src', 'api', 'machine-claim.ts'), "\nexport { synthesize } from '../synth/synthesize';\n");
    const run = cruise(copy);
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain('api-imports-downward: src/api/machine-claim.ts → src/synth/synthesize.ts');
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}, 60_000);
