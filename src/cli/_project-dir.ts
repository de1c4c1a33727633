/**
 * The two folders a command works with: Fabric's own package (where lib/, starter/ and the bundled synth are),
 * and the project it works on (the fleet: its package.json settings, claims/ and dist/). In this repository
 * they are one folder; in a fleet created by `fabric new`, Fabric is node_modules/@kubelize/fabric and the
 * project is the folder the command runs in, as npm runs scripts there.
 */
import * as fs from 'fs';
import * as path from 'path';

function nearestPackage(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Fabric's package folder: the nearest package.json above this module. The same code runs from src/cli/
 * (through tsx) and compiled from lib/src/cli/, so a fixed number of `..` would be wrong in one of them.
 */
export const FABRIC_DIR = nearestPackage(__dirname)!;

/** The project a command works on: the nearest folder with a package.json from the working directory. */
export function projectDir(cwd: string = process.cwd()): string {
  return nearestPackage(cwd) ?? path.resolve(cwd);
}
