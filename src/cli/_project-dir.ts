/**
 * The repository the commands work on: the nearest folder above this module with a package.json. The same
 * code runs from src/cli/ (through tsx) and compiled from lib/src/cli/, so a fixed number of `..` would be
 * wrong in one of them.
 */
import * as fs from 'fs';
import * as path from 'path';

function findProjectDir(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export const PROJECT_DIR = findProjectDir(__dirname);
