/**
 * Wires the charts of one synth together. Each chart is a folder of dist/cluster/, annotated for ArgoCD;
 * the ArgoCD chart (the Application that syncs them) is written beside it, to dist/argocd/.
 */
import { App } from 'cdk8s';
import { LoadedMachine } from './claims';
import { ArgoCdChart } from './gitops/argocd-chart';
import { applySyncPolicies } from './gitops/sync-policy';
import { MachinesChart } from './machines-chart';
import { PlatformChart } from './platform-chart';
import { FabricSettings } from './settings';

export function buildApp(machines: readonly LoadedMachine[], settings: FabricSettings): App {
  const app = new App();
  const platform = new PlatformChart(app, 'platform', { settings, machineNamespaces: machines.map((m) => m.namespace) });
  const machinesChart = new MachinesChart(app, 'machines', { machines, topology: settings.topology });
  applySyncPolicies(platform);
  applySyncPolicies(machinesChart);
  new ArgoCdChart(app, 'argocd', { gitops: settings.gitops });
  return app;
}
