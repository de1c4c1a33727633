/**
 * Wires the charts of one synth together. Each chart is a folder of dist/cluster/, annotated for ArgoCD;
 * the ArgoCD chart (the Application that syncs them) is written beside it, to dist/argocd/.
 */
import { App, Chart } from 'cdk8s';
import { LoadedMachine } from './claims';
import { Machine } from './constructs/machine';
import { ArgoCdChart } from './gitops/argocd-chart';
import { applySyncPolicies } from './gitops/sync-policy';
import { PlatformChart } from './platform-chart';
import { FabricSettings } from './settings';

export function buildApp(machines: readonly LoadedMachine[], settings: FabricSettings): App {
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
  new ArgoCdChart(app, 'argocd', { gitops: settings.gitops });
  return app;
}
