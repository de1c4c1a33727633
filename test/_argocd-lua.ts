/**
 * Argo CD's Lua, for the health checks Fabric ships in argocd-cm: tools/argocd-lua runs a script in gopher-lua
 * v1.1.2 with the libraries and globals Argo CD v3.5 gives a custom health check (see its main.go), built from
 * its pinned Go module by tools/build.sh, found as the other upstream tools are (_upstream-tools.ts).
 */
import { startJsonLinesProcess } from './_json-lines-process';
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
  const tool = startJsonLinesProcess(binary, [], 'argocd-lua');
  return {
    run: (check, object) => tool.ask({ script: check.script, openLibs: check.openLibs ?? false, object }).then(
      (answer) => answer.health as Health,
      (error: Error) => { throw new Error(`the health script failed in gopher-lua (Argo CD shows Unknown): ${error.message}`); }),
    stop: () => tool.stop(),
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
