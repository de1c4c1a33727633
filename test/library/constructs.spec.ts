// The constructs a cdk8s user composes in their own app: Machine (validated at app.synth) and Platform.
import { App, Chart } from 'cdk8s';
import { GitOpsApplication, Machine, MachineApi, Platform } from '../../src';
import { MachineSpec } from '../../imports/fabric.kubelize.io';
import * as validation from '../../src/validation/validate-machines';

const spec = (overrides: Partial<MachineSpec> = {}): MachineSpec => ({
  cpu: { cores: 2 },
  memory: { size: 2048 },
  disk: { size: 32 },
  proxmox: { node: 'pve' },
  ...overrides,
});

const objectsOf = (chart: Chart) => chart.toJson() as Array<Record<string, any>>;

test('a Machine in a plain App and Chart synthesizes with the schema defaults written out', () => {
  const app = new App();
  const chart = new Chart(app, 'vms');
  new Machine(chart, 'web01', { spec: spec() });
  const [machine] = objectsOf(chart);
  expect(machine).toMatchObject({ apiVersion: 'fabric.kubelize.io/v1alpha1', kind: 'Machine', metadata: { name: 'web01', namespace: 'infra-machines' } });
  expect(machine.spec.proxmox.storage).toBe('local-zfs');
  expect(machine.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
});

test('metadata.name defaults to the construct id, never a hash', () => {
  const chart = new Chart(new App(), 'vms');
  const machine = new Machine(chart, 'dns01', { metadata: { namespace: 'dns' }, spec: spec() });
  expect(machine.name).toBe('dns01');
  expect(objectsOf(chart)[0].metadata).toMatchObject({ name: 'dns01', namespace: 'dns' });
});

test('app.synth refuses a Machine with too little memory, naming spec.memory.size', () => {
  const app = new App({ outdir: require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'fabric-')) });
  new Machine(new Chart(app, 'vms'), 'tiny', { spec: spec({ memory: { size: 256 } }) });
  expect(() => app.synth()).toThrow(/Machine infra-machines\/tiny: spec\.memory\.size must be at least 512 \(MiB\), got 256/);
});

test('app.synth refuses two Machines in different charts pinning the same VMID', () => {
  const app = new App({ outdir: require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'fabric-')) });
  new Machine(new Chart(app, 'a'), 'one', { spec: spec({ proxmox: { node: 'pve', vmId: 9101 } }) });
  new Machine(new Chart(app, 'b'), 'two', { spec: spec({ proxmox: { node: 'pve', vmId: 9101 } }) });
  expect(() => app.synth()).toThrow(/Machine infra-machines\/two: spec\.proxmox\.vmId 9101 is already pinned by Machine infra-machines\/one/);
});

test('Platform writes the packages, provider config and Machine API by name', () => {
  const chart = new Chart(new App(), 'platform');
  new Platform(chart, 'Platform');
  const kinds = objectsOf(chart).map((o) => `${o.kind}/${o.metadata.name}`).sort();
  expect(kinds).toEqual(expect.arrayContaining([
    'CompositeResourceDefinition/machines.fabric.kubelize.io',
    expect.stringMatching(/^Composition\//),
    expect.stringMatching(/^Provider\//),
    expect.stringMatching(/^Function\//),
    expect.stringMatching(/^DeploymentRuntimeConfig\//),
    expect.stringMatching(/^ClusterProviderConfig\//),
  ]));
});

test('MachineApi alone writes the XRD and its Composition', () => {
  const chart = new Chart(new App(), 'api');
  new MachineApi(chart, 'Api');
  expect(objectsOf(chart).map((o) => o.kind).sort()).toEqual(['CompositeResourceDefinition', 'Composition']);
});

test('GitOpsApplication syncs the given repository and refuses an empty repoURL', () => {
  const chart = new Chart(new App(), 'argocd');
  new GitOpsApplication(chart, 'App', { repoURL: 'https://git.example.com/me/infra.git' });
  const [application] = objectsOf(chart);
  expect(application.metadata).toMatchObject({ name: 'fabric', namespace: 'argocd' });
  expect(application.spec.source).toMatchObject({ repoURL: 'https://git.example.com/me/infra.git', targetRevision: 'main', path: 'dist/cluster' });
  expect(application.metadata.finalizers).toBeUndefined();
  expect(() => new GitOpsApplication(chart, 'Empty', { repoURL: '' })).toThrow(/repoURL is required/);
});

describe('a spec synth has validated already', () => {
  const claim = (name: string) => ({
    file: `claims/${name}.yaml`,
    index: 0,
    document: { apiVersion: 'fabric.kubelize.io/v1alpha1', kind: 'Machine', metadata: { name, namespace: 'infra-machines' }, spec: spec() },
  });
  afterEach(() => jest.restoreAllMocks());

  test('is not validated a second time by the Machine construct, and is written as validated', () => {
    const { machine } = validation.validateMachine(claim('web01'));
    const validate = jest.spyOn(validation, 'validateMachine');
    const chart = new Chart(new App(), 'vms');
    const construct = new Machine(chart, 'web01', { spec: machine!.spec, source: machine!.file });
    expect(validate).not.toHaveBeenCalled();
    expect(construct.problems).toEqual([]);
    expect(construct.toLoadedMachine()).toBe(machine);
    expect(objectsOf(chart)[0].spec).toEqual(machine!.spec);
  });

  test('is validated again when the construct names another Machine, and a fresh spec always is', () => {
    const { machine } = validation.validateMachine(claim('web01'));
    const validate = jest.spyOn(validation, 'validateMachine');
    const chart = new Chart(new App(), 'vms');
    new Machine(chart, 'web02', { spec: machine!.spec });
    new Machine(chart, 'web03', { spec: spec() });
    expect(validate).toHaveBeenCalledTimes(2);
  });
});
