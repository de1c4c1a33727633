/**
 * What the provider config of every Workspace holds besides the credentials: its conventional name and the
 * Terraform state backend. State lives in the cluster, one Secret per Machine, isolated by the Workspace's
 * external name (composition-patches.ts), so one cluster-wide config serves every namespace and both
 * topologies keep a Machine's state in the same place.
 *
 * @see https://developer.hashicorp.com/terraform/language/settings/backends/kubernetes
 */

/** The provider config's name unless given. */
export const PROVIDER_CONFIG_NAME = 'fabric-proxmox';

/** Kubernetes backend settings: one state Secret per Machine, `tfstate-<workspace>-fabric`. */
export const STATE_BACKEND = { secret_suffix: 'fabric', namespace: 'crossplane-system', in_cluster_config: true } as const;

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
