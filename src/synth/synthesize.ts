/**
 * The synth driver: claims → validation → charts → plan → dist/, in that order, and nothing is written
 * unless every step succeeded. `npm run synth` and `npm run plan` are thin wrappers (cli/_synth-command.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { withPositions } from './claim-positions';
import { findClaimFiles, LoadedMachine, loadClaims } from './claims';
import { PACKAGE_METADATA_FILE, renderPackageMetadata } from '../constructs/configuration-package';
import { recoverInterruptedSwap, settledTree, writeTreeAtomically } from './dist-writer';
import { hostFactsFiles } from '../nixos/host-facts';
import { buildCharts } from './fleet-app';
import { machineSpecOf } from '../api/legacy-claim';
import { MACHINE_API_VERSION, MACHINE_KIND } from '../api/machine-schema';
import { committedTree } from './git-baseline';
import { acceptedRemovals, acceptRemovals } from './removal-consent';
import { ChangeKind, computePlan, formatPlan, isDestructive, objectChanges, Plan, PlannedMachine, refusedChanges } from './plan';
import { CHART_FOLDERS, CLUSTER_DIR, renderObjects, toYamlFiles } from './render';
import { nixosConfigurationsFile, NIXOS_CONFIGURATIONS_FILE, repositoryFlake } from '../nixos/repository-flake';
import { FabricSettings, loadSettings } from './settings';
import { contentHash, forgetTreeIndex, readTreeIndex, renderedBefore, sourceKeys, TreeIndex, unchangedSinceIndexed, writeTreeIndex } from './tree-index';
import { ValidationError } from '../validation/problem';
import { systemNamespaceProblems } from '../validation/system-namespaces';
import { validateMachines } from '../validation/validate-machines';

export interface SynthOptions {
  /** The project: package.json (settings) and claims/ live here. */
  readonly projectDir: string;
  /** @default '<projectDir>/dist' */
  readonly outDir?: string;
  /** Accept a plan that destroys or replaces VMs. @default false */
  readonly allowDestroy?: boolean;
  /** Compute and return the plan; write nothing. @default false */
  readonly dryRun?: boolean;
}

export interface SynthResult {
  readonly files: ReadonlyMap<string, string>;
  readonly plan: Plan;
  readonly machineCount: number;
  readonly written: boolean;
  /** Whether the new tree differs from the current dist/ (false: nothing to write). */
  readonly changed: boolean;
}

/** Refusal of a plan that destroys VMs without --allow-destroy. */
export class DestroyRefusedError extends Error {
  constructor(public readonly plan: Plan) {
    super(`${formatPlan(plan)}\n\nrefusing to destroy or replace VMs; review the plan and run again with --allow-destroy`);
    this.name = 'DestroyRefusedError';
  }
}

/** Refusal of a plan the bpg provider would fail to apply (e.g. a shrinking disk), allowed or not. */
export class ProviderRefusedError extends Error {
  constructor(public readonly plan: Plan) {
    super(`${formatPlan(plan)}\n\nrefusing changes the bpg/proxmox provider cannot apply:\n${refusedChanges(plan).map((line) => `  ${line}`).join('\n')}`);
    this.name = 'ProviderRefusedError';
  }
}

export function synthesize(options: SynthOptions): SynthResult {
  const projectDir = path.resolve(options.projectDir);
  const outDir = path.resolve(options.outDir ?? path.join(projectDir, 'dist'));
  const settings = loadSettings(projectDir);

  const loaded = loadClaims(projectDir, findClaimFiles(projectDir));
  const validated = validateMachines(loaded.claims);
  const flake = repositoryFlake(validated.machines, settings.gitops.repoURL);
  const problems = [...loaded.problems, ...validated.problems, ...systemNamespaceProblems(validated.machines, settings), ...flake.problems];
  // A plan writes nothing; a claim synth refuses is not kept.
  if (!options.dryRun) loaded.cache?.save(new Set(problems.map((problem) => problem.file)));
  if (problems.length > 0) throw new ValidationError(withPositions(projectDir, problems));

  // A file the tree index says still holds what synth wrote, and that synth would write again, is not read;
  // one it says was rendered from the same object is read, not rendered again.
  const settled = settledTree(outDir);
  const index = readTreeIndex(projectDir, outDir, settled);
  const { objects, sourceOf, files, readBack } = renderTree(validated.machines, settings, index, settled);
  // An empty cluster tree, once committed, would make ArgoCD prune every Machine.
  if (![...files.keys()].some((file) => file.startsWith(`${CLUSTER_DIR}/`))) throw new Error(`refusing to write a dist/ with nothing in ${CLUSTER_DIR}/`);
  // Host facts for the NixOS side, beside (never inside) the tree ArgoCD applies.
  for (const [file, text] of hostFactsFiles(validated.machines)) files.set(file, text);
  // Which of them the repository's root flake (flake.nix) builds.
  files.set(NIXOS_CONFIGURATIONS_FILE, nixosConfigurationsFile(flake));
  // The package metadata is reviewed in git but installed by `crossplane xpkg`, never by ArgoCD.
  files.set(`package/${PACKAGE_METADATA_FILE}`, renderPackageMetadata(settings));
  // A file that synth would write again unchanged need not be parsed: its object is the one just rendered.
  const unchanged = (file: string, text: string) => (files.get(file) === text ? objects.get(file) : undefined);
  let trusted = 0;
  const current = readTreeFiles(settled, (file, full) => {
    const next = files.get(file);
    const same = next !== undefined && (readBack.has(file) || unchangedSinceIndexed(index, file, fs.statSync(full))?.hash === contentHash(next));
    if (same) trusted++;
    return same ? next : undefined;
  });
  const committed = committedTree(projectDir, outDir, current);
  const accepted = committed ? acceptedRemovals(projectDir, committed.head) : new Set<string>();
  const plan: Plan = {
    ...computePlan(currentMachines(current, committed?.files, unchanged, accepted), validated.machines.map((m) => ({ id: m.id, spec: m.spec, defaulted: true }))),
    // Objects are compared with dist/ on disk, and with git HEAD for files dist/ no longer has (ArgoCD syncs HEAD).
    objects: objectChanges(new Map([...(committed?.files ?? []), ...current]), files, [CLUSTER_DIR, ...Object.values(CHART_FOLDERS)], (file) => objects.get(file)),
  };
  if (!options.dryRun && refusedChanges(plan).length > 0) throw new ProviderRefusedError(plan);
  if (!options.dryRun && isDestructive(plan) && !options.allowDestroy) throw new DestroyRefusedError(plan);
  const changed = !fs.existsSync(outDir) || !sameTree(current, files);
  if (!options.dryRun && changed) {
    forgetTreeIndex(projectDir, outDir);
    writeTreeAtomically(outDir, files);
  } else if (!options.dryRun) {
    recoverInterruptedSwap(outDir);
    // Unchanged, but some files had to be read or rendered: indexed again, so the next run need do neither.
    const unsourced = [...objects.keys()].some((file) => index.files.get(file)?.source !== sourceOf(file));
    if (trusted < files.size || unsourced) writeTreeIndex(projectDir, outDir, files, sourceOf);
  }
  // Removals written with consent stay accepted until dist/ is committed (removal-consent.ts).
  if (!options.dryRun && committed) acceptRemovals(projectDir, committed.head, plan.changes.filter((c) => c.kind === ChangeKind.REMOVE).map((c) => c.id));
  return { files, plan, machineCount: validated.machines.length, written: !options.dryRun && changed, changed };
}

/**
 * The charts' objects rendered to YAML files, and the files read back instead (`readBack`): those the tree
 * index shows rendered from the same object, which stat and hash show still hold it.
 */
function renderTree(machines: readonly LoadedMachine[], settings: FabricSettings, index: TreeIndex, tree: string) {
  const objects = renderObjects(buildCharts(machines, settings));
  const sourceOf = sourceKeys(objects);
  const readBack = new Set<string>();
  const files = toYamlFiles(objects, (file) => {
    const text = renderedBefore(index, tree, file, sourceOf);
    if (text !== undefined) readBack.add(file);
    return text;
  });
  return { objects, sourceOf, files, readBack };
}

/**
 * The Machines the plan starts from: those in dist/ on disk, and those committed in git (`HEAD:dist`) that
 * dist/ on disk no longer holds, so deleting dist/ or a file in it cannot hide a committed Machine.
 */
function currentMachines(onDisk: ReadonlyMap<string, string>, committed: ReadonlyMap<string, string> | undefined, known: KnownObject, accepted: ReadonlySet<string>): PlannedMachine[] {
  const machines = machinesInTree(onDisk, known);
  if (!committed) return machines;
  const seen = new Set(machines.map((m) => m.id));
  // A file that is the same on disk and in HEAD holds the same Machines: only the others are parsed.
  const differing = new Map([...committed].filter(([file, text]) => onDisk.get(file) !== text));
  const fromGit = machinesInTree(differing).filter((m) => !seen.has(m.id) && !accepted.has(m.id));
  return [...machines, ...fromGit.map((m) => ({ ...m, source: 'git HEAD' }))];
}

function sameTree(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...b].every(([file, text]) => a.get(file) === text);
}

/**
 * Every file of a tree, `/`-separated path relative to it → text; empty when there is no tree. `known` may
 * give a file's text by its full path without reading it (from its stat and the tree index).
 */
function readTreeFiles(dir: string, known: (file: string, full: string) => string | undefined = () => undefined): Map<string, string> {
  const files = new Map<string, string>();
  if (!fs.existsSync(dir)) return files;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const file = path.relative(dir, full).split(path.sep).join('/');
    files.set(file, known(file, full) ?? fs.readFileSync(full, 'utf8'));
  }
  return files;
}

/** Says which object a file of the tree holds when that is already known (so it need not be parsed). */
export type KnownObject = (file: string, text: string) => object | undefined;

/** A line `kind: Machine`: files without one hold no Machine and are not parsed. */
const MACHINE_KIND_LINE = new RegExp(`^\\s*kind:\\s*["']?${MACHINE_KIND}["']?\\s*$`, 'm');

/**
 * The Machines in an existing dist/ tree (none when there is no tree yet). Every YAML document of every
 * file is read, not only today's layout: a Machine the guard cannot see is a VM it cannot protect.
 */
export function readDistMachines(outDir: string, known: KnownObject = () => undefined): PlannedMachine[] {
  return machinesInTree(readTreeFiles(outDir), known);
}

/** The Machines in a tree's files (`/`-separated path → text), every YAML document of every file. */
function machinesInTree(tree: ReadonlyMap<string, string>, known: KnownObject = () => undefined): PlannedMachine[] {
  const machines: PlannedMachine[] = [];
  for (const file of [...tree.keys()].filter((name) => /\.ya?ml$/.test(name)).sort()) {
    const text = tree.get(file)!;
    // An object synth rendered just now has the schema's defaults; one parsed from the tree may predate one.
    const rendered = known(file, text);
    const documents = rendered ? [rendered] : MACHINE_KIND_LINE.test(text) ? YAML.parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS()) : [];
    for (const document of documents) {
      const object = document as {
        apiVersion?: string;
        kind?: string;
        metadata: { name: string; namespace: string };
        spec: PlannedMachine['spec'];
      } | null;
      if (object?.apiVersion !== MACHINE_API_VERSION || object.kind !== MACHINE_KIND) continue;
      machines.push({ id: `${object.metadata.namespace}/${object.metadata.name}`, spec: machineSpecOf(object.spec), defaulted: rendered !== undefined });
    }
  }
  return machines;
}
