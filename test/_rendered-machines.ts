/**
 * Machines rendered through a synthesized tree's Composition by the real crank and function-patch-and-transform:
 * the committed dist/ (every Machine in claims/) and a fleet fixture synthesized the same way
 * (test/fixtures/fleet.yaml, which uses every field of the API).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { machineApiSpecOf } from '../src/api/topology';
import { synthesize } from '../src/synth/synthesize';
import { REPO } from './_helpers';
import { crankRender, inParallel } from './_upstream-tools';

/** A synthesized tree on disk: its cluster/ folder and the platform files render needs. */
export interface SynthesizedTree {
  readonly name: string;
  readonly clusterDir: string;
  readonly composition: string;
  readonly function: string;
  readonly xrd: string;
  readonly providerConfig: Record<string, any>;
  /** The kind the Composition composes for: Machine, or XMachine (legacy: the Machines are its claims). */
  readonly compositeKind: string;
  readonly machines: ReadonlyArray<{ readonly file: string; readonly machine: Record<string, any> }>;
}

export interface RenderedMachine {
  readonly tree: string;
  /** `<namespace>/<name>`. */
  readonly id: string;
  /** The Machine as the tree holds it (what ArgoCD applies). */
  readonly machine: Record<string, any>;
  /** The composite resource crank rendered: the Machine itself, or the XMachine behind a Machine claim. */
  readonly composite: Record<string, any>;
  /** What crank printed: the XR first, then every composed resource. */
  readonly output: Array<Record<string, any>>;
  readonly workspaces: Array<Record<string, any>>;
}

/** The one crank render pass of upstream.test.ts, for the checks of both tools. */
export interface RenderPass {
  readonly crank: string;
  /** The running function-patch-and-transform's gRPC target, once the pass has started it. */
  readonly target: () => string;
  /** Every Machine of a tree, as crank rendered it. */
  readonly of: (tree: SynthesizedTree) => readonly RenderedMachine[];
}

function parse(file: string): Record<string, any> {
  return YAML.parse(fs.readFileSync(file, 'utf8'));
}

function readTree(name: string, clusterDir: string): SynthesizedTree {
  const platform = path.join(clusterDir, 'platform');
  // The platform is in a folder per Flux stage (src/gitops/flux.ts).
  const platformFiles = (fs.readdirSync(platform, { recursive: true }) as string[]).map((file) => path.join(platform, file));
  const byKind = (kind: string) => {
    const files = platformFiles.filter((file) => path.basename(file).startsWith(`${kind}.`));
    if (files.length !== 1) throw new Error(`${platform}: expected one ${kind}, found ${files.length}`);
    return files[0];
  };
  const machinesDir = path.join(clusterDir, 'machines');
  return {
    name,
    clusterDir,
    composition: byKind('composition'),
    function: byKind('function'),
    xrd: byKind('compositeresourcedefinition'),
    providerConfig: parse(platformFiles.some((file) => path.basename(file) === 'clusterproviderconfig.fabric-proxmox.yaml') ? byKind('clusterproviderconfig') : byKind('providerconfig')),
    compositeKind: parse(byKind('composition')).spec.compositeTypeRef.kind,
    machines: fs.readdirSync(machinesDir).sort().map((file) => ({ file: path.join(machinesDir, file), machine: parse(path.join(machinesDir, file)) })),
  };
}

/** The committed dist/cluster: every Machine in claims/. */
export function committedTree(): SynthesizedTree {
  return readTree('dist', path.join(REPO, 'dist', 'cluster'));
}

export const FLEET_FIXTURE = path.join(REPO, 'test', 'fixtures', 'fleet.yaml');

/** The fleet fixture's Machines as written by the user, before synth and the API server default them. */
export function fleetFixtureMachines(): Array<Record<string, any>> {
  return YAML.parseAllDocuments(fs.readFileSync(FLEET_FIXTURE, 'utf8')).map((document) => document.toJSON()).filter(Boolean);
}

/** The site the fleet fixture's pooled Machine takes its address and VMID from. */
export const FLEET_SITE = {
  ipPools: { 'fixture-lan': { subnet: '10.40.0.0/24', gateway: '10.40.0.1', ranges: ['10.40.0.50-10.40.0.59'], dns: ['10.40.0.2'], domain: 'fixture.example.org', vlan: 40 } },
  vmIds: { from: 5000, to: 5009 },
};

/** One Machine as the example fleet's dns01 is (static address, pinned VMID, pool, VLAN), kept apart from claims/. */
export const DNS_FIXTURE = path.join(REPO, 'test', 'fixtures', 'dns01.yaml');

/** The dns01 fixture synthesized by Fabric with this repository's settings: the apply scenarios' Machine. */
export function dnsTree(): SynthesizedTree {
  return fleetTree({}, 'dns01 fixture', DNS_FIXTURE);
}

/**
 * The fleet fixture synthesized by Fabric, with this repository's settings and FLEET_SITE (some replaced by
 * `overrides`), into a temporary tree.
 */
export function fleetTree(overrides: Record<string, unknown> = {}, name = 'fleet fixture', fixture = FLEET_FIXTURE): SynthesizedTree {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-fleet-'));
  const settings = { ...JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).fabric, site: FLEET_SITE, ...overrides };
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'fleet-fixture', fabric: settings }));
  fs.mkdirSync(path.join(project, 'claims'));
  fs.copyFileSync(fixture, path.join(project, 'claims', 'fleet.yaml'));
  const out = path.join(project, 'dist');
  synthesize({ projectDir: project, outDir: out });
  return readTree(name, path.join(out, 'cluster'));
}

/**
 * The XMachine Crossplane makes for a Machine claim (legacy topology): the claim's spec less the claim-only
 * fields, the claim recorded in spec.claimRef and in labels, and a generated name (the claim's plus a suffix).
 */
export function compositeForClaim(claim: Record<string, any>, compositeKind: string): Record<string, any> {
  const spec = machineApiSpecOf(claim.spec as Record<string, unknown>);
  const { name, namespace } = claim.metadata;
  return {
    apiVersion: claim.apiVersion,
    kind: compositeKind,
    metadata: { name: `${name}-x7k2p`, labels: { 'crossplane.io/claim-name': name, 'crossplane.io/claim-namespace': namespace } },
    spec: { ...spec, claimRef: { apiVersion: claim.apiVersion, kind: claim.kind, name, namespace } },
  };
}

/** Renders every Machine of a tree, two crank processes at a time (render takes one XR per call). */
export async function renderTree(crank: string, target: string, tree: SynthesizedTree): Promise<RenderedMachine[]> {
  const composites = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-composites-'));
  return inParallel(tree.machines, 2, async ({ file, machine }) => {
    let composite = machine;
    let xr = file;
    if (tree.compositeKind !== machine.kind) {
      composite = compositeForClaim(machine, tree.compositeKind);
      xr = path.join(composites, path.basename(file));
      fs.writeFileSync(xr, YAML.stringify(composite));
    }
    const output = await crankRender(crank, { xr, composition: tree.composition, functions: tree.function, xrd: tree.xrd, target });
    return {
      tree: tree.name,
      id: `${machine.metadata.namespace}/${machine.metadata.name}`,
      machine,
      composite,
      output,
      workspaces: output.filter((object) => object.kind === 'Workspace'),
    };
  });
}

/** A dotted field path's value, or undefined. */
export function valueAt(object: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<any>((node, key) => (node === undefined || node === null ? undefined : node[key]), object);
}
