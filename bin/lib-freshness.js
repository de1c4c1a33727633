'use strict';
/**
 * Whether lib/ is the compiled form of the current src/ and imports/: its build stamp (written by
 * build-lib.ts, the last step of every build) is newer than every file under them, as make decides.
 */
const fs = require('fs');
const path = require('path');

const SOURCES = ['src', 'imports', 'tsconfig.base.json', 'tsconfig.build.json'];

/** The newest modification time of a file or of anything under a folder. */
function newest(file) {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(file).reduce((latest, entry) => Math.max(latest, newest(path.join(file, entry))), 0);
}

function libIsCurrent(project) {
  const stamp = path.join(project, 'lib', '.build-stamp');
  if (!fs.existsSync(stamp)) return false;
  const built = fs.statSync(stamp).mtimeMs;
  return SOURCES.every((source) => newest(path.join(project, source)) <= built);
}

module.exports = { libIsCurrent };
