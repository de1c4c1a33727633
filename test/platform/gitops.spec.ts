/**
 * ArgoCD: the Application that syncs dist/cluster/, and the waves and sync options every synced object
 * carries (ordering, dry run, prune and delete protection), in both topologies.
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { APPLICATION_NAME, ARGOCD_NAMESPACE, LOCAL_CLUSTER, MACHINE_HEALTH_KEY, machineHealthLua } from '../../src/gitops/argocd';
import { applySyncPolicies, SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION } from '../../src/gitops/sync-policy';
import { Topology } from '../../src/api/topology';
import { find, minimalMachine, TEST_REPO_URL } from '../_helpers';
import { synthTopology } from '../_topologies';

const wave = (object: Record<string, any>) => Number(object.metadata.annotations?.[SYNC_WAVE_ANNOTATION]);
const options = (object: Record<string, any>): string[] => (object.metadata.annotations?.[SYNC_OPTIONS_ANNOTATION] ?? '').split(',').filter(Boolean);
const ofKind = (objects: Array<Record<string, any>>, kind: string) => objects.filter((o) => o.kind === kind);

describe.each([Topology.NAMESPACED, Topology.LEGACY])('the %s topology, as ArgoCD syncs it', (topology) => {
  const synced = synthTopology(topology).objectsIn('cluster/');
  const providerConfigKind = topology === Topology.LEGACY ? 'ProviderConfig' : 'ClusterProviderConfig';

  test('every synced object carries a sync wave', () => {
    const missing = synced.filter((o) => Number.isNaN(wave(o))).map((o) => `${o.kind} ${o.metadata.name}`);
    expect(missing).toEqual([]);
  });

  test('waves run namespaces and packages, then the provider config, the XRD, the Composition, the Machines', () => {
    const order = [
      ['Namespace', 'Provider', 'Function', 'DeploymentRuntimeConfig'],
      [providerConfigKind],
      ['CompositeResourceDefinition'],
      ['Composition'],
      ['Machine'],
    ].map((kinds) => kinds.flatMap((kind) => ofKind(synced, kind)).map(wave));
    for (let step = 1; step < order.length; step++) {
      expect(order[step].length).toBeGreaterThan(0);
      expect(Math.min(...order[step])).toBeGreaterThan(Math.max(...order[step - 1]));
    }
  });

  test('the provider, function and runtime config share one wave, before everything that needs them', () => {
    const waves = new Set(['Provider', 'Function', 'DeploymentRuntimeConfig'].flatMap((kind) => ofKind(synced, kind)).map(wave));
    expect(waves.size).toBe(1);
  });

  test('dry runs are skipped on exactly the kinds whose CRD the same sync installs', () => {
    const skipping = synced.filter((o) => options(o).includes('SkipDryRunOnMissingResource=true')).map((o) => o.kind);
    expect(new Set(skipping)).toEqual(new Set([providerConfigKind, 'Machine']));
    expect(ofKind(synced, 'Machine').every((m) => options(m).includes('SkipDryRunOnMissingResource=true'))).toBe(true);
  });

  test('the foundation is neither pruned nor deleted with the Application', () => {
    const foundation = synced.filter((o) => o.kind !== 'Machine');
    expect(foundation.map((o) => o.kind).sort()).toEqual(
      ['CompositeResourceDefinition', 'Composition', 'DeploymentRuntimeConfig', 'Function', 'Namespace', 'Namespace', 'Provider', providerConfigKind].sort(),
    );
    for (const object of foundation) expect(options(object)).toEqual(expect.arrayContaining(['Prune=false', 'Delete=false']));
  });

  test('Machines are pruned when their claim leaves git but never deleted with the Application', () => {
    for (const machine of ofKind(synced, 'Machine')) {
      expect(options(machine)).toContain('Delete=false');
      expect(options(machine)).not.toContain('Prune=false');
    }
  });
});

describe('the Application', () => {
  const gitops = { repoURL: 'https://git.example/homelab/fabric.git', targetRevision: 'v3', path: 'infra/dist/cluster' };
  const tree = synthTopology(Topology.NAMESPACED, { gitops });
  const application = find(tree.objectsIn('argocd/'), 'Application', APPLICATION_NAME, ARGOCD_NAMESPACE);

  test('is written to dist/argocd/, outside the folder it syncs', () => {
    expect([...tree.files.keys()]).toContain('argocd/application.argocd.fabric.yaml');
    expect(tree.objectsIn('cluster/').filter((o) => o.kind === 'Application' || o.kind === 'ConfigMap')).toEqual([]);
  });

  test('syncs the repository, revision and path of package.json fabric.gitops, recursively', () => {
    expect(application.spec.source).toEqual({ ...gitops, directory: { recurse: true } });
  });

  test('syncs into the cluster ArgoCD runs in', () => {
    expect(application.spec.destination).toEqual({ server: LOCAL_CLUSTER });
  });

  test('syncs automatically, pruning what left git and reverting changes made by hand', () => {
    expect(application.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
  });

  test('has no resources finalizer, so deleting it cascades to nothing', () => {
    expect(application.metadata.finalizers).toBeUndefined();
  });

  test('syncs the repository the project names, at main, from dist/cluster', () => {
    const spec = find(synthTopology(Topology.NAMESPACED).objectsIn('argocd/'), 'Application', APPLICATION_NAME).spec;
    expect(spec.source).toMatchObject({ repoURL: TEST_REPO_URL, targetRevision: 'main', path: 'dist/cluster' });
  });
});

describe('the argocd-cm settings', () => {
  const settings = find(synthTopology(Topology.NAMESPACED).objectsIn('argocd/'), 'ConfigMap', 'argocd-cm', ARGOCD_NAMESPACE);

  test('switch ArgoCD to annotation tracking', () => {
    expect(settings.data['application.resourceTrackingMethod']).toBe('annotation');
  });

  test('carry the Machine health check from its Lua file', () => {
    expect(settings.data[MACHINE_HEALTH_KEY]).toBe(machineHealthLua());
  });
});

describe('applySyncPolicies', () => {
  test('refuses a kind that has no sync policy', () => {
    const chart = new Chart(new App(), 'test');
    new kplus.ConfigMap(chart, 'Stray', { metadata: { name: 'stray' } });
    expect(() => applySyncPolicies(chart)).toThrow(/no ArgoCD sync policy for ConfigMap stray: add one to SYNC_POLICIES in src\/gitops\/sync-policy.ts/);
  });

  test('keeps the sync options a claim sets, which win over its kind\'s', () => {
    const claim = minimalMachine('precious');
    const tree = synthTopology(Topology.NAMESPACED, {}, {
      'precious.yaml': { ...claim, metadata: { ...(claim.metadata as object), annotations: { [SYNC_OPTIONS_ANNOTATION]: 'Prune=false' } } },
    });
    const machine = find(tree.objectsIn(), 'Machine', 'precious');
    expect(options(machine).sort()).toEqual(['Delete=false', 'Prune=false', 'SkipDryRunOnMissingResource=true']);
  });
});
