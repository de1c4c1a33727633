/**
 * Builds the charts of one synth. Each chart is a folder of dist/cluster/, annotated for ArgoCD; the ArgoCD
 * chart (the Application that syncs them) is written beside it, to dist/argocd/.
 */
import { App, Chart } from 'cdk8s';
import { LoadedMachine } from './claims';
import { Machine } from '../constructs/machine';
import { ArgoCdChart } from '../gitops/argocd-chart';
import { applySyncPolicies } from '../gitops/sync-policy';
import { PlatformChart } from './platform-chart';
import { FabricSettings } from './settings';

/** The charts of one App, in the order they are rendered. */
export function buildCharts(machines: readonly LoadedMachine[], settings: FabricSettings): Chart[] {
  const app = new App();
  const platform = new PlatformChart(app, 'platform', { settings, machineNamespaces: machines.map((m) => m.namespace) });
  applySyncPolicies(platform);
  // The same construct a user's own app uses; its id is the contract `namespace.name`, its name the claim's.
  const machinesChart = new Chart(app, 'machines');
  for (const machine of machines) {
    new Machine(machinesChart, machine.id.replace('/', '.'), {
      metadata: { ...machine.metadata, name: machine.name, namespace: machine.namespace },
      spec: machine.spec,
      source: machine.file,
      topology: settings.topology,
    });
  }
  return [platform, machinesChart, new ArgoCdChart(app, 'argocd', { gitops: settings.gitops })];
}
