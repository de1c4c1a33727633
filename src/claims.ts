/**
 * Loads every Machine under claims/, with no list to maintain: `.ts` modules whose default export is a
 * Machine definition (or an array of them), and `.yaml`/`.yml` files of Machine documents, so users'
 * existing YAML claims keep working. Loading only reads; validation.ts decides what is acceptable.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { MachineSpec } from '../imports/fabric.kubelize.io';
import { DEFAULT_MACHINE_NAMESPACE, MachineDefinition } from './machine';
import { MACHINE_API_VERSION, MACHINE_KIND } from './machine-schema';
import { Problem } from './validation/problem';

/** A claim document as found, before validation. */
export interface RawClaim {
  /** Claim file relative to the project, e.g. `claims/dns01.ts`. */
  readonly file: string;
  /** Position in the file (array element or YAML document), for messages. */
  readonly index: number;
  /** The Machine document: apiVersion, kind, metadata, spec. A private copy: validation fills defaults in. */
  readonly document: Record<string, unknown>;
}

/** A validated Machine with its schema defaults applied. */
export interface LoadedMachine {
  readonly file: string;
  readonly name: string;
  readonly namespace: string;
  /** `namespace/name` */
  readonly id: string;
  readonly metadata: MachineDefinition['metadata'];
  readonly spec: MachineSpec;
}

const CLAIM_FILE = /\.(ts|ya?ml)$/;

/** Claim files under `dir`, sorted, as paths relative to `projectDir`. Type declarations are skipped. */
export function findClaimFiles(projectDir: string, dir = 'claims'): string[] {
  const root = path.join(projectDir, dir);
  if (!fs.existsSync(root)) return [];
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(projectDir, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (CLAIM_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) found.push(child);
    }
  };
  walk(dir);
  return found.sort();
}

export interface LoadResult {
  readonly claims: RawClaim[];
  readonly problems: Problem[];
}

/** Reads every claim file; a file that cannot be read or parsed becomes a problem, not an exception. */
export function loadClaims(projectDir: string, files: readonly string[]): LoadResult {
  const claims: RawClaim[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    try {
      const documents = file.endsWith('.ts') ? readModule(path.join(projectDir, file)) : readYaml(path.join(projectDir, file));
      if (documents.length === 0) problems.push({ file, message: 'holds no Machine' });
      documents.forEach((document, index) => claims.push({ file, index, document }));
    } catch (error) {
      problems.push({ file, message: `cannot be read: ${(error as Error).message.split('\n')[0].replace(/:$/, '')}` });
    }
  }
  return { claims, problems };
}

/**
 * A claim is data, read once: dropping its module (from the cache and from this module's children) lets
 * a fleet of thousands be garbage-collected as it loads instead of staying in memory to the end.
 */
function forgetModule(resolved: string): void {
  const loaded = require.cache[resolved];
  delete require.cache[resolved];
  const index = module.children.lastIndexOf(loaded!);
  if (index >= 0) module.children.splice(index, 1);
}

function readModule(file: string): Record<string, unknown>[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(file) as { default?: unknown };
  forgetModule(require.resolve(file));
  const exported = loaded.default ?? loaded;
  const definitions = Array.isArray(exported) ? exported : [exported];
  return definitions.map((definition, index) => {
    if (!definition || typeof definition !== 'object' || !('metadata' in definition)) {
      throw new Error(`default export${Array.isArray(exported) ? `[${index}]` : ''} is not a Machine definition (use defineMachine)`);
    }
    // Every key is kept, so a misplaced field (say `deletionPolicy` beside `spec`) is refused, not dropped.
    const { metadata, ...rest } = structuredClone(definition) as MachineDefinition & Record<string, unknown>;
    return { apiVersion: MACHINE_API_VERSION, kind: MACHINE_KIND, ...rest, metadata: { ...metadata, namespace: metadata?.namespace ?? DEFAULT_MACHINE_NAMESPACE } };
  });
}

/**
 * YAML 1.1, as kubectl and ArgoCD read it: `startOnBoot: yes` is true there, so it is true here too, and
 * an existing claim means at synth time what it meant when it was applied by hand.
 */
function readYaml(file: string): Record<string, unknown>[] {
  const documents = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'), { version: '1.1', uniqueKeys: true });
  const machines: Record<string, unknown>[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(document.errors[0].message);
    const value = document.toJS() as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error('a YAML document is not a mapping');
    const machine = value as Record<string, unknown> & { metadata?: Record<string, unknown> };
    if (machine.metadata && typeof machine.metadata === 'object' && machine.metadata.namespace === undefined) {
      machine.metadata = { ...machine.metadata, namespace: DEFAULT_MACHINE_NAMESPACE };
    }
    machines.push(machine);
  }
  return machines;
}
