/**
 * The ClusterProviderConfig every Workspace uses: Proxmox credentials by reference to the original
 * project's Secret (written as files beside the module, see proxmox-credentials.ts) and the Terraform
 * kubernetes state backend. State is isolated per Machine by the Workspace's external name
 * (composition-patches.ts), so one cluster-wide config serves every namespace.
 *
 * @see https://github.com/upbound/provider-terraform/blob/main/docs/monolith/Configuration.md
 * @see https://developer.hashicorp.com/terraform/language/settings/backends/kubernetes
 */
import { Construct } from 'constructs';
import { ClusterProviderConfig, ClusterProviderConfigSpecCredentialsSource } from '../imports/tf.m.upbound.io';
import { CREDENTIAL_FILES, CredentialKey } from './proxmox-credentials';
import { SecretReference } from './settings';

export const PROVIDER_CONFIG_NAME = 'fabric-proxmox';

/** Kubernetes backend settings: one state Secret per Machine, `tfstate-<workspace>-fabric`. */
export const STATE_BACKEND = { secret_suffix: 'fabric', namespace: 'crossplane-system', in_cluster_config: true } as const;

export interface ProxmoxProviderConfigProps {
  readonly credentialsSecret: SecretReference;
}

export class ProxmoxProviderConfig extends Construct {
  constructor(scope: Construct, id: string, props: ProxmoxProviderConfigProps) {
    super(scope, id);
    new ClusterProviderConfig(this, 'Resource', {
      metadata: { name: PROVIDER_CONFIG_NAME },
      spec: {
        configuration: renderBackend('kubernetes', STATE_BACKEND),
        credentials: (Object.keys(CREDENTIAL_FILES) as CredentialKey[]).map((key) => ({
          filename: CREDENTIAL_FILES[key],
          source: ClusterProviderConfigSpecCredentialsSource.SECRET,
          secretRef: { namespace: props.credentialsSecret.namespace, name: props.credentialsSecret.name, key },
        })),
      },
    });
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
