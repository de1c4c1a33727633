/**
 * Loads every Machine under claims/, with no list to maintain: `.ts` modules whose default export is a
 * Machine definition (or an array of them), and `.yaml`/`.yml` files of Machine documents, so users'
 * existing YAML claims keep working. Loading only reads; the Machine constructs and the validation decide what is acceptable.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { ClaimCache, parserKey } from './claim-cache';
import { DEFAULT_MACHINE_NAMESPACE, MachineClaim } from '../api/machine-claim';
import { MACHINE_API_VERSION, MACHINE_KIND } from '../api/machine-schema';
import { Problem } from '../validation/problem';
import { FabricError } from '../util/errors';

/** A claim document as found, before validation. */
export interface RawClaim {
  /** Claim file relative to the project, e.g. `claims/dns01.ts`. */
  readonly file: string;
  /** Position in the file (array element or YAML document), for messages. */
  readonly index: number;
  /** The Machine document: apiVersion, kind, metadata, spec. A private copy: validation fills defaults in. */
  readonly document: Record<string, unknown>;
}

const CLAIM_FILE = /\.(ts|ya?ml)$/;

/**
 * Claim files under `dir`, sorted, as paths relative to `projectDir`. Type declarations are skipped, and so
 * is every file or folder whose name starts with `_`: those are modules for shared code (constants, helper
 * functions) that claims import, not claims.
 */
export function findClaimFiles(projectDir: string, dir = 'claims'): string[] {
  const root = path.join(projectDir, dir);
  if (!fs.existsSync(root)) return [];
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(projectDir, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.name.startsWith('_')) continue;
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
  /** The claim cache with what this load parsed, for synth to save once it knows which claims it refuses. */
  readonly cache?: ClaimCache;
}

/**
 * Reads every claim file; a file that cannot be read or parsed becomes a problem, not an exception. A YAML
 * claim unchanged since the last run is taken from the claim cache (claim-cache.ts) instead of parsed.
 */
export function loadClaims(projectDir: string, files: readonly string[]): LoadResult {
  const claims: RawClaim[] = [];
  const problems: Problem[] = [];
  const cache = files.some((file) => !file.endsWith('.ts')) ? ClaimCache.read(projectDir, yamlParserKey()) : undefined;
  for (const file of files) {
    const full = path.join(projectDir, file);
    try {
      const documents = file.endsWith('.ts') ? readModule(full) : cachedYaml(cache!, file, full);
      if (documents.length === 0) problems.push({ file, message: 'holds no Machine' });
      documents.forEach((document, index) => claims.push({ file, index, document }));
    } catch (error) {
      const located = file.endsWith('.ts') ? syntaxErrorIn(full) : yamlErrorPosition(error);
      problems.push(located
        ? { file, line: located.line, column: located.column, message: `cannot be read: ${located.text}` }
        : { file, message: `cannot be read: ${(error as Error).message.split('\n')[0].replace(/:$/, '')}` });
    }
  }
  return { claims, problems, cache };
}

function cachedYaml(cache: ClaimCache, file: string, full: string): Record<string, unknown>[] {
  const stat = fs.statSync(full);
  let documents = cache.documents(file, stat);
  if (documents === undefined) {
    documents = readYaml(full);
    cache.record(file, stat, documents);
  }
  return documents.map(withDefaultNamespace);
}

/** What parses YAML claims: the yaml library and this module (a change to either starts a new cache). */
function yamlParserKey(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return parserKey((require('yaml/package.json') as { version: string }).version, __filename);
}

interface SourcePosition {
  /** 1-based, as editors count. */
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

/**
 * Where a TypeScript claim that failed to load has its syntax error, found by esbuild (the transformer tsx
 * runs claims through), so the message is the same whichever runner loaded the claim; undefined when the
 * syntax is fine and the failure was something else (an import, a throw).
 */
function syntaxErrorIn(file: string): SourcePosition | undefined {
  try {
    // Loaded here, on the error path only: synth of a valid fleet never needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    esbuild.transformSync(fs.readFileSync(file, 'utf8'), { loader: 'ts', sourcefile: file });
    return undefined;
  } catch (error) {
    const first = (error as { errors?: Array<{ text: string; location?: { line: number; column: number } }> }).errors?.[0];
    return first?.location ? { line: first.location.line, column: first.location.column + 1, text: lowerFirst(first.text) } : undefined;
  }
}

/** The position of a YAML parse error (the yaml library's linePos, 1-based). */
function yamlErrorPosition(error: unknown): SourcePosition | undefined {
  if (!(error instanceof YAML.YAMLError) || !error.linePos) return undefined;
  return { line: error.linePos[0].line, column: error.linePos[0].col, text: lowerFirst(error.message.split(' at line ')[0].split('\n')[0]) };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * A claim is data, read once: dropping its module (from the cache and from the children of the module that
 * required it) lets a fleet of thousands be garbage-collected as it loads instead of staying in memory to the
 * end. The parent is the claim's own record of it: in the bundled synth, `module` here is not a real module.
 */
function forgetModule(resolved: string): void {
  const loaded = require.cache[resolved];
  delete require.cache[resolved];
  const siblings = loaded?.parent?.children ?? [];
  const index = siblings.lastIndexOf(loaded!);
  if (index >= 0) siblings.splice(index, 1);
}

/**
 * TypeScript claims need a loader. Synth runs compiled, so tsx (the esbuild-based loader a cdk8s project
 * already has) is registered the first time a `.ts` claim is met, not on every run: a YAML-only fleet never
 * pays for it. Under tsx a loader is there already; under Jest, require is Jest's own, which transforms
 * TypeScript itself and has an empty extensions table.
 */
function ensureTypeScriptLoader(): void {
  const extensions = require.extensions;
  const underJest = Object.keys(extensions).length === 0;
  if (underJest || extensions['.ts'] !== undefined) return;
  const sourceMaps = process.sourceMapsEnabled;
  let tsx: { register(): void };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    tsx = require('tsx/cjs/api');
  } catch {
    // An optional peer of the library: a fleet of YAML claims needs no TypeScript tooling.
    throw new FabricError('a TypeScript claim needs tsx where synth runs: npm install --save-dev tsx');
  }
  tsx.register();
  // tsx turns Node's source maps on; kept on, every claim's map stays in memory to the end of the run.
  process.setSourceMapsEnabled(sourceMaps);
}

function readModule(file: string): Record<string, unknown>[] {
  ensureTypeScriptLoader();
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
    const { metadata, ...rest } = structuredClone(definition) as MachineClaim & Record<string, unknown>;
    return { apiVersion: MACHINE_API_VERSION, kind: MACHINE_KIND, ...rest, metadata: { ...metadata, namespace: metadata?.namespace ?? DEFAULT_MACHINE_NAMESPACE } };
  });
}

/**
 * YAML 1.1, as kubectl and ArgoCD read it: `startOnBoot: yes` is true there, so it is true here too, and
 * an existing claim means at synth time what it meant when it was applied by hand.
 */
function readYaml(file: string): Record<string, unknown>[] {
  return yamlMachineDocuments(fs.readFileSync(file, 'utf8')).map(({ value }) => value);
}

/** The document with `metadata.namespace` set to the default where it is not given, as a copy. */
function withDefaultNamespace(document: Record<string, unknown>): Record<string, unknown> {
  const metadata = document.metadata as Record<string, unknown> | undefined;
  if (!metadata || typeof metadata !== 'object' || metadata.namespace !== undefined) return document;
  return { ...document, metadata: { ...metadata, namespace: DEFAULT_MACHINE_NAMESPACE } };
}

/**
 * The Machine documents of a YAML claim, parsed and as values; empty documents are skipped, so the n-th is
 * the claim with RawClaim.index n (claim-positions.ts parses a file again with this to find positions).
 */
export function yamlMachineDocuments(text: string, lineCounter?: YAML.LineCounter): Array<{ document: YAML.Document; value: Record<string, unknown> }> {
  const machines: Array<{ document: YAML.Document; value: Record<string, unknown> }> = [];
  for (const document of YAML.parseAllDocuments(text, { version: '1.1', uniqueKeys: true, lineCounter })) {
    if (document.errors.length > 0) throw document.errors[0];
    const value = document.toJS() as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error('a YAML document is not a mapping');
    machines.push({ document, value: value as Record<string, unknown> });
  }
  return machines;
}
