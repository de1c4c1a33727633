/**
 * The Crossplane platform under the Machines, as constructs for a user's own chart: `MachineApi` (the XRD
 * and its Composition) and `Platform` (the provider and function packages, the provider config and the
 * Machine API), with today's defaults. The repository's own platform chart builds the same pieces.
 */
import { Construct } from 'constructs';
import { MachineComposition } from './machine-composition';
import { CrossplanePackages } from './crossplane-packages';
import { MachineDefinition } from './machine-definition';
import { ProviderRuntimeSettings } from '../platform/provider-runtime';
import { ProxmoxProviderConfig } from './provider-config';
import { BootstrapChannel, DEFAULTS, SecretReference, Topology } from '../synth/settings';

export interface MachineApiProps {
  /** @default Topology.NAMESPACED */
  readonly topology?: Topology;
  /** @default BootstrapChannel.SMBIOS */
  readonly bootstrap?: BootstrapChannel;
  /** Proxmox storage the snippet channel uploads user-data to (unused by SMBIOS). @default 'local' */
  readonly snippetDatastore?: string;
  /** Accept the Proxmox API's self-signed certificate. @default false */
  readonly insecureSkipTlsVerify?: boolean;
}

/** The Machine API: the CompositeResourceDefinition and the Pipeline Composition that turns a Machine into a Workspace. */
export class MachineApi extends Construct {
  public readonly topology: Topology;
  public readonly bootstrap: BootstrapChannel;
  public readonly definition: MachineDefinition;
  public readonly composition: MachineComposition;

  constructor(scope: Construct, id: string, props: MachineApiProps = {}) {
    super(scope, id);
    this.topology = props.topology ?? Topology.NAMESPACED;
    this.bootstrap = props.bootstrap ?? BootstrapChannel.SMBIOS;
    this.definition = new MachineDefinition(this, 'Definition', { topology: this.topology });
    this.composition = new MachineComposition(this, 'Composition', {
      topology: this.topology,
      bootstrap: this.bootstrap,
      snippetDatastore: props.snippetDatastore ?? DEFAULTS.snippetDatastore,
      insecureSkipTlsVerify: props.insecureSkipTlsVerify ?? false,
    });
  }
}

export interface PlatformProps extends MachineApiProps {
  /**
   * The Secret holding the Proxmox api_url, token_id and token_secret; referenced, never read.
   * @default - proxmox-terraform-creds in crossplane-system
   */
  readonly credentialsSecret?: SecretReference;
  /** provider-terraform's concurrency, poll interval and pod size. @default PROVIDER_RUNTIME_DEFAULTS */
  readonly providerRuntime?: ProviderRuntimeSettings;
}

/** Everything a cluster with Crossplane v2 needs to run Machines. */
export class Platform extends Construct {
  public readonly packages: CrossplanePackages;
  public readonly providerConfig: ProxmoxProviderConfig;
  public readonly machineApi: MachineApi;

  constructor(scope: Construct, id: string, props: PlatformProps = {}) {
    super(scope, id);
    this.packages = new CrossplanePackages(this, 'Packages', { providerRuntime: props.providerRuntime });
    this.machineApi = new MachineApi(this, 'MachineApi', props);
    this.providerConfig = new ProxmoxProviderConfig(this, 'ProviderConfig', {
      credentialsSecret: props.credentialsSecret ?? DEFAULTS.credentialsSecret,
      topology: this.machineApi.topology,
      bootstrap: this.machineApi.bootstrap,
    });
  }
}
