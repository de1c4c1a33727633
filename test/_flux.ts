/**
 * Flux's own code, for the Flux engine's output: tools/flux-build (the library calls `flux build kustomization
 * --dry-run` and kustomize-controller v1.9.5 make: fluxcd/pkg/kustomize v1.35.6, fluxcd/pkg/ssa v0.76.2) and
 * tools/flux-health (kstatus and the CEL health checks of fluxcd/pkg/runtime v0.110.3, as kustomize-controller
 * runs them), built from their pinned Go modules by tools/build.sh, found as the other upstream tools are.
 */
import { execFile } from 'child_process';
import { promisify } from 'util';
import * as YAML from 'yaml';
import { startJsonLinesProcess } from './_json-lines-process';
import { describeWithTools } from './_upstream-tools';

const run = promisify(execFile);

/**
 * What kustomize-controller would apply for Kustomization `name` (found in `kustomizationFile`): its own
 * `spec.path` in `sourceRoot`, built offline, as objects.
 */
export async function fluxBuild(binary: string, name: string, kustomizationFile: string, sourceRoot: string): Promise<Array<Record<string, any>>> {
  const { stdout } = await run(binary, ['kustomization', name, '--kustomization-file', kustomizationFile, '--source-root', sourceRoot], { maxBuffer: 64 * 1024 * 1024 });
  return YAML.parseAllDocuments(stdout).map((document) => document.toJS()).filter((object) => object !== null);
}

/** kstatus' verdict on an object, as a Kustomization's health check waits on it. */
export interface FluxHealth {
  /** Current (healthy), InProgress, Failed, or Unknown (an expression could not be evaluated). */
  readonly status: string;
  readonly message?: string;
}

/** Judges `object` with a Kustomization's `healthCheckExprs`; one flux-health process serves a test file. */
export type FluxHealthCheck = (healthCheckExprs: readonly object[], object: object) => Promise<FluxHealth>;

export function startFluxHealth(binary: string): { check: FluxHealthCheck; stop(): Promise<void> } {
  const tool = startJsonLinesProcess(binary, ['--serve'], 'flux-health');
  return {
    check: (healthCheckExprs, object) => tool.ask({ healthCheckExprs, object }).then(
      (answer) => answer as unknown as FluxHealth,
      (error: Error) => { throw new Error(`flux-health: ${error.message}`); }),
    stop: () => tool.stop(),
  };
}

/** `describe` whose body gets flux-build's path and a health checker; skipped without the tools, failing in CI. */
export function describeWithFlux(title: string, body: (tools: { fluxBuild: string; check: FluxHealthCheck }) => void): void {
  describeWithTools(title, ['flux-build', 'flux-health'], (tools) => {
    let health: ReturnType<typeof startFluxHealth> | undefined;
    beforeAll(() => { health = startFluxHealth(tools['flux-health']); });
    afterAll(async () => health?.stop());
    body({ fluxBuild: tools['flux-build'], check: (exprs, object) => health!.check(exprs, object) });
  });
}
