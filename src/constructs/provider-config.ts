/**
 * The provider config every Workspace uses: Proxmox credentials by reference to the original project's
 * Secret (written as files beside the module, see src/platform/proxmox-credentials.ts) and the Terraform
 * kubernetes state backend (src/platform/provider-config.ts). Namespaced topology: a tf.m.upbound.io
 * ClusterProviderConfig; legacy: a cluster-scoped tf.upbound.io ProviderConfig.
 *
 * @see https://github.com/upbound/provider-terraform/blob/main/docs/monolith/Configuration.md
 * @see https://developer.hashicorp.com/terraform/language/settings/backends/kubernetes
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as tf from '../../imports/tf.upbound.io';
import * as tfm from '../../imports/tf.m.upbound.io';
import { PROVIDER_CONFIG_NAME, renderBackend, STATE_BACKEND } from '../platform/provider-config';
import { credentialFiles, SecretReference } from '../platform/proxmox-credentials';
import { Topology } from '../api/topology';
import { BootstrapChannel } from '../nixos/bootstrap-channel';

export interface ProxmoxProviderConfigProps {
  readonly credentialsSecret: SecretReference;
  /** @default Topology.NAMESPACED */
  readonly topology?: Topology;
  /**
   * The snippet channel adds the Secret's optional SSH keys (src/platform/proxmox-credentials.ts).
   * @default BootstrapChannel.SMBIOS
   */
  readonly bootstrap?: BootstrapChannel;
  /** @default 'fabric-proxmox' */
  readonly name?: string;
}

export class ProxmoxProviderConfig extends Construct {
  /** The name Workspaces refer to it by. */
  public readonly name: string;
  /** The ClusterProviderConfig (namespaced topology) or ProviderConfig (legacy). */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ProxmoxProviderConfigProps) {
    super(scope, id);
    this.name = props.name ?? PROVIDER_CONFIG_NAME;
    const metadata = { name: this.name };
    // No plugin cache: with it, provider-terraform v1.0.0 takes one process-wide RWMutex, exclusively for every
    // `terraform init` and shared for apply, destroy, output and state list (internal/terraform/terraform.go:
    // 177-182, 202-205, 271, 308, 426, 478, 609, 654). Go's RWMutex makes new readers wait once a writer
    // waits (sync/rwmutex.go), so one new Machine's init behind a 20-minute clone stops every other reconcile.
    // Without it no lock is taken; each Workspace downloads the provider into its own .terraform/.
    const common = { configuration: renderBackend('kubernetes', STATE_BACKEND), pluginCache: false };
    // The two CRDs share the credentials shape; their generated enums are two copies of `Secret`.
    const credentials = <S>(source: S) => Object.entries(credentialFiles(props.bootstrap)).map(([key, filename]) => ({
      filename,
      source,
      secretRef: { namespace: props.credentialsSecret.namespace, name: props.credentialsSecret.name, key },
    }));
    if (props.topology === Topology.LEGACY) {
      this.apiObject = new tf.ProviderConfig(this, 'Resource', { metadata, spec: { ...common, credentials: credentials(tf.ProviderConfigSpecCredentialsSource.SECRET) } });
    } else {
      this.apiObject = new tfm.ClusterProviderConfig(this, 'Resource', {
        metadata,
        spec: { ...common, credentials: credentials(tfm.ClusterProviderConfigSpecCredentialsSource.SECRET) },
      });
    }
  }
}
