/** _generator-checks.ts: a remembered match stands only for the very inputs, outputs and command it was made with. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GeneratorCheck, passedBefore, recordPass } from '../_generator-checks';

let root: string;
let check: GeneratorCheck;
const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
};

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-generator-checks-'));
  write('src/a.ts', 'export const a = 1;\n');
  write('out/a.md', '# a\n');
  check = { name: 'docs', command: ['gen', '--flag'], inputs: ['src'], outputs: ['out'], root };
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const withOwnCi = (value: string | undefined, body: () => void) => {
  const saved = process.env.FABRIC_REQUIRE_TOOLS;
  if (value === undefined) delete process.env.FABRIC_REQUIRE_TOOLS;
  else process.env.FABRIC_REQUIRE_TOOLS = value;
  try { body(); } finally { if (saved === undefined) delete process.env.FABRIC_REQUIRE_TOOLS; else process.env.FABRIC_REQUIRE_TOOLS = saved; }
};

test('a check never recorded has not passed; once recorded, the same files have', () => withOwnCi(undefined, () => {
  expect(passedBefore(check)).toBe(false);
  recordPass(check);
  expect(passedBefore(check)).toBe(true);
}));

test.each([
  ['an input changed', () => write('src/a.ts', 'export const a = 2;\n')],
  ['an input added', () => write('src/b.ts', 'export const b = 1;\n')],
  ['an input removed', () => fs.rmSync(path.join(root, 'src', 'a.ts'))],
  ['an output changed by hand', () => write('out/a.md', '# a, edited\n')],
  ['an output removed', () => fs.rmSync(path.join(root, 'out', 'a.md'))],
])('%s: the generator runs again', (_change, change) => withOwnCi(undefined, () => {
  recordPass(check);
  change();
  expect(passedBefore(check)).toBe(false);
}));

test('a changed command runs the generator again; another check\'s record is kept apart', () => withOwnCi(undefined, () => {
  recordPass(check);
  expect(passedBefore({ ...check, command: ['gen'] })).toBe(false);
  expect(passedBefore({ ...check, name: 'other' })).toBe(false);
  recordPass({ ...check, name: 'other' });
  expect(passedBefore(check)).toBe(true);
}));

test('in the project\'s own CI (FABRIC_REQUIRE_TOOLS=1) a record is never trusted', () => {
  withOwnCi(undefined, () => recordPass(check));
  withOwnCi('1', () => expect(passedBefore(check)).toBe(false));
});
