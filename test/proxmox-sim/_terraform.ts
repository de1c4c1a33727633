/**
 * A rendered Workspace's working directory pointed at a simulator, and the real Terraform run in it with the
 * real bpg/proxmox provider: the lifecycle scenarios' harness.
 *
 * The directory is laid out as provider-terraform lays it out (test/_terraform-workdir.ts workspaceDir), with
 * the Secret's values for the simulator. The provider binary built from its pinned Go module stands in for a
 * registry download through a CLI config `dev_overrides` (Terraform starts it, so it inherits the
 * environment), and it trusts the simulator's CA through SSL_CERT_FILE: Go's crypto/x509 on Linux reads its
 * roots from that file when it is set (Go 1.26 src/crypto/x509/root_unix.go:19 and :36-37), and bpg builds its
 * TLS config without a pool of its own (proxmox/api/client.go NewConnection), so the system pool is used.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import type { ProxmoxSim } from '../../src/proxmox-sim';
import { workspaceDir } from '../_terraform-workdir';

const run = promisify(execFile);

export interface SimWorkspace {
  readonly dir: string;
  /** `terraform <args>` in the directory; plan, apply and destroy get the varmap and no prompts. */
  terraform(...args: string[]): Promise<{ code: number; output: string }>;
  /** Takes another render of the Machine (a changed field): its module and varmap, as provider-terraform rewrites them. */
  update(workspace: Record<string, any>): void;
}

export interface SimWorkspaceOptions {
  /**
   * How Terraform and bpg trust the simulator's CA: variables replacing SSL_CERT_FILE (the default), e.g.
   * `{ SSL_CERT_DIR: ... }`; a variable set to undefined is removed from the environment.
   */
  readonly trust?: Readonly<Record<string, string | undefined>>;
}

export function simWorkspace(sim: ProxmoxSim, workspace: Record<string, any>, providerConfig: Record<string, any>,
  tools: { terraform: string; 'terraform-provider-proxmox': string }, options: SimWorkspaceOptions = {}): SimWorkspace {
  const dir = workspaceDir(workspace, providerConfig);
  const [tokenId, secret] = sim.token.split('=');
  const values: Record<string, string> = { api_url: sim.url, token_id: tokenId, token_secret: secret };
  for (const credential of providerConfig.spec.credentials) fs.writeFileSync(path.join(dir, path.basename(credential.filename)), values[credential.secretRef.key] ?? '');
  const providers = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-providers-'));
  fs.symlinkSync(tools['terraform-provider-proxmox'], path.join(providers, 'terraform-provider-proxmox'));
  const tfrc = path.join(providers, 'dev.tfrc');
  fs.writeFileSync(tfrc, `provider_installation {\n  dev_overrides { "bpg/proxmox" = ${JSON.stringify(providers)} }\n  direct {}\n}\n`);
  return {
    dir,
    update(next: Record<string, any>) {
      fs.writeFileSync(path.join(dir, 'main.tf.json'), next.spec.forProvider.module);
      fs.writeFileSync(path.join(dir, 'varmap.tfvars.json'), JSON.stringify(next.spec.forProvider.varmap ?? {}));
    },
    async terraform(...args: string[]) {
      const env: Record<string, string | undefined> = { ...process.env, TF_CLI_CONFIG_FILE: tfrc, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1',
        ...(options.trust ?? { SSL_CERT_FILE: sim.caFile }) };
      for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
      const flags = ['plan', 'apply', 'destroy'].includes(args[0]) ? ['-input=false', '-no-color', '-var-file=varmap.tfvars.json'] : ['-no-color'];
      try {
        const { stdout, stderr } = await run(tools.terraform, [...args, ...flags], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
        return { code: 0, output: stdout + stderr };
      } catch (error) {
        const failed = error as { code?: number; stdout?: string; stderr?: string };
        return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
      }
    },
  };
}
