/**
 * The version of Fabric that writes the platform, stamped on the XRD and the Composition: the cluster shows
 * which release wrote them, and bumping Fabric in a fleet shows in the plan as a change to both.
 */
import * as fs from 'fs';
import * as path from 'path';

export const FABRIC_PACKAGE = '@kubelize/fabric';
export const FABRIC_VERSION_ANNOTATION = 'fabric.kubelize.io/version';

/** Fabric's package.json is the nearest one above this module (in src/ or in lib/src/, bundled or not). */
function readFabricVersion(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === FABRIC_PACKAGE && manifest.version) return manifest.version;
  }
  throw new Error(`no package.json of ${FABRIC_PACKAGE} above ${__dirname}`);
}

export const FABRIC_VERSION = readFabricVersion();
