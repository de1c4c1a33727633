/**
 * Every test file's temporary folders go under one folder of its own, removed when the file's tests are done
 * (Jest's setupFilesAfterEnv): the tests make hundreds with `fs.mkdtempSync(os.tmpdir() ...)`, and most
 * left them behind. Only this process's `os.tmpdir()` is pointed there; the processes the tests start keep
 * the machine's, so tsx's and the tools' caches stay warm.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const machineTmp = os.tmpdir();
const root = fs.mkdtempSync(path.join(machineTmp, 'fabric-jest-'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const osModule = require('os') as typeof os;
osModule.tmpdir = () => root;

afterAll(() => {
  osModule.tmpdir = () => machineTmp;
  fs.rmSync(root, { recursive: true, force: true });
});
