/**
 * The app `npm run synth` builds: a thin loop over the constructs a user's own app would use. One chart per
 * folder of dist/cluster/ (the Platform, then a Machine per claim) and one for what is applied by hand:
 * dist/argocd/ (the Argo CD Application and its settings) or, with `fabric.gitops.engine` flux, dist/flux/
 * (the GitRepository and the Kustomizations).
 */
import { App, Chart } from 'cdk8s';
import { DEFAULT_MACHINE_NAMESPACE, MachineMetadata } from '../api/machine-claim';
import { MachineSpec } from '../../imports/fabric.kubelize.io';
import { APPLICATION_NAME, ARGOCD_NAMESPACE } from '../gitops/argocd';
import { ArgoCdApplication, ArgoCdSettings } from '../constructs/argocd';
import { FluxGitRepository, FluxKustomizations } from '../constructs/flux';
import { FLUX_NAMESPACE, FLUX_SOURCE_NAME } from '../gitops/flux';
import { GitOpsEngine } from '../gitops/source';
import { Machine } from '../constructs/machine';
import { Platform } from '../constructs/platform';
import { RawClaim } from './claims';
import { FabricSettings } from './settings';

export interface FleetApp {
  readonly charts: readonly Chart[];
  readonly platform: Platform;
  /** Each claim's Machine, in claim order. */
  readonly machines: ReadonlyArray<{ readonly machine: Machine; readonly claim: RawClaim }>;
}

/** The app for these claims (each a Machine document) and settings. */
export function buildFleetApp(claims: readonly RawClaim[], settings: FabricSettings): FleetApp {
  const app = new App();
  const platformChart = new Chart(app, 'platform');
  const { topology, bootstrap, snippetDatastore, insecureSkipTlsVerify, credentialsSecret, provider } = settings;
  const platform = new Platform(platformChart, 'Platform', { topology, bootstrap, snippetDatastore, insecureSkipTlsVerify, credentialsSecret, providerRuntime: provider });
  // The default namespace exists whether or not a Machine is in it yet.
  platform.machineNamespace(DEFAULT_MACHINE_NAMESPACE);

  const machinesChart = new Chart(app, 'machines');
  const ids = new Set<string>();
  const machines = claims.map((claim) => {
    const { metadata, spec } = claim.document as { metadata: MachineMetadata; spec: MachineSpec };
    // The construct id is `namespace.name`; a second claim of the same Machine (a fleet problem) gets another.
    const base = `${metadata.namespace}.${metadata.name}`.replace(/\//g, '_');
    const id = ids.has(base) ? `${base}#${claim.file}:${claim.index}`.replace(/\//g, '_') : base;
    ids.add(id);
    return { machine: new Machine(machinesChart, id, { metadata, spec, platform, source: claim.file }), claim };
  });

  return { charts: [platformChart, machinesChart, gitOpsChart(app, settings)], platform, machines };
}

/** What the user applies once to hand dist/cluster/ to the chosen engine. */
function gitOpsChart(app: App, settings: FabricSettings): Chart {
  const { repoURL, targetRevision, path, engine, secretName } = settings.gitops;
  if (engine === GitOpsEngine.FLUX) {
    const flux = new Chart(app, 'flux');
    new FluxGitRepository(flux, 'GitRepository', { repoURL, targetRevision, path, secretName, name: FLUX_SOURCE_NAME, namespace: FLUX_NAMESPACE });
    new FluxKustomizations(flux, 'Kustomizations', { sourceName: FLUX_SOURCE_NAME, path, namespace: FLUX_NAMESPACE });
    return flux;
  }
  const argocd = new Chart(app, 'argocd');
  new ArgoCdApplication(argocd, 'Application', { repoURL, targetRevision, path, name: APPLICATION_NAME, namespace: ARGOCD_NAMESPACE });
  new ArgoCdSettings(argocd, 'Settings', { namespace: ARGOCD_NAMESPACE });
  return argocd;
}
