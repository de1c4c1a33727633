/**
 * The synth driver: claims → validation → charts → plan → dist/, in that order, and nothing is written
 * unless every step succeeded. `npm run synth` and `npm run plan` are thin wrappers (cli/_synth-command.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { findClaimFiles, loadClaims } from './claims';
import { PACKAGE_METADATA_FILE, renderPackageMetadata } from './configuration-package';
import { settledTree, writeTreeAtomically } from './dist-writer';
import { hostFactsFiles } from './host-facts';
import { buildApp } from './main';
import { machineSpecOf } from './machines-chart';
import { MACHINE_API_VERSION, MACHINE_KIND } from './machine-schema';
import { computePlan, formatPlan, isDestructive, Plan, PlannedMachine } from './plan';
import { CLUSTER_DIR, renderObjects, toYamlFiles } from './render';
import { nixosConfigurationsFile, NIXOS_CONFIGURATIONS_FILE, repositoryFlake } from './repository-flake';
import { loadSettings } from './settings';
import { ValidationError } from './validation/problem';
import { validateMachines } from './validation/validate-machines';

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
}

/** Refusal of a plan that destroys VMs without --allow-destroy. */
export class DestroyRefusedError extends Error {
  constructor(public readonly plan: Plan) {
    super(`${formatPlan(plan)}\n\nrefusing to destroy or replace VMs; review the plan and run again with --allow-destroy`);
    this.name = 'DestroyRefusedError';
  }
}

export function synthesize(options: SynthOptions): SynthResult {
  const projectDir = path.resolve(options.projectDir);
  const outDir = path.resolve(options.outDir ?? path.join(projectDir, 'dist'));
  const settings = loadSettings(projectDir);

  const loaded = loadClaims(projectDir, findClaimFiles(projectDir));
  const validated = validateMachines(loaded.claims);
  const flake = repositoryFlake(validated.machines, settings.gitops.repoURL);
  const problems = [...loaded.problems, ...validated.problems, ...flake.problems];
  if (problems.length > 0) throw new ValidationError(problems);

  const objects = renderObjects(buildApp(validated.machines, settings));
  const files = toYamlFiles(objects);
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
  const plan = computePlan(readDistMachines(settledTree(outDir), unchanged), validated.machines.map((m) => ({ id: m.id, spec: m.spec })));
  if (!options.dryRun && isDestructive(plan) && !options.allowDestroy) throw new DestroyRefusedError(plan);
  if (!options.dryRun) writeTreeAtomically(outDir, files);
  return { files, plan, machineCount: validated.machines.length, written: !options.dryRun };
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
  if (!fs.existsSync(outDir)) return [];
  const machines: PlannedMachine[] = [];
  for (const file of (fs.readdirSync(outDir, { recursive: true }) as string[]).filter((name) => /\.ya?ml$/.test(name)).sort()) {
    const text = fs.readFileSync(path.join(outDir, file), 'utf8');
    const object = known(file.split(path.sep).join('/'), text);
    const documents = object ? [object] : MACHINE_KIND_LINE.test(text) ? YAML.parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS()) : [];
    for (const document of documents) {
      const object = document as {
        apiVersion?: string;
        kind?: string;
        metadata: { name: string; namespace: string };
        spec: PlannedMachine['spec'];
      } | null;
      if (object?.apiVersion !== MACHINE_API_VERSION || object.kind !== MACHINE_KIND) continue;
      machines.push({ id: `${object.metadata.namespace}/${object.metadata.name}`, spec: machineSpecOf(object.spec) });
    }
  }
  return machines;
}
