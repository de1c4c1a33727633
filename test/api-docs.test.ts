/**
 * The API reference in docs/api/ is generated from the doc comments of what src/index.ts exports (TypeDoc with
 * its markdown plugin, `npm run docs`); it must match a fresh run, as imports/ must match `npm run import`.
 * A match is remembered for the same sources and the same docs/api/ (_generator-checks.ts); CI always runs it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GeneratorCheck, passedBefore, recordPass } from './_generator-checks';
import { readTree, REPO } from './_helpers';

// --skipErrorChecking: TypeDoc then skips its own type-check of the program (ts.getPreEmitDiagnostics, 40% of its
// run) and converts the same program the same way; `npm test` type-checks before jest runs.
const TYPEDOC: GeneratorCheck = {
  name: 'api-docs',
  command: ['typedoc', '--logLevel', 'Error', '--skipErrorChecking'],
  inputs: ['src', 'imports', 'typedoc.json', 'tsconfig.build.json', 'tsconfig.base.json', 'package.json', 'package-lock.json'],
  outputs: ['docs/api'],
};

describe('the API reference', () => {
  const committed = path.join(REPO, 'docs', 'api');
  const remembered = passedBefore(TYPEDOC);
  const out = remembered ? committed : path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-api-docs-')), 'api');
  beforeAll(() => {
    if (remembered) return;
    const [, ...args] = TYPEDOC.command;
    execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'typedoc', 'bin', 'typedoc'), ...args, '--out', out], { cwd: REPO, stdio: 'pipe' });
  }, 120_000);

  test(`docs/api/ is what npm run docs writes from the current doc comments${remembered ? ' (matched before, sources unchanged)' : ''}`, () => {
    if (remembered) return;
    expect(readTree(out)).toEqual(readTree(committed));
    recordPass(TYPEDOC);
  });

  test('documents the constructs with the defaults their props state', () => {
    const machineProps = fs.readFileSync(path.join(out, 'interfaces', 'MachineProps.md'), 'utf8');
    expect(machineProps).toMatch(/named after the construct id, in the chart's namespace, else in 'infra-machines'/);
    expect(fs.existsSync(path.join(out, 'classes', 'Platform.md'))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'interfaces', 'ArgoCdApplicationProps.md'), 'utf8')).toMatch(/repoURL/);
  });
});
