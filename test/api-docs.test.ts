/**
 * The API reference in docs/api/ is generated from the doc comments of what src/index.ts exports (TypeDoc with
 * its markdown plugin, `npm run docs`); it must match a fresh run, as imports/ must match `npm run import`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readTree, REPO } from './_helpers';

describe('the API reference', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-api-docs-')), 'api');
  beforeAll(() => {
    // --skipErrorChecking: TypeDoc then skips its own type-check of the program (ts.getPreEmitDiagnostics, 40% of
    // its run) and converts the same program the same way; `npm test` type-checks before jest runs.
    const typedoc = path.join(REPO, 'node_modules', 'typedoc', 'bin', 'typedoc');
    execFileSync(process.execPath, [typedoc, '--logLevel', 'Error', '--skipErrorChecking', '--out', out], { cwd: REPO, stdio: 'pipe' });
  }, 120_000);

  test('docs/api/ is what npm run docs writes from the current doc comments', () => {
    expect(readTree(out)).toEqual(readTree(path.join(REPO, 'docs', 'api')));
  });

  test('documents the constructs with the defaults their props state', () => {
    const machineProps = fs.readFileSync(path.join(out, 'interfaces', 'MachineProps.md'), 'utf8');
    expect(machineProps).toMatch(/named after the construct id, in namespace `infra-machines`/);
    expect(fs.existsSync(path.join(out, 'classes', 'Platform.md'))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'interfaces', 'GitOpsApplicationProps.md'), 'utf8')).toMatch(/repoURL/);
  });
});
