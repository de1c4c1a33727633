// The constructs a cdk8s user composes in their own app: Machine (checked at app.synth), Platform (which
// checks the fleet), MachineApi, and the Argo CD constructs.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { ArgoCdApplication, ArgoCdSettings, Machine, MachineApi, MachineSpec, Platform, Topology } from '../../src';

const spec = (overrides: Partial<MachineSpec> = {}): MachineSpec => ({
  cpu: { cores: 2 },
  memory: { size: 2048 },
  disk: { size: 32 },
  proxmox: { node: 'pve' },
  ...overrides,
});

const objectsOf = (chart: Chart) => chart.toJson() as Array<Record<string, any>>;
const appWithOutdir = () => new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-app-')) });

test('a Machine in a plain App and Chart synthesizes with the schema defaults written out', () => {
  const chart = new Chart(new App(), 'vms');
  new Machine(chart, 'web01', { spec: spec() });
  const machine = objectsOf(chart).find((o) => o.kind === 'Machine')!;
  expect(machine).toMatchObject({ apiVersion: 'fabric.kubelize.io/v1alpha1', kind: 'Machine', metadata: { name: 'web01', namespace: 'infra-machines' } });
  expect(machine.spec.proxmox.storage).toBe('local-zfs');
  expect(machine.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
});

test('metadata.name defaults to the construct id, never a hash', () => {
  const chart = new Chart(new App(), 'vms');
  const machine = new Machine(chart, 'dns01', { metadata: { namespace: 'dns' }, spec: spec() });
  expect(machine.name).toBe('dns01');
  expect(objectsOf(chart).find((o) => o.kind === 'Machine')!.metadata).toMatchObject({ name: 'dns01', namespace: 'dns' });
});

test("a Machine defaults to its chart's namespace", () => {
  const chart = new Chart(new App(), 'vms', { namespace: 'lab' });
  expect(new Machine(chart, 'dns01', { spec: spec() }).namespace).toBe('lab');
});

test("each namespace's Namespace is written once, never pruned, beside the Machines without a Platform", () => {
  const chart = new Chart(new App(), 'vms');
  new Machine(chart, 'a', { spec: spec(), metadata: { namespace: 'apps' } });
  new Machine(chart, 'b', { spec: spec(), metadata: { namespace: 'apps' } });
  new Machine(chart, 'c', { spec: spec(), metadata: { namespace: 'dns' } });
  const namespaces = objectsOf(chart).filter((o) => o.kind === 'Namespace');
  expect(namespaces.map((o) => o.metadata.name).sort()).toEqual(['apps', 'dns']);
  expect(namespaces[0].metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
});

test("a Machine given a Platform has its Namespace written by the Platform's chart", () => {
  const app = new App();
  const platform = new Platform(new Chart(app, 'platform'), 'Platform');
  const machines = new Chart(app, 'machines');
  new Machine(machines, 'a', { spec: spec(), metadata: { namespace: 'apps' }, platform });
  expect(objectsOf(machines).map((o) => o.kind)).toEqual(['Machine']);
  expect(objectsOf(platform.node.scope as Chart).filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['apps']);
});

test('app.synth refuses a Machine with too little memory, naming spec.memory.size', () => {
  const app = appWithOutdir();
  new Machine(new Chart(app, 'vms'), 'tiny', { spec: spec({ memory: { size: 256 } }) });
  expect(() => app.synth()).toThrow(/Machine infra-machines\/tiny: spec\.memory\.size must be at least 512 \(MiB\), got 256/);
});

test('the Platform refuses two Machines in different charts pinning the same VMID', () => {
  const app = appWithOutdir();
  new Platform(new Chart(app, 'platform'), 'Platform');
  new Machine(new Chart(app, 'a'), 'one', { spec: spec({ proxmox: { node: 'pve', vmId: 9101 } }) });
  new Machine(new Chart(app, 'b'), 'two', { spec: spec({ proxmox: { node: 'pve', vmId: 9101 } }) });
  expect(() => app.synth()).toThrow(/b\/two: Machine infra-machines\/two: spec\.proxmox\.vmId 9101 is already pinned by Machine infra-machines\/one \(a\/one\)/);
});

test('the Platform refuses a Machine in a system namespace, kube-* included', () => {
  const app = appWithOutdir();
  new Platform(new Chart(app, 'platform'), 'Platform');
  new Machine(new Chart(app, 'vms'), 'vm', { spec: spec(), metadata: { namespace: 'kube-flannel' } });
  expect(() => app.synth()).toThrow(/metadata\.namespace must not be a system namespace \(argocd, crossplane-system, default, kube-\*\)/);
});

test('a legacy Platform refuses a Machine written for the namespaced topology, and takes one given the Platform', () => {
  const app = appWithOutdir();
  const platform = new Platform(new Chart(app, 'platform'), 'Platform', { topology: Topology.LEGACY });
  const machines = new Chart(app, 'machines');
  const claim = new Machine(machines, 'claimed', { spec: spec(), platform });
  expect(objectsOf(machines).find((o) => o.metadata.name === 'claimed')!.spec.compositeDeletePolicy).toBe('Background');
  expect(claim.topology).toBe(Topology.LEGACY);
  new Machine(machines, 'stray', { spec: spec() });
  expect(() => app.synth()).toThrow(/Machine infra-machines\/stray: spec is written for the namespaced topology, but Platform platform\/Platform serves the legacy one/);
});

test('a Machine is checked in its validation, and the same spec gives the same problems whatever else was built', () => {
  const first = new Machine(new Chart(new App(), 'a'), 'vm', { spec: spec({ memory: { size: 256 } }) });
  const second = new Machine(new Chart(new App(), 'b'), 'vm', { spec: spec({ memory: { size: 256 } }) });
  expect(first.problems().map((p) => p.message)).toEqual(['must be at least 512 (MiB), got 256']);
  expect(second.problems()).toEqual(first.problems().map((p) => ({ ...p, file: 'b/vm' })));
});

test('Platform writes the packages, provider config and Machine API by name, each with its sync wave', () => {
  const chart = new Chart(new App(), 'platform');
  new Platform(chart, 'Platform');
  const objects = objectsOf(chart);
  expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(expect.arrayContaining([
    'CompositeResourceDefinition/machines.fabric.kubelize.io',
    expect.stringMatching(/^Composition\//),
    expect.stringMatching(/^Provider\//),
    expect.stringMatching(/^Function\//),
    expect.stringMatching(/^DeploymentRuntimeConfig\//),
    expect.stringMatching(/^ClusterProviderConfig\//),
  ]));
  for (const object of objects) {
    expect(object.metadata.annotations['argocd.argoproj.io/sync-options']).toContain('Prune=false');
  }
});

test('MachineApi alone writes the XRD and its Composition', () => {
  const chart = new Chart(new App(), 'api');
  new MachineApi(chart, 'Api');
  expect(objectsOf(chart).map((o) => o.kind).sort()).toEqual(['CompositeResourceDefinition', 'Composition']);
});

test('ArgoCdApplication syncs the given repository and refuses an empty repoURL', () => {
  const chart = new Chart(new App(), 'argocd');
  new ArgoCdApplication(chart, 'App', { repoURL: 'https://git.example.com/me/infra.git', path: 'dist/cluster' });
  const [application] = objectsOf(chart);
  expect(application.metadata).toMatchObject({ name: 'fabric', namespace: 'argocd' });
  expect(application.spec.source).toMatchObject({ repoURL: 'https://git.example.com/me/infra.git', targetRevision: 'main', path: 'dist/cluster' });
  expect(application.metadata.finalizers).toBeUndefined();
  expect(() => new ArgoCdApplication(chart, 'Empty', { repoURL: '' })).toThrow(/repoURL is required/);
});

test('ArgoCdApplication without a path syncs its app\'s output folder, less the file of its own chart', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-argocd-'));
  try {
    const app = new App({ outdir });
    const gitops = new Chart(app, 'gitops');
    new ArgoCdApplication(gitops, 'App', { repoURL: 'https://git.example.com/me/infra.git' });
    new Platform(new Chart(app, 'platform'), 'Platform');
    app.synth();
    const [application] = objectsOf(gitops);
    expect(path.resolve(application.spec.source.path)).toBe(outdir);
    expect(fs.readdirSync(outdir).sort()).toEqual([application.spec.source.directory.exclude, 'platform.k8s.yaml'].sort());
    expect(fs.readFileSync(path.join(outdir, application.spec.source.directory.exclude), 'utf8')).toMatch(/kind: Application\n/);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

test('ArgoCdSettings writes argocd-cm with annotation tracking and the Machine health check', () => {
  const chart = new Chart(new App(), 'argocd');
  new ArgoCdSettings(chart, 'Settings');
  const [configMap] = objectsOf(chart);
  expect(configMap.metadata).toMatchObject({ name: 'argocd-cm', namespace: 'argocd' });
  expect(configMap.data['application.resourceTrackingMethod']).toBe('annotation');
  expect(configMap.data['resource.customizations.health.fabric.kubelize.io_Machine']).toMatch(/Degraded/);
});
