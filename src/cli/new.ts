/**
 * `fabric new <dir>`: creates a fleet repository from starter/ (claims/ with one example Machine, cdk8s.yaml,
 * tsconfig.json, .gitignore, a README for operators, a CI workflow) and writes its package.json and
 * package-lock.json (_starter.ts), so the fleet installs what this version of Fabric was tested with.
 * It reads and writes files only, and needs no network: the fleet's `npm ci` installs from that lock.
 */
import * as fs from 'fs';
import * as path from 'path';
import { NEW_COMMAND } from './_commands';
import { commandLine } from './_options';
import { FABRIC_DIR } from './_project-dir';
import { fabricLockEntry, fleetManifests, StarterLock } from './_starter';

/** starter/ path → path in the fleet (npm never packs a file named .gitignore, so it ships as gitignore). */
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

function starterFiles(dir: string, relative = ''): string[] {
  return fs.readdirSync(path.join(dir, relative), { withFileTypes: true }).flatMap((entry) => {
    const child = path.posix.join(relative, entry.name);
    return entry.isDirectory() ? starterFiles(dir, child) : [child];
  });
}

function newCommand(argv: readonly string[], cwd: string = process.cwd()): number {
  const parsed = commandLine(NEW_COMMAND, argv, 'new', 1);
  if (typeof parsed === 'number') return parsed;
  if (parsed.argument === undefined) {
    console.error('new: name the folder to create: fabric new <dir>');
    return 1;
  }
  const target = path.resolve(cwd, parsed.argument);
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) {
    console.error(`new: ${parsed.argument} is not empty; name a new folder, or an empty one`);
    return 1;
  }
  const option = (name: string) => { const value = parsed.values.get(name); return typeof value === 'string' ? value : undefined; };
  const starter = JSON.parse(fs.readFileSync(path.join(FABRIC_DIR, 'lib', 'starter.lock.json'), 'utf8')) as StarterLock;

  // A tarball is written relative to the fleet, as `npm install ../fabric.tgz` writes it.
  const given = option('--fabric');
  const tarball = given?.startsWith('file:') ? path.resolve(cwd, given.slice('file:'.length)) : undefined;
  const fabricSpec = tarball ? `file:${path.relative(target, tarball).split(path.sep).join('/')}` : given ?? `^${starter.fabric.version}`;
  if (tarball && !fs.existsSync(tarball)) {
    console.error(`new: --fabric ${given}: no such file`);
    return 1;
  }
  const repoURL = option('--repo-url');
  const { manifest, lock } = fleetManifests(path.basename(target), fabricSpec, fabricLockEntry(starter, fabricSpec, tarball), starter, repoURL ? { gitops: { repoURL } } : {});

  const starterDir = path.join(FABRIC_DIR, 'starter');
  fs.mkdirSync(target, { recursive: true });
  const written = starterFiles(starterDir).map((file) => {
    const to = RENAMED[file] ?? file;
    fs.mkdirSync(path.dirname(path.join(target, to)), { recursive: true });
    fs.copyFileSync(path.join(starterDir, file), path.join(target, to));
    return to;
  });
  fs.writeFileSync(path.join(target, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(path.join(target, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  const shown = path.relative(cwd, target) || '.';
  console.log(`new: ${shown}/ created: package.json, package-lock.json, ${written.sort().join(', ')}`);
  console.log(`next: cd ${shown} && git init && npm ci && npm run synth${repoURL ? '' : '   (Argo CD syncs from the git remote origin: add one, or set fabric.gitops.repoURL in package.json)'}`);
  return 0;
}

process.exitCode = newCommand(process.argv.slice(2));
