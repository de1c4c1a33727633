/**
 * Wires the charts of one synth together. Each chart is a folder of dist/cluster/.
 */
import { App } from 'cdk8s';
import { LoadedMachine } from './claims';
import { MachinesChart } from './machines-chart';
import { PlatformChart } from './platform-chart';
import { FabricSettings } from './settings';

export function buildApp(machines: readonly LoadedMachine[], settings: FabricSettings): App {
  const app = new App();
  new PlatformChart(app, 'platform', { settings, machineNamespaces: machines.map((m) => m.namespace) });
  new MachinesChart(app, 'machines', { machines });
  return app;
}
