/**
 * Argo CD's Lua, for the health checks Fabric ships in argocd-cm: tools/argocd-lua runs a script in gopher-lua
 * v1.1.2 with the libraries and globals Argo CD v3.5 gives a custom health check (see its main.go), built from
 * its pinned Go module by tools/build.sh, found as the other upstream tools are (_upstream-tools.ts).
 */
import { spawn } from 'child_process';
import { describeWithTools } from './_upstream-tools';

export interface Health {
  readonly status?: string;
  readonly message?: string;
}

export interface HealthCheck {
  /** The script as argocd-cm ships it. */
  readonly script: string;
  /** Whether argocd-cm sets `resource.customizations.useOpenLibs.<group_kind>` for it. */
  readonly openLibs?: boolean;
}

/** Runs health checks as Argo CD would, in one `argocd-lua` process (rather than a process per check). */
export interface HealthChecks {
  /** Runs `check` against `object`; a script error fails with Argo CD's Unknown message. */
  run(check: HealthCheck, object: object): Promise<Health>;
  stop(): Promise<void>;
}

export function startHealthChecks(binary: string): HealthChecks {
  const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  // Answers come in the order of the requests.
  const waiting: Array<(line: string) => void> = [];
  const exited = new Promise<void>((resolve) => child.once('exit', (code) => {
    // A process that ends early answers whoever still waits with why.
    for (const answer of waiting.splice(0)) answer(JSON.stringify({ error: `argocd-lua exited with ${code}: ${stderr}` }));
    resolve();
  }));
  let buffered = '';
  child.stdout!.on('data', (chunk) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      waiting.shift()!(line);
    }
  });
  return {
    run: (check, object) => new Promise<Health>((resolve, reject) => {
      waiting.push((line) => {
        const answer = JSON.parse(line) as { health?: Health; error?: string };
        if (answer.error !== undefined) reject(new Error(`the health script failed in gopher-lua (Argo CD shows Unknown): ${answer.error}`));
        else resolve(answer.health!);
      });
      child.stdin!.write(`${JSON.stringify({ script: check.script, openLibs: check.openLibs ?? false, object })}\n`, (error) => {
        if (error) reject(new Error(`argocd-lua: ${error.message}: ${stderr}`));
      });
    }),
    stop: async () => { child.stdin!.end(); await exited; },
  };
}

/**
 * `describe` whose body gets a runner of health checks, served by one argocd-lua process for the block;
 * skipped without the binary, failing in CI.
 */
export function describeWithArgoCdLua(title: string, body: (check: HealthChecks['run']) => void): void {
  describeWithTools(title, ['argocd-lua'], (tools) => {
    let checks: HealthChecks | undefined;
    beforeAll(() => { checks = startHealthChecks(tools['argocd-lua']); });
    afterAll(async () => checks?.stop());
    body((check, object) => checks!.run(check, object));
  });
}
