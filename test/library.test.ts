/**
 * The specs in test/library/: Fabric's library called in the test process (with the small upstream tools some
 * of them run: git, ssh-keygen, nix-instantiate, cloud-init, gopher-lua). They run as one Jest suite, so the
 * library is loaded once for all of them rather than once per file (0.2–0.4 s of CPU each here). Each spec
 * is a describe named after its file: `npx jest library -t '^plan '` runs one. The suites beside this file
 * run Fabric, or a big upstream tool, as a process.
 */
import * as fs from 'fs';
import * as path from 'path';

const SPECS = path.join(__dirname, 'library');

for (const file of fs.readdirSync(SPECS).filter((name) => name.endsWith('.spec.ts')).sort()) {
  describe(file.slice(0, -'.spec.ts'.length), () => {
    require(path.join(SPECS, file));
  });
}
