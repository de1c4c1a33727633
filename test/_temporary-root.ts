/**
 * Every test file's temporary folders go under one folder of its own, removed when the file's tests are done
 * (Jest's setupFilesAfterEnv): the tests make hundreds with `fs.mkdtempSync(os.tmpdir() ...)`, and most
 * left them behind. Only this process's `os.tmpdir()` is pointed there; the processes the tests start keep
 * the machine's, so tsx's and the tools' caches stay warm.
 *
 * That folder is on a memory file system when the machine has one the tests can use (Linux's /dev/shm,
 * writable and not noexec: some tests run scripts they write). The suite creates and deletes tens of
 * thousands of files; on this machine's disk (ext4 without a journal, where a new file skips every inode
 * deleted in the last minute: bench.ts, setAside) Jest took 40–48 s, on /dev/shm 37–40 s, interleaved.
 * FABRIC_TEST_TMPDIR names another place.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const machineTmp = os.tmpdir();

/** /dev/shm when it is a tmpfs this process may write to and execute from. */
function memoryFileSystem(): string | undefined {
  try {
    const mount = fs.readFileSync('/proc/mounts', 'utf8').split('\n').map((line) => line.split(' '))
      .find(([, dir, type]) => dir === '/dev/shm' && type === 'tmpfs');
    if (mount === undefined || mount[3].split(',').includes('noexec')) return undefined;
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return undefined;
  }
}

const scratch = process.env.FABRIC_TEST_TMPDIR || memoryFileSystem() || machineTmp;
const root = fs.mkdtempSync(path.join(scratch, 'fabric-jest-'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const osModule = require('os') as typeof os;
osModule.tmpdir = () => root;

afterAll(() => {
  osModule.tmpdir = () => machineTmp;
  fs.rmSync(root, { recursive: true, force: true });
});
