/**
 * The Composition as Crossplane runs it, for upstream.test.ts: every Machine in claims/ (the committed dist/) and
 * every Machine of the fleet fixture, rendered through the synthesized Composition by the real `crank render`
 * and function-patch-and-transform (in both topologies), composes the Workspace it should; the committed tree
 * and every rendered Workspace pass `crank beta validate`.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { MANAGEMENT_POLICIES, VARMAP_PATH } from '../src/platform/composition-patches';
import { MODULE_VARIABLES } from '../src/platform/terraform-variables';
import { REPO } from './_helpers';
import { fleetFixtureMachines, RenderPass, SynthesizedTree, valueAt } from './_rendered-machines';
import { crankRender, crankValidate, inParallel, ValidateResult } from './_upstream-tools';

/** Every leaf field path of the Machine's spec in the XRD schema (`[]` for list items). */
function schemaLeafPaths(schema: Record<string, any>, prefix: string): string[] {
  if (schema.type === 'object' && schema.properties) {
    return Object.entries<Record<string, any>>(schema.properties).flatMap(([key, child]) => schemaLeafPaths(child, `${prefix}.${key}`));
  }
  if (schema.type === 'array' && schema.items?.type === 'object') return schemaLeafPaths(schema.items, `${prefix}[]`);
  return [prefix];
}

/** Every leaf field path a Machine sets; tags, a free-form map, counts as one field. */
function setPaths(value: unknown, prefix: string): string[] {
  if (Array.isArray(value)) return value.every((item) => typeof item === 'object') && value.length > 0 ? value.flatMap((item) => setPaths(item, `${prefix}[]`)) : [prefix];
  if (value !== null && typeof value === 'object' && !(prefix.endsWith('.tags'))) {
    return Object.entries(value).flatMap(([key, child]) => setPaths(child, `${prefix}.${key}`));
  }
  return [prefix];
}

/** What the trees are made of, checked without a tool. */
export function fixtureChecks(committed: SynthesizedTree, fleet: SynthesizedTree): void {
  describe('the Function the platform installs', () => {
    test('is the function-patch-and-transform version tools/ builds and these tests run', () => {
      const goMod = fs.readFileSync(path.join(REPO, 'tools', 'function-patch-and-transform', 'go.mod'), 'utf8');
      const built = /github\.com\/crossplane-contrib\/function-patch-and-transform (v\S+)/.exec(goMod)![1];
      const installed = YAML.parse(fs.readFileSync(committed.function, 'utf8')).spec.package;
      expect(installed).toBe(`xpkg.crossplane.io/crossplane-contrib/function-patch-and-transform:${built}`);
    });
  });

  describe('the fleet fixture', () => {
    test('sets every field of the Machine API, both deletion policies, DHCP and static addressing', () => {
      const xrd = YAML.parse(fs.readFileSync(fleet.xrd, 'utf8'));
      const specSchema = xrd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
      const machines = fleetFixtureMachines();
      const used = new Set(machines.flatMap((machine) => setPaths(machine.spec, 'spec')));
      expect(schemaLeafPaths(specSchema, 'spec').filter((field) => !used.has(field))).toEqual([]);
      expect(new Set(machines.map((m) => m.spec.deletionPolicy))).toEqual(new Set(['Delete', 'Orphan', undefined]));
      expect(machines.some((m) => m.spec.network?.dhcp === true)).toBe(true);
      expect(machines.some((m) => m.spec.network?.ip !== undefined)).toBe(true);
      expect(machines.some((m) => m.spec.network === undefined)).toBe(true);
    });
  });
}

/** The Machines of the committed tree, the fleet and the legacy fleet, as `pass` rendered them. */
export function renderChecks(pass: RenderPass, committed: SynthesizedTree, fleet: SynthesizedTree, legacyFleet: SynthesizedTree): void {
  const trees = [committed, fleet, legacyFleet];
  const cases = trees.flatMap((tree) => tree.machines.map(({ machine }) => ({
    tree: tree.name,
    id: `${machine.metadata.namespace}/${machine.metadata.name}`,
  })));
  const rendered = () => trees.flatMap((tree) => pass.of(tree));
  const renderedCase = (tree: string, id: string) => rendered().find((result) => result.tree === tree && result.id === id)!;
  const treeNamed = (name: string): SynthesizedTree => trees.find((tree) => tree.name === name)!;

  test('renders every Machine of claims/ and of the fleet fixture', () => {
    expect(fleet.machines.length).toBe(fleetFixtureMachines().length);
    expect(legacyFleet.compositeKind).toBe('XMachine');
    expect(rendered()).toHaveLength(cases.length);
  });

  test.each(cases)('$tree $id composes one Workspace named for it, on the platform\'s provider config', ({ tree, id }) => {
    const { machine, workspaces } = renderedCase(tree, id);
    expect(workspaces).toHaveLength(1);
    const [workspace] = workspaces;
    const providerConfig = treeNamed(tree).providerConfig;
    const { name, namespace } = machine.metadata;
    if (treeNamed(tree).compositeKind === 'Machine') {
      // Beside its Machine, named like it.
      expect(workspace.apiVersion).toBe('tf.m.upbound.io/v1beta1');
      expect(workspace.metadata).toMatchObject({ name, namespace });
      expect(workspace.spec.providerConfigRef).toEqual({ kind: providerConfig.kind, name: providerConfig.metadata.name });
    } else {
      // Cluster-scoped, named <namespace>.<name>, and the claim recorded as Crossplane records it.
      expect(workspace.apiVersion).toBe('tf.upbound.io/v1beta1');
      expect(workspace.metadata.name).toBe(`${namespace}.${name}`);
      expect(workspace.metadata.namespace).toBeUndefined();
      expect(workspace.metadata.labels).toMatchObject({ 'crossplane.io/claim-name': name, 'crossplane.io/claim-namespace': namespace });
      expect(workspace.spec.providerConfigRef).toEqual({ name: providerConfig.metadata.name });
      expect(providerConfig.kind).toBe('ProviderConfig');
      expect(workspace.spec.deletionPolicy).toBe(machine.spec.deletionPolicy);
    }
    expect(workspace.metadata.annotations['crossplane.io/external-name']).toBe(createHash('sha1').update(`${namespace}/${name}`).digest('hex'));
  });

  test.each(cases)('$tree $id: every varmap entry is the Machine field it comes from, absent fields absent', ({ tree, id }) => {
    const { machine, workspaces: [workspace] } = renderedCase(tree, id);
    const varmap = valueAt(workspace, VARMAP_PATH) as Record<string, unknown>;
    const expected: Record<string, unknown> = {};
    for (const variable of MODULE_VARIABLES) {
      const value = valueAt(machine, variable.from);
      if (value !== undefined) expected[variable.name] = value;
    }
    expect(varmap).toEqual(expected);
    // Only variables a Machine may leave out are ever absent.
    const absent = MODULE_VARIABLES.filter((variable) => !(variable.name in varmap));
    expect(absent.filter((variable) => variable.whenAbsent === undefined).map((variable) => variable.name)).toEqual([]);
  });

  test.each(cases)('$tree $id: deletionPolicy becomes the Workspace\'s management policies', ({ tree, id }) => {
    const { machine, workspaces: [workspace] } = renderedCase(tree, id);
    expect(workspace.spec.managementPolicies).toEqual(MANAGEMENT_POLICIES[machine.spec.deletionPolicy as 'Delete' | 'Orphan']);
    if (machine.spec.deletionPolicy === 'Orphan') expect(workspace.spec.managementPolicies).not.toContain('Delete');
  });

  test('the smallest Machine leaves every optional variable to the module', () => {
    const { workspaces: [workspace] } = renderedCase(fleet.name, 'fleet-a/smallest');
    const optional = MODULE_VARIABLES.filter((variable) => variable.whenAbsent !== undefined).map((variable) => variable.name);
    expect(Object.keys(workspace.spec.forProvider.varmap).filter((name) => optional.includes(name))).toEqual([]);
  });

  test('the API server\'s defaults (crank --xrd) give each fixture Machine as written the Workspace synth\'s defaults give', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-as-written-'));
    // A Machine leaving its address or VMID to synth is complete only as synth writes it (src/synth/allocation.ts).
    const complete = fleetFixtureMachines().filter((machine) => machine.spec.network?.ipPool === undefined && machine.spec.proxmox?.allocateVmId !== true);
    const results = await inParallel(complete, 2, async (machine) => {
      const file = path.join(dir, `${machine.metadata.namespace}.${machine.metadata.name}.yaml`);
      fs.writeFileSync(file, YAML.stringify(machine));
      const output = await crankRender(pass.crank, { xr: file, composition: fleet.composition, functions: fleet.function, xrd: fleet.xrd, target: pass.target() });
      const id = `${machine.metadata.namespace}/${machine.metadata.name}`;
      return { id, asWritten: output.find((o) => o.kind === 'Workspace')!.spec, synthesized: renderedCase(fleet.name, id).workspaces[0].spec };
    });
    for (const { id, asWritten, synthesized } of results) expect({ id, spec: asWritten }).toEqual({ id, spec: synthesized });
  }, 60_000);

  /** Outputs as provider-terraform reports them in status.atProvider.outputs (JSON values by name). */
  const outputs = { vm_id: 4242, node: 'pve2', ip_address: '10.20.30.40', ip_addresses: ['10.20.30.40', '10.20.30.41'] };

  async function renderApplied(tree: SynthesizedTree, id: string): Promise<Record<string, any>> {
    const { composite, workspaces: [workspace] } = renderedCase(tree.name, id);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-observed-'));
    const observed = {
      ...workspace,
      status: {
        atProvider: { outputs },
        conditions: [
          { type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: '2026-01-01T00:00:00Z' },
          { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: '2026-01-01T00:00:00Z' },
        ],
      },
    };
    fs.writeFileSync(path.join(dir, 'composite.yaml'), YAML.stringify(composite));
    fs.writeFileSync(path.join(dir, 'observed.yaml'), YAML.stringify(observed));
    const output = await crankRender(pass.crank, {
      xr: path.join(dir, 'composite.yaml'), composition: tree.composition, functions: tree.function, xrd: tree.xrd, target: pass.target(),
      observed: path.join(dir, 'observed.yaml'),
    });
    return output[0];
  }

  /** The every-field Machine's composite once Terraform has applied, rendered once per tree. */
  const applied = new Map<SynthesizedTree, Promise<Record<string, any>>>();
  const appliedEveryField = (tree: SynthesizedTree) => applied.get(tree) ?? applied.set(tree, renderApplied(tree, 'fleet-a/every-field')).get(tree)!;

  /** The pinned upstream CRDs and the tree's XRD. */
  function schemas(tree: SynthesizedTree): string[] {
    const crds = path.join(REPO, 'imports', 'crds');
    return [...fs.readdirSync(crds).map((file) => path.join(crds, file)), tree.xrd];
  }

  /** The name the every-field Machine with an applied status has in the validation run. */
  const APPLIED = 'every-field-applied';
  /** Machines with networks the XRD's CEL rules refuse, by name, and the message each must get. */
  const REFUSED: Array<[string, Record<string, unknown>, RegExp]> = [
    ['dhcp-and-ip', { dhcp: true, ip: '10.0.0.5', cidr: 24, gateway: '10.0.0.1' }, /dhcp: true cannot be combined with a static ip|dhcp/],
    ['gateway-outside', { ip: '10.0.0.5', cidr: 24, gateway: '10.0.1.1' }, /gateway must lie inside 10\.0\.0\.0\/24, the subnet of ip 10\.0\.0\.5/],
    ['network-address', { ip: '10.0.0.0', cidr: 24, gateway: '10.0.0.1' }, /ip must not be the network address of its subnet/],
    ['broadcast-address', { ip: '10.0.0.255', cidr: 24, gateway: '10.0.0.1' }, /ip must not be the broadcast address of its subnet/],
  ];

  /**
   * One `crank beta validate` (about 0.6 s of CPU a run) against the pinned CRDs and the namespaced XRD, for
   * every check below that uses them, each on objects of its own names: the committed dist/, the fleet's tree
   * and its rendered Workspaces, the every-field Machine with its applied status, and the refused networks.
   * The fleet's tree is synthesized with this repository's settings, so its XRD is the committed one (checked).
   */
  let namespacedRun: Promise<ValidateResult> | undefined;
  const namespacedValidation = () => namespacedRun ??= (async () => {
    const folder = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `fabric-validate-${name}-`));
    const workspaces = folder('workspaces');
    for (const { tree, id, workspaces: composed } of namespacedRendered()) {
      fs.writeFileSync(path.join(workspaces, `${tree.replace(/\W/g, '')}.${id.replace('/', '.')}.yaml`), composed.map((w) => YAML.stringify(w)).join('---\n'));
    }
    const status = (await appliedEveryField(fleet)).status;
    const { machine } = renderedCase(fleet.name, 'fleet-a/every-field');
    const withStatus = folder('applied');
    fs.writeFileSync(path.join(withStatus, 'machine.yaml'), YAML.stringify({ ...machine, metadata: { ...machine.metadata, name: APPLIED }, status }));
    const refused = folder('refused');
    for (const [name, network] of REFUSED) {
      const bad = YAML.parse(fs.readFileSync(fleet.machines[0].file, 'utf8'));
      bad.metadata.name = name;
      bad.spec.network = network;
      fs.writeFileSync(path.join(refused, `${name}.yaml`), YAML.stringify(bad));
    }
    const dist = [path.join(REPO, 'dist', 'cluster'), path.join(REPO, 'dist', 'argocd')];
    return crankValidate(pass.crank, schemas(fleet), [...dist, fleet.clusterDir, workspaces, withStatus, refused]);
  })();
  const namespacedRendered = () => rendered().filter((result) => result.tree !== legacyFleet.name);
  /** The run's failures of the Machine `name`, or without one, of the trees (less those of APPLIED and REFUSED). */
  const failuresOf = (result: ValidateResult, name?: string) => {
    const of = (machine: string) => (line: string) => line.includes(`Kind=Machine, ${machine} :`);
    if (name !== undefined) return result.failures.filter(of(name));
    return result.failures.filter((line) => ![APPLIED, ...REFUSED.map(([refused]) => refused)].some((machine) => of(machine)(line)));
  };

  describe('once Terraform has applied', () => {
    test.each([{ topology: 'namespaced', tree: fleet }, { topology: 'legacy', tree: legacyFleet }])(
      '$topology: the module outputs reach the status of the composite, which becomes Ready', async ({ tree }) => {
        const xr = await appliedEveryField(tree);
        expect(xr.status).toMatchObject({ vmId: 4242, node: 'pve2', ipAddress: '10.20.30.40', ipAddresses: ['10.20.30.40', '10.20.30.41'] });
        expect(xr.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
      }, 30_000);

    test('the composite with that status passes the XRD\'s schema', async () => {
      const result = await namespacedValidation();
      expect(failuresOf(result, APPLIED)).toEqual([]);
      expect(result.output).toContain(`Kind=Machine, ${APPLIED} validated successfully`);
    }, 60_000);
  });

  describe('crank beta validate, offline against the pinned CRDs and the XRD', () => {
    /** Core Kubernetes kinds have no CRD; crank says so and skips them. */
    const CORE_KINDS = ['/v1, Kind=Namespace', '/v1, Kind=ConfigMap', 'rbac.authorization.k8s.io/v1, Kind=ClusterRole'];

    test('the fleet fixture\'s XRD is the committed one, so one run checks both trees', () => {
      expect(fs.readFileSync(fleet.xrd, 'utf8')).toBe(fs.readFileSync(committed.xrd, 'utf8'));
    });

    test('the committed dist/, the fleet fixture\'s tree and every rendered Workspace pass: schemas, unknown fields, CEL rules', async () => {
      const result = await namespacedValidation();
      expect(failuresOf(result)).toEqual([]);
      expect(result.downloads).toEqual([]);
      expect([...new Set(result.missingSchemas)].filter((kind) => !CORE_KINDS.includes(kind))).toEqual([]);
      for (const { machine } of [...committed.machines, ...fleet.machines]) expect(result.output).toContain(`Kind=Machine, ${machine.metadata.name} validated successfully`);
      // The example fleet's monitoring objects, against prometheus-operator's pinned CRDs (docs/monitoring.md).
      for (const kind of ['v1alpha1, Kind=ScrapeConfig', 'v1, Kind=PrometheusRule']) expect(result.output).toContain(`monitoring.coreos.com/${kind}, fabric-machines validated successfully`);
      const validatedWorkspaces = result.output.split('\n').filter((line) => /Kind=Workspace, .* validated successfully/.test(line));
      expect(validatedWorkspaces).toHaveLength(namespacedRendered().length);
    }, 60_000);

    test('the legacy fleet\'s tree (v1 XRD, Machine claims) and its rendered Workspaces pass', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-rendered-legacy-'));
      const legacy = rendered().filter((result) => result.tree === legacyFleet.name);
      for (const { id, workspaces } of legacy) fs.writeFileSync(path.join(dir, `${id.replace('/', '.')}.yaml`), YAML.stringify(workspaces[0]));
      const result = await crankValidate(pass.crank, schemas(legacyFleet), [legacyFleet.clusterDir, dir]);
      expect(result.failures).toEqual([]);
      expect(result.downloads).toEqual([]);
      expect(result.ok).toBe(true);
      expect([...new Set(result.missingSchemas)].filter((kind) => !CORE_KINDS.includes(kind))).toEqual([]);
      expect(result.output.split('\n').filter((line) => /tf\.upbound\.io\/v1beta1, Kind=Workspace, .* validated successfully/.test(line))).toHaveLength(legacy.length);
      for (const { machine } of legacyFleet.machines) expect(result.output).toContain(`Kind=Machine, ${machine.metadata.name} validated successfully`);
    }, 60_000);

    test('refuses, by the XRD\'s CEL rules as Kubernetes compiles them, each bad network with its message', async () => {
      const result = await namespacedValidation();
      expect(result.ok).toBe(false);
      for (const [name, , message] of REFUSED) {
        const lines = failuresOf(result, name);
        expect({ name, lines: lines.filter((line) => /CEL validation error .*spec\.network/.test(line) && message.test(line)).length > 0 })
          .toEqual({ name, lines: true });
        expect(lines.filter((line) => /compile error/.test(line))).toEqual([]);
      }
    }, 60_000);
  });
}
