/**
 * The synth driver: claims → validation → charts → plan → dist/, in that order, and nothing is written
 * unless every step succeeded. `npm run synth` and `npm run plan` are thin wrappers (cli/_synth-command.ts).
 */
import { Chart } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { machineId } from '../api/machine-claim';
import { specWithDefaults } from '../api/machine-defaults';
import { MACHINE_API_VERSION, MACHINE_KIND } from '../api/machine-schema';
import { machineApiSpecOf } from '../api/topology';
import { PACKAGE_METADATA_FILE } from '../constructs/configuration-package';
import { renderPackageMetadata } from './configuration-package';
import { Machine } from '../constructs/machine';
import { hostFactsFiles } from '../nixos/host-facts';
import { nixosConfigurationsFile, NIXOS_CONFIGURATIONS_FILE, repositoryFlake } from '../nixos/repository-flake';
import { FabricError } from '../util/errors';
import { byCodeUnit } from '../util/compare';
import { checkClaimEnvelope } from '../validation/claim-envelope';
import { FleetProblem } from '../validation/fleet-rules';
import { Problem, ValidationError } from '../validation/problem';
import { withPositions } from './claim-positions';
import { findClaimFiles, loadClaims, RawClaim } from './claims';
import { recoverInterruptedSwap, settledTree, writeTreeAtomically } from './dist-writer';
import { buildFleetApp, FleetApp } from './fleet-app';
import { committedTree } from './git-baseline';
import { ChangeKind, computePlan, formatPlan, objectChanges, Plan, PlannedMachine, refusedChanges, unconsentedDestroys } from './plan';
import { givenConsents, keepConsents, specHash } from './removal-consent';
import { CHART_FOLDERS, CLUSTER_DIR, renderObjects, toYamlFiles } from './render';
import { FabricSettings, loadSettings } from './settings';
import { monitoringFiles } from './monitoring-files';
import { allocate, allocatedMachines, AllocationResult, PreviousMachine } from './allocation';
import { SiteSettings } from './site-settings';
import { CapacityReport, checkCapacity } from './capacity';
import { buildInventory, INVENTORY_DIR, inventoryHtml, inventoryMarkdown } from './inventory';
import { contentHash, forgetTreeIndex, readTreeIndex, renderedBefore, sourceKeys, TreeIndex, unchangedSinceIndexed, writeTreeIndex } from './tree-index';

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
  /** How many files of dist/ the new tree adds, changes or removes. */
  readonly changedFiles: number;
  /** What the user should know but synth does not refuse: nodes and storages close to full. */
  readonly warnings: readonly string[];
}

/** Refusal of a plan that destroys VMs without --allow-destroy. */
export class DestroyRefusedError extends FabricError {
  constructor(public readonly plan: Plan) {
    super(`${formatPlan(plan)}\n\nrefusing to destroy or replace VMs, or lose disk data; review the plan, then accept it with: npm run synth -- --allow-destroy`);
  }
}

/** Refusal of a plan the bpg provider would fail to apply (e.g. a shrinking disk), allowed or not. */
export class ProviderRefusedError extends FabricError {
  constructor(public readonly plan: Plan) {
    super(`${formatPlan(plan)}\n\nrefusing changes the bpg/proxmox provider cannot apply:\n${refusedChanges(plan).map((line) => `  ${line}`).join('\n')}`);
  }
}

export function synthesize(options: SynthOptions): SynthResult {
  const projectDir = path.resolve(options.projectDir);
  const outDir = path.resolve(options.outDir ?? path.join(projectDir, 'dist'));
  const settings = loadSettings(projectDir);

  const loaded = loadClaims(projectDir, findClaimFiles(projectDir));
  const settled = settledTree(outDir);
  const { machines: previous, onDisk: previousTexts } = allocatesValues(settings.site) ? previousAllocations(projectDir, outDir, settled) : { machines: [], onDisk: new Map<string, string>() };
  const { fleet, machines, problems, capacity, allocation } = checkClaims(projectDir, [...loaded.claims], settings, loaded.problems, previous);
  // A plan writes nothing; a claim synth refuses is not kept.
  if (!options.dryRun) loaded.cache?.save(new Set(problems.map((problem) => problem.file)));
  if (problems.length > 0) throw new ValidationError(problems);

  // A file the tree index says still holds what synth wrote, and that synth would write again, is not read;
  // one it says was rendered from the same object is read, not rendered again.
  const index = readTreeIndex(projectDir, outDir, settled);
  const { objects, sourceOf, files, readBack } = renderTree(fleet.charts, index, settled, previousTexts);
  // An empty cluster tree, once committed, would make ArgoCD prune every Machine.
  if (![...files.keys()].some((file) => file.startsWith(`${CLUSTER_DIR}/`))) throw new Error(`refusing to write a dist/ with nothing in ${CLUSTER_DIR}/`);
  // Host facts for the NixOS side, beside (never inside) the tree ArgoCD applies.
  for (const [file, text] of hostFactsFiles(machines, settings.monitoring?.nodeExporter)) files.set(file, text);
  // The file_sd alternative and the dashboard are not Kubernetes objects: beside dist/cluster, never in it.
  for (const [file, text] of monitoringFiles(machines, settings.monitoring)) files.set(file, text);
  // Which of them the repository's root flake (flake.nix) builds.
  files.set(NIXOS_CONFIGURATIONS_FILE, nixosConfigurationsFile(repositoryFlake(machines, settings.gitops.repoURL)));
  // The inventory, for review: read in a pull request (Markdown) or opened from a checkout (HTML).
  const inventory = buildInventory(machines, settings.site, capacity, allocation.held);
  files.set(`${INVENTORY_DIR}/README.md`, inventoryMarkdown(inventory));
  files.set(`${INVENTORY_DIR}/index.html`, inventoryHtml(inventory));
  // The package metadata is reviewed in git but installed by `crossplane xpkg`, never by ArgoCD.
  files.set(`package/${PACKAGE_METADATA_FILE}`, renderPackageMetadata(settings));
  // A file that synth would write again unchanged need not be parsed: its object is the one just rendered.
  const unchanged = (file: string, text: string) => (files.get(file) === text ? objects.get(file) : undefined);
  let trusted = 0;
  const current = readTreeFiles(settled, (file, full) => {
    const next = files.get(file);
    const same = next !== undefined && (readBack.has(file) || unchangedSinceIndexed(index, file, fs.statSync(full))?.hash === contentHash(next));
    if (same) trusted++;
    // A file allocation read already is not read again.
    return same ? next : previousTexts.get(file);
  });
  const committed = committedTree(projectDir, outDir, current);
  const baseline = currentMachines(current, committed?.files, unchanged);
  const consents = givenConsents(projectDir, committed?.head);
  const specOf = new Map(baseline.map((m) => [m.id, m.defaulted ? m.spec : specWithDefaults(m.spec)]));
  const machinePlan = computePlan(baseline, machines.map((m) => ({ id: machineId(m), spec: m.spec, defaulted: true })));
  const plan: Plan = {
    // A removal whose consent still holds (the same HEAD, the same spec) is shown, and not asked again.
    changes: machinePlan.changes.map((change) => (change.kind === ChangeKind.REMOVE && consents.get(change.id) === specHash(specOf.get(change.id)!) ? { ...change, consented: true } : change)),
    // Objects are compared with dist/ on disk, and with git HEAD for files dist/ no longer has (ArgoCD syncs HEAD).
    objects: objectChanges(new Map([...(committed?.files ?? []), ...current]), files, [CLUSTER_DIR, ...Object.values(CHART_FOLDERS)], (file) => objects.get(file)),
  };
  if (!options.dryRun && refusedChanges(plan).length > 0) throw new ProviderRefusedError(plan);
  if (!options.dryRun && unconsentedDestroys(plan).length > 0 && !options.allowDestroy) throw new DestroyRefusedError(plan);
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
  // The consents that hold: every removal written, each with the spec it removes (removal-consent.ts). One
  // whose Machine is back in the tree is not among them, so it is spent.
  if (!options.dryRun) {
    const removed = plan.changes.filter((change) => change.kind === ChangeKind.REMOVE);
    keepConsents(projectDir, committed?.head, new Map(removed.map((change) => [change.id, specHash(specOf.get(change.id)!)])));
  }
  const changedFiles = [...files].filter(([file, text]) => current.get(file) !== text).length + [...current.keys()].filter((file) => !files.has(file)).length;
  return { files, plan, machineCount: machines.length, written: !options.dryRun && changed, changed, changedFiles, warnings: capacity.warnings };
}

export interface CheckedClaims {
  readonly fleet: FleetApp;
  /** The addresses and VMIDs Machines were given (allocation.ts). */
  readonly allocation: AllocationResult;
  /** What each node and storage of the site is given (capacity.ts), and the warnings of those nearly full. */
  readonly capacity: CapacityReport<Machine>;
  /** The Machine of every claim that is one, in claim order. */
  readonly machines: readonly Machine[];
  /** Every problem, sorted by file and position; none when the fleet may be written. */
  readonly problems: readonly Problem[];
}

/**
 * Builds the app of these claims and collects every problem at once: what made a claim not a Machine,
 * each Machine's own problems, and the fleet's (the Platform's rules and the repository flake's). Problems
 * of YAML claims get their line and column (`projectDir` holds the claims).
 */
export function checkClaims(projectDir: string, claims: readonly RawClaim[], settings: FabricSettings, loadProblems: readonly Problem[] = [],
  previous: readonly PreviousMachine[] = []): CheckedClaims {
  const envelopes = claims.map((claim) => ({ claim, ...checkClaimEnvelope(claim.document) }));
  // Addresses and VMIDs are written into the claims before the Machines are built, so they are checked and
  // written like any field.
  const allocation = allocate(envelopes.filter((e) => e.isMachine).map((e) => e.claim), settings.site, previous);
  const fleet = buildFleetApp(allocation.claims, settings);
  const machines = fleet.machines.map(({ machine }) => machine);
  const claimOf = new Map(fleet.machines.map(({ machine, claim }) => [machine, claim]));
  // A collision allocation reports is not reported again by the fleet rule on the same field.
  const allocated = new Set(allocation.problems.map((p) => `${p.machine} ${p.path}`));
  const fleetRules = fleet.platform.fleetProblems(machines).filter((p) => !allocated.has(`${machineId(p.machine)} ${p.path}`));
  const capacity = checkCapacity(machines, settings.site);
  const problems = collectProblems(projectDir, [
    ...loadProblems,
    ...allocation.problems,
    ...envelopes.flatMap(({ claim, issues, isMachine }) => issues.map((issue) => ({ file: claim.file, index: claim.index, ...(isMachine || claim.document.kind === MACHINE_KIND ? { machine: claimLabel(claim) } : {}), ...issue }))),
    ...fleet.machines.flatMap(({ machine, claim }) => machine.problems().filter((p) => !allocated.has(`${p.machine} ${p.path}`)).map((problem) => ({ ...problem, index: claim.index }))),
  ], [...fleetRules, ...capacity.problems, ...repositoryFlake(machines, settings.gitops.repoURL).problems], claimOf);
  return { fleet, allocation, capacity, machines, problems };
}

/** How a problem names a claim's Machine: `namespace/name`, or `#n` (its place in the file) without a name. */
function claimLabel(claim: RawClaim): string {
  const metadata = claim.document.metadata as { name?: unknown; namespace?: unknown } | undefined;
  return typeof metadata?.name === 'string' ? `${String(metadata.namespace)}/${metadata.name}` : `#${claim.index + 1}`;
}

/**
 * Every problem of the run, with the line and column of YAML claims, sorted by file and position. A fleet
 * problem names the other Machines involved by their file and line.
 */
function collectProblems(projectDir: string, own: readonly Problem[], fleet: ReadonlyArray<FleetProblem<Machine>>, claimOf: ReadonlyMap<Machine, RawClaim>): Problem[] {
  const at = (machine: Machine, path: string) => {
    const claim = claimOf.get(machine)!;
    return { file: claim.file, index: claim.index, machine: machineId(machine), path };
  };
  const unplaced = fleet.map((problem) => ({ problem, ...at(problem.machine, problem.path) }));
  const located = withPositions(projectDir, [...unplaced.map(({ problem: _, ...place }) => ({ ...place, message: '' })), ...own]);
  // The other Machine of a fleet problem, as `claims/a.yaml:12`: the line of its name.
  const where = (other: Machine) => {
    const [place] = withPositions(projectDir, [{ ...at(other, 'metadata.name'), message: '' }]);
    return place.line === undefined ? place.file : `${place.file}:${place.line}`;
  };
  const problems = located.map((problem, i) => (i < unplaced.length ? { ...problem, message: unplaced[i].problem.message(where) } : problem));
  return problems.sort((a, b) => byCodeUnit(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/**
 * The charts' objects rendered to YAML files, and the files read back instead (`readBack`): those the tree
 * index shows rendered from the same object, which stat and hash show still hold it.
 */
function renderTree(charts: readonly Chart[], index: TreeIndex, tree: string, read: ReadonlyMap<string, string> = new Map()) {
  const objects = renderObjects(charts);
  const sourceOf = sourceKeys(objects);
  const readBack = new Set<string>();
  const files = toYamlFiles(objects, (file) => {
    const text = renderedBefore(index, tree, file, sourceOf, read.get(file));
    if (text !== undefined) readBack.add(file);
    return text;
  });
  return { objects, sourceOf, files, readBack };
}

/**
 * The Machines the plan starts from: those in dist/ on disk, and those committed in git (`HEAD:dist`) that
 * dist/ on disk no longer holds, so deleting dist/ or a file in it cannot hide a committed Machine.
 */
function currentMachines(onDisk: ReadonlyMap<string, string>, committed: ReadonlyMap<string, string> | undefined, known: KnownObject): PlannedMachine[] {
  const machines = machinesInTree(onDisk, known);
  if (!committed) return machines;
  const seen = new Set(machines.map((m) => m.id));
  // A file that is the same on disk and in HEAD holds the same Machines: only the others are parsed.
  const differing = new Map([...committed].filter(([file, text]) => onDisk.get(file) !== text));
  const fromGit = machinesInTree(differing).filter((m) => !seen.has(m.id));
  return [...machines, ...fromGit.map((m) => ({ ...m, source: 'git HEAD' }))];
}

/** Whether the site describes anything synth allocates from. */
function allocatesValues(site: SiteSettings): boolean {
  return Object.keys(site.ipPools).length > 0 || site.vmIds !== undefined;
}

/**
 * The Machines holding allocated values in the previous trees: dist/ on disk, then git HEAD for the files
 * dist/ does not hold as they are (so a deleted dist/ loses no allocation).
 */
function previousAllocations(projectDir: string, outDir: string, settled: string): { machines: PreviousMachine[]; onDisk: Map<string, string> } {
  const onDisk = readTreeFiles(settled, undefined, (file) => /\.ya?ml$/.test(file));
  const committed = committedTree(projectDir, outDir, onDisk);
  return { machines: [...allocatedMachines(onDisk, 'dist/'), ...allocatedMachines(committed?.files ?? new Map(), 'git HEAD')], onDisk };
}

function sameTree(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...b].every(([file, text]) => a.get(file) === text);
}

/**
 * Every file of a tree, `/`-separated path relative to it → text; empty when there is no tree. `known` may
 * give a file's text by its full path without reading it (from its stat and the tree index).
 */
function readTreeFiles(dir: string, known: (file: string, full: string) => string | undefined = () => undefined, wanted = (_file: string) => true): Map<string, string> {
  const files = new Map<string, string>();
  if (!fs.existsSync(dir)) return files;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const file = path.relative(dir, full).split(path.sep).join('/');
    if (wanted(file)) files.set(file, known(file, full) ?? fs.readFileSync(full, 'utf8'));
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
      machines.push({ id: `${object.metadata.namespace}/${object.metadata.name}`, spec: machineApiSpecOf(object.spec), defaulted: rendered !== undefined });
    }
  }
  return machines;
}
