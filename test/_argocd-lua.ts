/**
 * Argo CD's Lua, for the health checks Fabric ships in argocd-cm: tools/argocd-lua runs a script in gopher-lua
 * v1.1.2 with the libraries and globals Argo CD v3.5 gives a custom health check (see its main.go), built from
 * its pinned Go module by tools/build.sh, found as the other upstream tools are (_upstream-tools.ts).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
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

/** Runs `check` against `object` as Argo CD would; a script error fails with Argo CD's Unknown message. */
export function runHealthCheck(binary: string, check: HealthCheck, object: object): Health {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-argocd-lua-'));
  try {
    fs.writeFileSync(path.join(dir, 'health.lua'), check.script);
    fs.writeFileSync(path.join(dir, 'object.json'), JSON.stringify(object));
    const args = [...(check.openLibs ? ['--open-libs'] : []), path.join(dir, 'health.lua'), path.join(dir, 'object.json')];
    const run = spawnSync(binary, args, { encoding: 'utf8', timeout: 30_000 });
    if (run.status !== 0) throw new Error(`the health script failed in gopher-lua (Argo CD shows Unknown): ${run.stderr || run.error?.message}`);
    return JSON.parse(run.stdout) as Health;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `describe` whose body gets the path of the argocd-lua binary; skipped without it, failing in CI. */
export function describeWithArgoCdLua(title: string, body: (binary: string) => void): void {
  describeWithTools(title, ['argocd-lua'], (tools) => body(tools['argocd-lua']));
}
