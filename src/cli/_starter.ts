/**
 * What `fabric new` writes besides the files in starter/: the fleet's package.json and its package-lock.json.
 *
 * The lock file is derived from Fabric's own (package-lock.json): the dependency tree of @kubelize/fabric and of
 * the fleet's few direct dependencies, at the very versions Fabric is built and tested with. So a fleet installs
 * exactly what Fabric was tested with, and `npm ci` works from npm's cache alone, offline, on a machine that has
 * installed Fabric (npm resolves ranges only from the registry, but installs a lock file from its cache).
 * The build (build-lib.ts) extracts the part of Fabric's lock a fleet needs into lib/starter.lock.json.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';

/** One `packages` entry of a lock file (lockfileVersion 3): what npm ci installs at a path. */
interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly optional?: boolean;
  readonly peer?: boolean;
  readonly [field: string]: unknown;
}

export interface LockFile {
  readonly name?: string;
  readonly version?: string;
  readonly lockfileVersion: number;
  readonly requires?: boolean;
  readonly packages: Readonly<Record<string, LockEntry>>;
}

/** What the build keeps of Fabric's lock and manifest for `fabric new`. */
export interface StarterLock {
  /** Fabric's own entry in a fleet's lock, less where it comes from. */
  readonly fabric: LockEntry;
  /** The fleet's direct dependencies, name → the version Fabric is tested with. */
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
  /** Every other entry a fleet installs, by path. */
  readonly packages: Readonly<Record<string, LockEntry>>;
}

/** Beside Fabric, a fleet depends on cdk8s and constructs (Fabric's peers), and builds with TypeScript and tsx. */
const FLEET_DEPENDENCIES = ['cdk8s', 'constructs'];
const FLEET_DEV_DEPENDENCIES = ['typescript', 'tsx'];

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
  readonly bin?: Readonly<Record<string, string>>;
  readonly engines?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
}

/**
 * The entries of `lock` a fleet needs: the closure of Fabric's dependencies and the fleet's, each resolved as
 * Node resolves it (the nearest `node_modules/<name>` up from the dependent), dev-only ones marked dev.
 */
export function extractStarterLock(lock: LockFile, manifest: Manifest): StarterLock {
  const packages: Record<string, LockEntry> = {};
  const reached = new Map<string, boolean>(); // path → reached from a production root
  // As Node resolves `name` from the package at `from`: its own node_modules, then each enclosing one.
  const resolve = (from: string, name: string): string | undefined => {
    for (let base = from; ; base = base.slice(0, Math.max(0, base.lastIndexOf('/node_modules/')))) {
      const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
      if (lock.packages[candidate]) return candidate;
      if (base === '') return undefined;
    }
  };
  const visit = (path: string, production: boolean) => {
    if (reached.get(path) === true || (reached.has(path) && !production)) return;
    reached.set(path, production || reached.get(path) === true);
    const entry = lock.packages[path];
    const required = { ...entry.dependencies, ...entry.optionalDependencies };
    for (const [name] of Object.entries(entry.peerDependencies ?? {})) if (!entry.peerDependenciesMeta?.[name]?.optional) required[name] = entry.peerDependencies![name];
    for (const name of Object.keys(required)) {
      const dependency = resolve(path, name);
      // An optional dependency for another platform (fsevents) has no entry: npm skips it too.
      if (dependency) visit(dependency, production);
    }
  };
  const root = (name: string) => {
    const path = `node_modules/${name}`;
    if (!lock.packages[path]) throw new Error(`package-lock.json has no ${path}: run npm install`);
    return path;
  };
  for (const name of [...Object.keys(manifest.dependencies ?? {}), ...FLEET_DEPENDENCIES]) visit(root(name), true);
  for (const name of FLEET_DEV_DEPENDENCIES) visit(root(name), false);
  for (const [path, production] of [...reached].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const { dev: _dev, peer: _peer, devOptional, ...entry } = lock.packages[path];
    const optional = entry.optional === true || devOptional === true;
    if (production) packages[path] = entry;
    else packages[path] = optional ? { ...entry, optional: undefined, devOptional: true } : { ...entry, dev: true };
  }
  const version = (name: string) => lock.packages[`node_modules/${name}`].version!;
  return {
    fabric: {
      version: manifest.version,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
      peerDependencies: manifest.peerDependencies,
      peerDependenciesMeta: manifest.peerDependenciesMeta,
    },
    dependencies: Object.fromEntries(FLEET_DEPENDENCIES.map((name) => [name, version(name)])),
    devDependencies: Object.fromEntries(FLEET_DEV_DEPENDENCIES.map((name) => [name, version(name)])),
    packages,
  };
}

/** How a fleet depends on Fabric: a version range from the registry, or a packed tarball (`file:`). */
export function fabricLockEntry(starter: StarterLock, spec: string, tarball: string | undefined): LockEntry {
  if (tarball === undefined) return { ...starter.fabric };
  const integrity = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
  return { ...starter.fabric, resolved: spec, integrity };
}

/** The fleet's package.json and package-lock.json. */
export function fleetManifests(name: string, fabricSpec: string, fabricEntry: LockEntry, starter: StarterLock, settings: Record<string, unknown>): { manifest: object; lock: LockFile } {
  const caret = (versions: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(versions).map(([dep, version]) => [dep, `^${version}`]));
  const dependencies = { '@kubelize/fabric': fabricSpec, ...caret(starter.dependencies) };
  const devDependencies = caret(starter.devDependencies);
  const manifest = {
    name,
    version: '0.0.0',
    private: true,
    description: 'NixOS machines on Proxmox VE, declared with Fabric',
    scripts: {
      synth: 'fabric synth',
      plan: 'fabric plan',
      test: 'tsc -p . && fabric plan --check',
    },
    dependencies,
    devDependencies,
    fabric: settings,
  };
  const lock: LockFile = {
    name,
    version: '0.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name, version: '0.0.0', dependencies, devDependencies },
      'node_modules/@kubelize/fabric': fabricEntry,
      ...starter.packages,
    },
  };
  return { manifest, lock };
}
