/**
 * The Machine API: the CompositeResourceDefinition users write Machines against, and the Pipeline
 * Composition that turns each Machine into a provider-terraform Workspace.
 */
import { Construct } from 'constructs';
import { MachineComposition } from './machine-composition';
import { MachineDefinition } from './machine-definition';
import type { ProxmoxProviderConfig } from './provider-config';
import { FABRIC_VERSION, FABRIC_VERSION_ANNOTATION } from '../api/fabric-version';
import { Topology } from '../api/topology';
import { applySyncPolicies } from '../gitops/sync-policy';
import { BootstrapChannel, DEFAULT_SNIPPET_DATASTORE } from '../nixos/bootstrap-channel';

export interface MachineApiProps {
  /** @default Topology.NAMESPACED */
  readonly topology?: Topology;
  /** @default BootstrapChannel.SMBIOS */
  readonly bootstrap?: BootstrapChannel;
  /** Proxmox storage the snippet channel uploads user-data to (unused by SMBIOS). @default 'local' */
  readonly snippetDatastore?: string;
  /** Accept the Proxmox API's self-signed certificate. @default false */
  readonly insecureSkipTlsVerify?: boolean;
  /**
   * The provider config the Workspaces use.
   * @default - the one named 'fabric-proxmox'
   */
  readonly providerConfig?: ProxmoxProviderConfig;
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
      snippetDatastore: props.snippetDatastore ?? DEFAULT_SNIPPET_DATASTORE,
      insecureSkipTlsVerify: props.insecureSkipTlsVerify ?? false,
      providerConfig: props.providerConfig,
    });
    for (const written of [this.definition.apiObject, this.composition.apiObject]) written.metadata.addAnnotation(FABRIC_VERSION_ANNOTATION, FABRIC_VERSION);
    applySyncPolicies(this);
  }
}
