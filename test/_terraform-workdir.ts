/**
 * A rendered Workspace laid out as provider-terraform lays it out before running Terraform, then validated and
 * planned by the real Terraform with the real bpg/proxmox provider.
 *
 * provider-terraform (internal/controller/namespaced/workspace/workspace.go, Connect and options) writes an
 * inline JSON module as main.tf.json, each credential of the provider config as a file named after its
 * `filename` beside it, and passes the varmap as a JSON var file. Its provider config's `configuration`
 * (the kubernetes state backend) is left out here: there is no cluster, so state stays local.
 */
import { execFile, spawn } from 'child_process';
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

/** bpg/proxmox serving in its debug mode, for Terraform to attach to instead of starting it. */
export interface AttachedProvider {
  /** TF_REATTACH_PROVIDERS, naming the provider as Terraform and as OpenTofu spell its address. */
  readonly reattach: string;
  stop(): Promise<void>;
}

/**
 * Starts the bpg/proxmox binary once with `-debug` (its main.go serves with tf6server.WithManagedDebug and
 * prints the TF_REATTACH_PROVIDERS value). Terraform attaches to a provider named there instead of starting
 * one (main.go parseReattachProviders; meta_providers.go unmanagedProviderFactory), as HashiCorp's provider
 * acceptance tests run it (terraform-plugin-testing helper/resource/plugin.go runProviderCommand). A plan
 * otherwise starts the 40 MB provider three times and `show -json` once more, most of a plan's CPU.
 * Terraform never stops an attached provider: `stop` does. One Terraform run at a time per provider, as
 * each run configures it.
 */
export async function attachProvider(providerBinary: string): Promise<AttachedProvider> {
  // Unmanaged, the provider's SDK logs every RPC at trace level to stderr (0.8 MB and a fifth of its CPU for
  // one plan of every Workspace); terraform-plugin-log's TF_LOG_SDK* and TF_LOG_PROVIDER turn that off.
  const quiet = Object.fromEntries(['TF_LOG_SDK', 'TF_LOG_SDK_PROTO', 'TF_LOG_SDK_FRAMEWORK', 'TF_LOG_SDK_MUX', 'TF_LOG_PROVIDER'].map((name) => [name, 'off']));
  // Its socket's folder (go-plugin's plugin<N> in TMPDIR) outlives the stop: it goes in this test file's
  // temporary folder, which is removed with it (_temporary-root.ts).
  const child = spawn(providerBinary, ['-debug'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...quiet, TMPDIR: os.tmpdir() } });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr = (stderr + chunk).slice(-65_536); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const config = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error(`${providerBinary} -debug printed no TF_REATTACH_PROVIDERS within 30 s: ${stderr}`)); }, 30_000);
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const line = /TF_REATTACH_PROVIDERS='(\{.*\})'/.exec(stdout);
      if (line) { clearTimeout(timer); stdout = ''; resolve(JSON.parse(line[1])); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${providerBinary} -debug exited with ${code}: ${stderr}`)); });
  });
  const [served] = Object.values(config);
  // `bpg/proxmox` means registry.terraform.io to Terraform and registry.opentofu.org to OpenTofu.
  const reattach = JSON.stringify(Object.fromEntries(['registry.terraform.io', 'registry.opentofu.org'].map((host) => [`${host}/bpg/proxmox`, served])));
  return { reattach, stop: async () => { child.kill(); await exited; } };
}

/** Writes a Workspace's working directory (in `dir` when given): main.tf.json, the varmap, one file per credential. */
export function workspaceDir(workspace: Record<string, any>, providerConfig: Record<string, any>, dir?: string): string {
  if (dir) fs.mkdirSync(dir, { recursive: true });
  else dir = fs.mkdtempSync(path.join(os.tmpdir(), `fabric-tf-${workspace.metadata.name}-`));
  fs.writeFileSync(path.join(dir, 'main.tf.json'), workspace.spec.forProvider.module);
  fs.writeFileSync(path.join(dir, 'varmap.tfvars.json'), JSON.stringify(workspace.spec.forProvider.varmap ?? {}));
  for (const credential of providerConfig.spec.credentials) {
    const value = DUMMY_CREDENTIALS[credential.secretRef.key] ?? '';
    fs.writeFileSync(path.join(dir, path.basename(credential.filename)), value);
  }
  return dir;
}

export interface PlannedWorkspace {
  /** The diagnostics `terraform plan -json` reported: warnings and errors, as `<severity>: <summary>: <detail>`. */
  readonly diagnostics: string[];
  /** `terraform show -json` of the saved plan. */
  readonly plan: Record<string, any>;
}

/**
 * `terraform plan -out`, then `terraform show -json`; throws with Terraform's words. No separate
 * `terraform validate`: a plan runs the same validation first (v1.11 backend/local/backend_local.go calls
 * Core.Validate(config, nil) exactly as command/validate.go does; terraform/context_validate.go: "the Plan
 * function includes all of the same checks as Validate"), and its diagnostics are returned.
 */
export async function planWorkspace(terraform: string, provider: AttachedProvider, dir: string): Promise<PlannedWorkspace> {
  return planIn(terraform, provider, dir, []);
}

async function planIn(terraform: string, provider: AttachedProvider, dir: string, before: string[][]): Promise<PlannedWorkspace> {
  const env = { ...process.env, TF_REATTACH_PROVIDERS: provider.reattach, TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  const tf = async (...args: string[]) => {
    try {
      return (await run(terraform, args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 })).stdout;
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string };
      throw new Error(`terraform ${args[0]} in ${dir} failed:\n${failed.stderr ?? ''}${failed.stdout ?? ''}`);
    }
  };
  for (const args of before) await tf(...args);
  const messages = (await tf('plan', '-json', '-input=false', '-lock=false', '-var-file=varmap.tfvars.json', '-out=plan.bin'))
    .split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const diagnostics = messages.filter((message) => message.type === 'diagnostic')
    .map(({ diagnostic }) => `${diagnostic.severity}: ${diagnostic.summary}: ${diagnostic.detail}`);
  return { diagnostics, plan: JSON.parse(await tf('show', '-json', 'plan.bin')) };
}

/**
 * Writes in `root` a root module that calls each child folder `root/<name>` as a module. A child's values
 * still reach Terraform as a JSON var file (varmap.tfvars.json): per child and value, the root declares a
 * variable of the type the child declares and the module call passes it on (a template of one interpolation
 * passes the value itself, website/docs/language/syntax/json.mdx), so each value is converted exactly as when
 * the child is the root. A module called without count, for_each or depends_on may hold provider blocks
 * (website/docs/language/modules/develop/providers.mdx, "Legacy Shared Modules with Provider Configurations").
 * Each of a child's `outputs` is a root output named `<child>_<output>`.
 */
export function writeRootOfChildren(root: string, children: ReadonlyArray<{ name: string; module: Record<string, any>; values: Record<string, unknown>; outputs?: readonly string[] }>): void {
  const variable: Record<string, unknown> = {};
  const module: Record<string, Record<string, unknown>> = {};
  const values: Record<string, unknown> = {};
  const output: Record<string, { value: string }> = {};
  for (const child of children) {
    for (const name of child.outputs ?? []) output[`${child.name}_${name}`] = { value: `\${module.${child.name}.${name}}` };
    module[child.name] = { source: `./${child.name}` };
    for (const [name, value] of Object.entries(child.values)) {
      variable[`${child.name}_${name}`] = { type: child.module.variable?.[name]?.type ?? 'any' };
      values[`${child.name}_${name}`] = value;
      module[child.name][name] = `\${var.${child.name}_${name}}`;
    }
  }
  fs.writeFileSync(path.join(root, 'main.tf.json'), JSON.stringify({ variable, module, ...(Object.keys(output).length > 0 ? { output } : {}) }));
  fs.writeFileSync(path.join(root, 'varmap.tfvars.json'), JSON.stringify(values));
}

/**
 * Several Workspaces planned by one Terraform run (a run per Workspace costs 0.7 s of CPU): each Workspace's
 * folder, laid out as by workspaceDir, is a child module given its varmap (writeRootOfChildren). Each
 * Workspace's plan is its module's resource changes; the diagnostics are the run's.
 */
export async function planTogether(terraform: string, provider: AttachedProvider,
  workspaces: ReadonlyArray<{ workspace: Record<string, any>; providerConfig: Record<string, any> }>): Promise<PlannedWorkspace[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-tf-together-'));
  writeRootOfChildren(root, workspaces.map(({ workspace, providerConfig }, index) => {
    workspaceDir(workspace, providerConfig, path.join(root, `w${index}`));
    return { name: `w${index}`, module: JSON.parse(workspace.spec.forProvider.module), values: workspace.spec.forProvider.varmap ?? {} };
  }));
  // `terraform get` records the child modules; the attached provider needs no `terraform init`.
  const { diagnostics, plan } = await planIn(terraform, provider, root, [['get', '-no-color']]);
  return workspaces.map((_, index) => ({
    diagnostics,
    plan: { resource_changes: plan.resource_changes.filter((change: any) => change.module_address === `module.w${index}`) },
  }));
}

/** The planned values of the one resource of a type. */
export function plannedResource(plan: Record<string, any>, type: string): Record<string, any> {
  const changes = plan.resource_changes.filter((change: any) => change.type === type);
  if (changes.length !== 1) throw new Error(`expected one ${type} in the plan, found ${changes.length}`);
  return changes[0].change.after;
}
