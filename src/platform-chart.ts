/**
 * The platform under the Machines: Crossplane packages, the provider config, the Machine API (XRD and
 * Composition) and the namespaces Machines live in.
 */
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MachineComposition } from './composition';
import { CrossplanePackages } from './crossplane-packages';
import { DEFAULT_MACHINE_NAMESPACE } from './machine';
import { MachineDefinition } from './machine-xrd';
import { ProxmoxProviderConfig } from './provider-config';
import { FabricSettings } from './settings';

export interface PlatformChartProps {
  readonly settings: FabricSettings;
  /** Namespaces that hold Machines; the default one always exists. */
  readonly machineNamespaces: readonly string[];
}

export class PlatformChart extends Chart {
  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id);
    new CrossplanePackages(this, 'Packages', { providerRuntime: props.settings.provider });
    const topology = props.settings.topology;
    const { bootstrap, snippetDatastore } = props.settings;
    new ProxmoxProviderConfig(this, 'ProviderConfig', { credentialsSecret: props.settings.credentialsSecret, topology, bootstrap });
    new MachineDefinition(this, 'MachineDefinition', { topology });
    new MachineComposition(this, 'MachineComposition', {
      insecureSkipTlsVerify: props.settings.insecureSkipTlsVerify,
      topology,
      bootstrap,
      snippetDatastore,
    });
    const namespaces = new Set([DEFAULT_MACHINE_NAMESPACE, ...props.machineNamespaces]);
    for (const name of [...namespaces].sort()) {
      new kplus.Namespace(this, `Namespace.${name}`, { metadata: { name } });
    }
  }
}
