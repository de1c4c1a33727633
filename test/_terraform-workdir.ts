/**
 * A rendered Workspace laid out as provider-terraform lays it out before running Terraform, then validated and
 * planned by the real Terraform with the real bpg/proxmox provider.
 *
 * provider-terraform (internal/controller/namespaced/workspace/workspace.go, Connect and options) writes an
 * inline JSON module as main.tf.json, each credential of the provider config as a file named after its
 * `filename` beside it, and passes the varmap as a JSON var file. Its provider config's `configuration`
 * (the kubernetes state backend) is left out here: there is no cluster, so state stays local.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

const run = promisify(execFile);

/** Values for the Secret's keys: an API token and an SSH login, for an endpoint where no Proxmox listens. */
export const DUMMY_CREDENTIALS: Readonly<Record<string, string>> = {
  api_url: 'https://127.0.0.1:8006/api2/json',
  token_id: 'fabric@pve!ci',
  token_secret: '00000000-0000-4000-8000-000000000000',
  // The snippet channel's SSH login; the key is left out, as a Secret without it gives an empty file.
  ssh_username: 'root',
  ssh_password: 'not-a-password',
};

/**
 * A Terraform CLI config whose dev_overrides serve bpg/proxmox from the built binary, so no registry is asked.
 * Terraform looks for `terraform-provider-proxmox` in the folder it names. `bpg/proxmox` means
 * registry.terraform.io to Terraform and registry.opentofu.org to OpenTofu, so both are overridden.
 */
export function devOverridesConfig(providerBinary: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-tf-plugins-'));
  fs.symlinkSync(providerBinary, path.join(dir, 'terraform-provider-proxmox'));
  const config = path.join(dir, 'terraform.tfrc');
  const overrides = ['registry.terraform.io', 'registry.opentofu.org'].map((host) => `    "${host}/bpg/proxmox" = ${JSON.stringify(dir)}\n`).join('');
  fs.writeFileSync(config, `provider_installation {\n  dev_overrides {\n${overrides}  }\n  direct {}\n}\n`);
  return config;
}

/** Writes a Workspace's working directory: main.tf.json, the varmap, one file per credential. */
export function workspaceDir(workspace: Record<string, any>, providerConfig: Record<string, any>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fabric-tf-${workspace.metadata.name}-`));
  fs.writeFileSync(path.join(dir, 'main.tf.json'), workspace.spec.forProvider.module);
  fs.writeFileSync(path.join(dir, 'varmap.tfvars.json'), JSON.stringify(workspace.spec.forProvider.varmap ?? {}));
  for (const credential of providerConfig.spec.credentials) {
    const value = DUMMY_CREDENTIALS[credential.secretRef.key] ?? '';
    fs.writeFileSync(path.join(dir, path.basename(credential.filename)), value);
  }
  return dir;
}

export interface PlannedWorkspace {
  readonly validate: string;
  /** `terraform show -json` of the saved plan. */
  readonly plan: Record<string, any>;
}

/** `terraform validate`, then `terraform plan -out` and `terraform show -json`; throws with Terraform's words. */
export async function validateAndPlan(terraform: string, cliConfig: string, dir: string): Promise<PlannedWorkspace> {
  const env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  const tf = async (...args: string[]) => {
    try {
      return (await run(terraform, args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 })).stdout;
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string };
      throw new Error(`terraform ${args[0]} in ${dir} failed:\n${failed.stderr ?? ''}${failed.stdout ?? ''}`);
    }
  };
  const validate = await tf('validate', '-no-color');
  await tf('plan', '-no-color', '-input=false', '-lock=false', '-var-file=varmap.tfvars.json', '-out=plan.bin');
  return { validate, plan: JSON.parse(await tf('show', '-json', 'plan.bin')) };
}

/** The planned values of the one resource of a type. */
export function plannedResource(plan: Record<string, any>, type: string): Record<string, any> {
  const changes = plan.resource_changes.filter((change: any) => change.type === type);
  if (changes.length !== 1) throw new Error(`expected one ${type} in the plan, found ${changes.length}`);
  return changes[0].change.after;
}
