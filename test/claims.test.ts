/**
 * TypeScript claims are checked by the compiler: the Machine types are generated from the XRD schema, so a
 * misspelled field is a compile error (npm test type-checks claims/ before it runs jest).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { REPO } from './_helpers';

/** Type-checks one claim module (importing the real src/) and returns its error messages. */
function compileClaim(spec: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-claim-'));
  const file = path.join(dir, 'claim.ts');
  const machineModule = path.join(REPO, 'src', 'machine').split(path.sep).join('/');
  fs.writeFileSync(file, `import { defineMachine } from '${machineModule}';\n\nexport default defineMachine({\n  metadata: { name: 'dns01' },\n  spec: ${spec},\n});\n`);
  const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, types: [], target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('a TypeScript claim', () => {
  test('with the fields of the Machine API compiles', () => {
    expect(compileClaim("{ cpu: { cores: 2 }, memory: { size: 2048 }, proxmox: { node: 'pve' } }")).toEqual([]);
  }, 60_000);

  test.each([
    ['a misspelled top-level field', "{ cpu: { cores: 2 }, memroy: { size: 2048 }, memory: { size: 2048 }, proxmox: { node: 'pve' } }", /'memroy' does not exist/],
    ['a misspelled nested field', "{ cpu: { core: 2 }, memory: { size: 2048 }, proxmox: { node: 'pve' } }", /'core' does not exist/],
    ['a missing required field', "{ cpu: { cores: 2 }, proxmox: { node: 'pve' } }", /Property 'memory' is missing/],
    ['a value of the wrong type', "{ cpu: { cores: '2' }, memory: { size: 2048 }, proxmox: { node: 'pve' } }", /Type 'string' is not assignable to type 'number'/],
  ])('with %s does not compile', (_reason, spec, message) => {
    expect(compileClaim(spec)).toEqual([expect.stringMatching(message)]);
  }, 60_000);
});
