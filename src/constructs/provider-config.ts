/**
 * The provider config every Workspace uses: Proxmox credentials by reference to the original project's
 * Secret (written as files beside the module, see proxmox-credentials.ts) and the Terraform kubernetes
 * state backend. State is isolated per Machine by the Workspace's external name (composition-patches.ts),
 * so one cluster-wide config serves every namespace. Namespaced topology: a tf.m.upbound.io
 * ClusterProviderConfig; legacy: a cluster-scoped tf.upbound.io ProviderConfig. Both use the same backend,
 * so a Machine's Terraform state is the same in either topology.
 *
 * @see https://github.com/upbound/provider-terraform/blob/main/docs/monolith/Configuration.md
 * @see https://developer.hashicorp.com/terraform/language/settings/backends/kubernetes
 */
import { Construct } from 'constructs';
import * as tf from '../../imports/tf.upbound.io';
import * as tfm from '../../imports/tf.m.upbound.io';
import { credentialFiles } from '../platform/proxmox-credentials';
import { BootstrapChannel, SecretReference, Topology } from '../synth/settings';

export const PROVIDER_CONFIG_NAME = 'fabric-proxmox';

/** Kubernetes backend settings: one state Secret per Machine, `tfstate-<workspace>-fabric`. */
export const STATE_BACKEND = { secret_suffix: 'fabric', namespace: 'crossplane-system', in_cluster_config: true } as const;

export interface ProxmoxProviderConfigProps {
  readonly credentialsSecret: SecretReference;
  /** @default Topology.NAMESPACED */
  readonly topology?: Topology;
  /**
   * The snippet channel adds the Secret's optional SSH keys (see proxmox-credentials.ts).
   * @default BootstrapChannel.SMBIOS
   */
  readonly bootstrap?: BootstrapChannel;
}

export class ProxmoxProviderConfig extends Construct {
  constructor(scope: Construct, id: string, props: ProxmoxProviderConfigProps) {
    super(scope, id);
    const metadata = { name: PROVIDER_CONFIG_NAME };
    // pluginCache: the CRD's default, written so the live object never differs from git.
    const common = { configuration: renderBackend('kubernetes', STATE_BACKEND), pluginCache: true };
    // The two CRDs share the credentials shape; their generated enums are two copies of `Secret`.
    const credentials = <S>(source: S) => Object.entries(credentialFiles(props.bootstrap)).map(([key, filename]) => ({
      filename,
      source,
      secretRef: { namespace: props.credentialsSecret.namespace, name: props.credentialsSecret.name, key },
    }));
    if (props.topology === Topology.LEGACY) {
      new tf.ProviderConfig(this, 'Resource', { metadata, spec: { ...common, credentials: credentials(tf.ProviderConfigSpecCredentialsSource.SECRET) } });
    } else {
      new tfm.ClusterProviderConfig(this, 'Resource', {
        metadata,
        spec: { ...common, credentials: credentials(tfm.ClusterProviderConfigSpecCredentialsSource.SECRET) },
      });
    }
  }
}

/**
 * provider-terraform takes the backend as HCL text; this renders one `terraform { backend }` block from
 * typed values. Strings are JSON-quoted (valid HCL literals) with template sequences escaped.
 */
export function renderBackend(type: string, settings: Record<string, string | boolean>): string {
  const lines = Object.entries(settings).map(([key, value]) => {
    const literal = typeof value === 'string' ? JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{') : String(value);
    return `    ${key} = ${literal}`;
  });
  return [`terraform {`, `  backend ${JSON.stringify(type)} {`, ...lines, '  }', '}', ''].join('\n');
}
