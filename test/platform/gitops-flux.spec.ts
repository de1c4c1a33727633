/**
 * `fabric.gitops.engine: flux`: what synth writes for Flux instead of the Argo CD objects (a GitRepository and a
 * chain of Kustomizations in dist/flux/), the guarantees they carry, and the library's Flux constructs. Flux's
 * own code checks the same output in gitops-flux-upstream.spec.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { FluxGitRepository, FluxKustomizations } from '../../src/constructs/flux';
import { Topology } from '../../src/api/topology';
import { synthesize } from '../../src/synth/synthesize';
import { resolveSettings } from '../../src/synth/settings';
import { ChangeKind } from '../../src/synth/plan';
import { findCredentials } from '../../src/validation/secret-scan';
import { crdProblems, loadCrdSchemas } from '../_crd-schemas';
import { minimalMachine, tempProject, TEST_REPO_URL } from '../_helpers';
import { synthTopology } from '../_topologies';

const FLUX = { gitops: { engine: 'flux' } };
const STAGES = ['fabric-packages', 'fabric-provider-config', 'fabric-definition', 'fabric-composition', 'fabric-machines'];

describe.each([Topology.NAMESPACED, Topology.LEGACY])('the %s topology with the Flux engine', (topology) => {
  const tree = synthTopology(topology, FLUX);
  const flux = tree.objectsIn('flux/');
  const kustomizations = flux.filter((o) => o.kind === 'Kustomization');
  const byName = (name: string) => kustomizations.find((k) => k.metadata.name === name)!;

  test('writes a GitRepository and the Kustomizations to dist/flux/, and no Argo CD object', () => {
    expect(flux.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      'GitRepository flux-system/fabric',
      ...STAGES.map((name) => `Kustomization flux-system/${name}`),
    ].sort());
    expect([...tree.files.keys()].filter((file) => file.startsWith('argocd/'))).toEqual([]);
  });

  test('every object is accepted by the pinned Flux CRDs', () => {
    const schemas = loadCrdSchemas();
    expect(flux.map((object) => crdProblems(object, schemas))).toEqual(flux.map(() => []));
  });

  test('the GitRepository fetches the configured branch and only the synced folder, with no credential', () => {
    const source = flux.find((o) => o.kind === 'GitRepository')!;
    expect(source.spec).toEqual({ interval: '1m', url: TEST_REPO_URL, ref: { branch: 'main' }, ignore: '/*\n!/dist/cluster/\n' });
  });

  test('each stage depends on the one before: packages, provider config, XRD, Composition, Machines', () => {
    const chain = STAGES.map((name) => byName(name).spec.dependsOn?.map((d: { name: string }) => d.name));
    expect(chain).toEqual([undefined, ['fabric-packages'], ['fabric-provider-config'], ['fabric-definition'], ['fabric-composition']]);
    // A dependency counts only once its own health check passed (Ready), so every stage waits.
    expect(kustomizations.every((k) => k.spec.wait === true && k.spec.sourceRef.name === 'fabric')).toBe(true);
  });

  test('each Kustomization applies a folder holding exactly its stage, and together they apply all of dist/cluster/', () => {
    const kindsIn = (folder: string) => [...new Set(tree.objectsIn(`${folder.replace(/^\.\/dist\//, '')}/`).map((o) => o.kind))].sort();
    const legacy = topology === Topology.LEGACY;
    expect(Object.fromEntries(STAGES.map((name) => [name, kindsIn(byName(name).spec.path)]))).toEqual({
      'fabric-packages': ['DeploymentRuntimeConfig', 'Function', 'Namespace', 'Provider'],
      'fabric-provider-config': [legacy ? 'ProviderConfig' : 'ClusterProviderConfig'],
      'fabric-definition': ['CompositeResourceDefinition'],
      'fabric-composition': ['Composition'],
      'fabric-machines': ['Machine'],
    });
    const applied = STAGES.flatMap((name) => tree.objectsIn(`${byName(name).spec.path.replace(/^\.\/dist\//, '')}/`));
    expect(applied).toHaveLength(tree.objectsIn('cluster/').length);
  });

  test('the foundation is never pruned nor deleted with its Kustomization; Machines are pruned, never deleted with it', () => {
    expect(Object.fromEntries(kustomizations.map((k) => [k.metadata.name, [k.spec.prune, k.spec.deletionPolicy]]))).toEqual({
      'fabric-packages': [false, 'Orphan'],
      'fabric-provider-config': [false, 'Orphan'],
      'fabric-definition': [false, 'Orphan'],
      'fabric-composition': [false, 'Orphan'],
      'fabric-machines': [true, 'Orphan'],
    });
    const pruneOf = (o: Record<string, any>) => o.metadata.annotations?.['kustomize.toolkit.fluxcd.io/prune'];
    const cluster = tree.objectsIn('cluster/');
    expect(cluster.filter((o) => o.kind !== 'Machine').map((o) => `${o.kind}: ${pruneOf(o)}`))
      .toEqual(cluster.filter((o) => o.kind !== 'Machine').map((o) => `${o.kind}: disabled`));
    expect(cluster.filter((o) => o.kind === 'Machine').map(pruneOf)).toEqual([undefined, undefined, undefined]);
  });

  test('Machines, Providers, Functions and the XRD have CEL health checks where they are applied', () => {
    const exprKinds = Object.fromEntries(kustomizations.map((k) => [k.metadata.name, (k.spec.healthCheckExprs ?? []).map((e: any) => e.kind)]));
    expect(exprKinds).toEqual({
      'fabric-packages': ['Provider', 'Function'],
      'fabric-provider-config': [],
      'fabric-definition': ['CompositeResourceDefinition'],
      'fabric-composition': [],
      'fabric-machines': ['Machine'],
    });
  });

  test('no credential is written: no Secret, nothing the claims\' secret scan refuses, the Proxmox Secret only referenced', () => {
    const objects = [...tree.objectsIn('cluster/'), ...flux];
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(objects.flatMap((object) => findCredentials(object, `${object.kind} ${object.metadata.name}`))).toEqual([]);
    const providerConfig = objects.find((o) => /ProviderConfig$/.test(o.kind))!;
    expect(JSON.stringify(providerConfig.spec)).toContain('"name":"proxmox-terraform-creds"');
    expect(flux.find((o) => o.kind === 'GitRepository')!.spec.secretRef).toBeUndefined();
  });
});

describe('the engine setting', () => {
  test('is argocd unless set, and the objects of dist/cluster/ are the same for both engines', () => {
    const argo = synthTopology(Topology.NAMESPACED);
    const flux = synthTopology(Topology.NAMESPACED, FLUX);
    expect(argo.objectsIn('flux/')).toEqual([]);
    expect(argo.objectsIn('argocd/').map((o) => o.kind).sort()).toEqual(['Application', 'ConfigMap']);
    expect(flux.objectsIn('cluster/')).toEqual(argo.objectsIn('cluster/'));
  });

  test('refuses an engine it does not know, naming the setting', () => {
    expect(() => resolveSettings({ gitops: { repoURL: TEST_REPO_URL, engine: 'fluxcd' as never } }))
      .toThrow('package.json: fabric.gitops.engine must be one of argocd, flux, got "fluxcd"');
  });

  test('refuses a repository URL with a password in it, which would be written to dist/', () => {
    expect(() => resolveSettings({ gitops: { repoURL: 'https://fleet:hunter2@git.example.org/fleet.git', engine: 'flux' as never } }))
      .toThrow('package.json: fabric.gitops.repoURL holds a password in a URL, which synth would write to dist/; give the engine a Secret instead (Flux: fabric.gitops.secretName; Argo CD: a repository credential)');
  });

  test('a private repository\'s Secret is named, not written', () => {
    const tree = synthTopology(Topology.NAMESPACED, { gitops: { engine: 'flux', secretName: 'fleet-git-auth' } });
    const source = tree.objectsIn('flux/').find((o) => o.kind === 'GitRepository')!;
    expect(source.spec.secretRef).toEqual({ name: 'fleet-git-auth' });
    expect(tree.objectsIn('').filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  test('a Machine that asks Argo CD not to prune it is not pruned by Flux either', () => {
    const keep = { ...minimalMachine('keep'), metadata: { name: 'keep', namespace: 'infra-machines', annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false' } } };
    const tree = synthTopology(Topology.NAMESPACED, FLUX, { 'keep.yaml': keep });
    const machine = tree.objectsIn('cluster/machines/')[0];
    expect(machine.metadata.annotations['kustomize.toolkit.fluxcd.io/prune']).toBe('disabled');
  });

  test('switching engines shows the Argo CD objects leaving and the Flux objects arriving, Machines untouched', () => {
    const projectDir = tempProject({ 'vm.yaml': minimalMachine('dns01') });
    const outDir = path.join(projectDir, 'dist');
    synthesize({ projectDir, outDir });
    const manifest = JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8'));
    manifest.fabric.gitops.engine = 'flux';
    fs.writeFileSync(path.join(projectDir, 'package.json'), JSON.stringify(manifest));
    const { plan } = synthesize({ projectDir, outDir });
    expect(plan.changes).toEqual([]);
    expect([...plan.objects!].map((change) => `${change.kind} ${change.object}`).sort()).toEqual([
      `${ChangeKind.REMOVE} Application argocd/fabric`,
      `${ChangeKind.REMOVE} ConfigMap argocd/argocd-cm`,
      `${ChangeKind.ADD} GitRepository flux-system/fabric`,
      ...STAGES.map((name) => `${ChangeKind.ADD} Kustomization flux-system/${name}`),
    ].sort());
    expect(fs.readdirSync(outDir).sort()).toEqual(['cluster', 'flux', 'hosts', 'inventory', 'package']);
  });
});

describe('the Flux constructs for a library user', () => {
  const objectsOfChart = (build: (chart: Chart) => void) => {
    const chart = Testing.chart();
    build(chart);
    return Testing.synth(chart) as Array<Record<string, any>>;
  };

  test('FluxGitRepository fetches a branch, a full reference or a commit', () => {
    const refOf = (targetRevision: string) => objectsOfChart((chart) => new FluxGitRepository(chart, 'Source', { repoURL: TEST_REPO_URL, targetRevision }))[0].spec.ref;
    expect(refOf('release')).toEqual({ branch: 'release' });
    expect(refOf('refs/tags/v1.2.0')).toEqual({ name: 'refs/tags/v1.2.0' });
    expect(refOf('0123456789abcdef0123456789abcdef01234567')).toEqual({ commit: '0123456789abcdef0123456789abcdef01234567' });
  });

  test('FluxGitRepository requires the repository', () => {
    expect(() => new FluxGitRepository(new Chart(new App(), 'c'), 'Source', { repoURL: '' }))
      .toThrow('FluxGitRepository: repoURL is required (the repository Flux fetches)');
  });

  test('FluxKustomizations follows another folder, name prefix and namespace', () => {
    const objects = objectsOfChart((chart) => new FluxKustomizations(chart, 'Sync', { path: './deploy/fleet/', namePrefix: 'lab', namespace: 'gitops', sourceName: 'lab-repo' }));
    expect(objects.map((k) => [k.metadata.namespace, k.metadata.name, k.spec.path, k.spec.sourceRef.name, k.spec.dependsOn?.[0]?.name])).toEqual([
      ['gitops', 'lab-packages', './deploy/fleet/platform/packages', 'lab-repo', undefined],
      ['gitops', 'lab-provider-config', './deploy/fleet/platform/provider-config', 'lab-repo', 'lab-packages'],
      ['gitops', 'lab-definition', './deploy/fleet/platform/definition', 'lab-repo', 'lab-provider-config'],
      ['gitops', 'lab-composition', './deploy/fleet/platform/composition', 'lab-repo', 'lab-definition'],
      ['gitops', 'lab-machines', './deploy/fleet/machines', 'lab-repo', 'lab-composition'],
    ]);
    const schemas = loadCrdSchemas();
    expect(objects.map((object) => crdProblems(object, schemas))).toEqual(objects.map(() => []));
  });

});
