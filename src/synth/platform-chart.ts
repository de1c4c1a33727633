/**
 * The platform under the Machines: Crossplane packages, the provider config, the Machine API (XRD and
 * Composition) and the namespaces Machines live in.
 */
import { ApiObject, Chart } from 'cdk8s';
import type { KubeNamespaceProps } from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { Platform } from '../constructs/platform';
import { DEFAULT_MACHINE_NAMESPACE } from '../api/machine-claim';
import { FabricSettings } from './settings';

export interface PlatformChartProps {
  readonly settings: FabricSettings;
  /** Namespaces that hold Machines; the default one always exists. */
  readonly machineNamespaces: readonly string[];
}

export class PlatformChart extends Chart {
  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id);
    const { topology, bootstrap, snippetDatastore, insecureSkipTlsVerify, credentialsSecret, provider } = props.settings;
    new Platform(this, 'Platform', { topology, bootstrap, snippetDatastore, insecureSkipTlsVerify, credentialsSecret, providerRuntime: provider });
    const namespaces = new Set([DEFAULT_MACHINE_NAMESPACE, ...props.machineNamespaces]);
    for (const name of [...namespaces].sort()) {
      // A plain ApiObject: loading cdk8s-plus for one core kind cost synth about 0.12 s at every start.
      const namespace: KubeNamespaceProps = { metadata: { name } };
      new ApiObject(this, `Namespace.${name}`, { apiVersion: 'v1', kind: 'Namespace', ...namespace });
    }
  }
}
