/**
 * TypeScript claims are checked by the compiler: the Machine types are generated from the XRD schema, so a
 * misspelled field is a compile error (npm test type-checks claims/ before it runs jest).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { REPO } from '../_helpers';

/** The specs compiled below, each as its own claim module. */
const CASES: Array<[string, string, RegExp | null]> = [
  ['with the fields of the Machine API compiles', "{ cpu: { cores: 2 }, memory: { size: 2048 }, proxmox: { node: 'pve' } }", null],
  ['with a misspelled top-level field does not compile', "{ cpu: { cores: 2 }, memroy: { size: 2048 }, memory: { size: 2048 }, proxmox: { node: 'pve' } }", /'memroy' does not exist/],
  ['with a misspelled nested field does not compile', "{ cpu: { core: 2 }, memory: { size: 2048 }, proxmox: { node: 'pve' } }", /'core' does not exist/],
  ['with a missing required field does not compile', "{ cpu: { cores: 2 }, proxmox: { node: 'pve' } }", /Property 'memory' is missing/],
  ['with a value of the wrong type does not compile', "{ cpu: { cores: '2' }, memory: { size: 2048 }, proxmox: { node: 'pve' } }", /Type 'string' is not assignable to type 'number'/],
];

/**
 * Type-checks every case as its own claim module (importing the real src/) in one compiler program, as
 * `tsc` checks claims/: one program, so the library's types are read once. Returns each file's errors.
 */
function compileClaims(specs: readonly string[]): { perFile: string[][]; elsewhere: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-claim-'));
  const machineModule = path.join(REPO, 'src', 'api', 'machine-claim').split(path.sep).join('/');
  const files = specs.map((spec, i) => {
    const file = path.join(dir, `claim${i}.ts`);
    fs.writeFileSync(file, `import { defineMachine } from '${machineModule}';\n\nexport default defineMachine({\n  metadata: { name: 'dns01' },\n  spec: ${spec},\n});\n`);
    return file;
  });
  const program = ts.createProgram(files, { strict: true, noEmit: true, skipLibCheck: true, types: [], target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const text = (d: ts.Diagnostic) => ts.flattenDiagnosticMessageText(d.messageText, '\n');
  return {
    perFile: files.map((file) => diagnostics.filter((d) => d.file?.fileName === file).map(text)),
    elsewhere: diagnostics.filter((d) => !files.includes(d.file?.fileName ?? '')).map(text),
  };
}

describe('a TypeScript claim', () => {
  let compiled: ReturnType<typeof compileClaims>;
  beforeAll(() => { compiled = compileClaims(CASES.map(([, spec]) => spec)); }, 60_000);

  test('the library the claims import has no errors of its own', () => {
    expect(compiled.elsewhere).toEqual([]);
  });

  test.each(CASES.map((row, i) => [...row, i] as const))('%s', (_reason, _spec, message, i) => {
    expect(compiled.perFile[i]).toEqual(message === null ? [] : [expect.stringMatching(message)]);
  });
});
