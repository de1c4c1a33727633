/**
 * The real upstream tools, for tests that check Fabric's output with the code that will run it: the Crossplane
 * CLI (crank), function-patch-and-transform, the bpg/proxmox Terraform provider (all built from their pinned Go
 * modules by tools/build.sh), and Terraform.
 *
 * A test file asks for its tools with `describeWithTools`. Without Go (a user's fresh clone) the block is
 * skipped and its title says which tool is missing and how to get it; with FABRIC_REQUIRE_TOOLS=1 (this
 * project's CI) a missing tool fails.
 */
import { execFile, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import * as YAML from 'yaml';
import { REPO, REQUIRE_TOOLS } from './_helpers';

const run = promisify(execFile);

export type GoTool = 'crank' | 'function-patch-and-transform' | 'terraform-provider-proxmox' | 'argocd-lua'
  | 'etcd' | 'kube-apiserver' | 'kube-apiserver-1.32' | 'crossplane' | 'flux-build' | 'flux-health';
export type Tool = GoTool | 'terraform';

type Found = { readonly path: string } | { readonly missing: string };

const found = new Map<Tool, Found>();

/**
 * One pinned tool, built in CI (`.ci/run` builds them all first) and taken from the cache elsewhere: a cold
 * build takes minutes, which `npm test` on a newcomer's clone must not spend unasked. Says why not when it
 * cannot (the reason goes into the skipped block's title).
 */
export function findTool(tool: Tool): Found {
  if (!found.has(tool)) found.set(tool, tool === 'terraform' ? findTerraform() : buildGoTool(tool));
  return found.get(tool)!;
}

function buildGoTool(tool: string): Found {
  const args = REQUIRE_TOOLS ? [tool] : ['--if-built', tool];
  const build = spawnSync('bash', [path.join(REPO, 'tools', 'build.sh'), ...args], { encoding: 'utf8' });
  if (build.status === 0) return { path: build.stdout.trim() };
  const reason = ((build.stderr ?? '').trim().split('\n').pop() ?? '').replace(/^tools\/build\.sh: /, '') || `exited with ${build.status}`;
  return { missing: reason.includes(tool) ? reason : `${tool} (tools/build.sh: ${reason})` };
}

/**
 * Terraform from PATH. Without it, OpenTofu built from its Go module (`bash tools/build.sh tofu`) serves:
 * it reads the same JSON module, CLI config and plan format.
 */
function findTerraform(): Found {
  for (const name of ['terraform', 'tofu']) {
    const which = spawnSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (which.status === 0) return { path: which.stdout.trim() };
  }
  const tofu = buildGoTool('tofu');
  if ('path' in tofu) return tofu;
  return {
    missing: `terraform: not on PATH, and OpenTofu could not stand in (${tofu.missing}); install Terraform >= 1.5 `
      + '(https://developer.hashicorp.com/terraform/install) or run `bash tools/build.sh tofu` with Go on PATH',
  };
}

/**
 * `describe` whose body gets the paths of `tools`. Missing tools skip the block outside CI (the reason in its
 * title) and fail it with FABRIC_REQUIRE_TOOLS=1.
 */
export function describeWithTools<T extends Tool>(title: string, tools: readonly T[], body: (paths: Record<T, string>) => void): void {
  const results = tools.map((tool) => [tool, findTool(tool)] as const);
  const missing = results.flatMap(([, result]) => ('missing' in result ? [result.missing] : []));
  if (missing.length === 0) {
    const paths = Object.fromEntries(results.map(([tool, result]) => [tool, (result as { path: string }).path])) as Record<T, string>;
    describe(title, () => body(paths));
  } else if (REQUIRE_TOOLS) {
    describe(title, () => test(`has its upstream tools (${tools.join(', ')})`, () => {
      throw new Error(`FABRIC_REQUIRE_TOOLS=1 runs every upstream check; missing ${missing.join('; ')}`);
    }));
  } else {
    describe.skip(`${title} — skipped, needs ${missing.join('; ')}`, () => test('runs with the real upstream tools', () => undefined));
  }
}

/** A free TCP port on the loopback interface. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

export interface RunningFunction {
  /** gRPC target, for render.crossplane.io/runtime-development-target. */
  readonly target: string;
  stop(): Promise<void>;
}

/** Starts a composition function binary as a local gRPC server without TLS, and waits until it listens. */
export async function startFunction(binary: string): Promise<RunningFunction> {
  const port = await freePort();
  const child = spawn(binary, ['--insecure', `--address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`${path.basename(binary)} exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) { child.kill(); throw new Error(`${path.basename(binary)} did not listen on 127.0.0.1:${port} within 30 s: ${stderr}`); }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    target: `127.0.0.1:${port}`,
    stop: async () => { child.kill(); await exited; },
  };
}

export interface RenderInputs {
  /** The composite resource (a Machine) file. */
  readonly xr: string;
  readonly composition: string;
  /** The Function file, as committed: its runtime is pointed at `target` with crank's `-a` overrides. */
  readonly functions: string;
  /** The XRD, so crank defaults the XR as the API server would. */
  readonly xrd: string;
  readonly target: string;
  /** Composed resources as they are observed in the cluster (crank's --observed-resources). */
  readonly observed?: string;
}

/**
 * `crank render`: the XR as rendered, then each composed resource. One XR per call (render.go loads one).
 * The Function runs in crank's Development runtime: no Docker, the local gRPC server at `target`.
 */
export async function crankRender(crank: string, inputs: RenderInputs): Promise<Array<Record<string, any>>> {
  const { stdout } = await run(crank, [
    'render', inputs.xr, inputs.composition, inputs.functions,
    `--xrd=${inputs.xrd}`,
    '-a', 'render.crossplane.io/runtime=Development',
    '-a', `render.crossplane.io/runtime-development-target=${inputs.target}`,
    ...(inputs.observed ? [`--observed-resources=${inputs.observed}`] : []),
  ], { maxBuffer: 64 * 1024 * 1024 });
  return YAML.parseAllDocuments(stdout).map((document) => document.toJSON()).filter((object) => object !== null);
}

export interface ValidateResult {
  readonly ok: boolean;
  readonly output: string;
  /** `[x]` lines: schema, unknown-field and CEL errors. */
  readonly failures: string[];
  /** GroupVersionKinds crank found no CRD or XRD for. */
  readonly missingSchemas: string[];
  /** Lines where crank says it downloads a package's schemas (none, offline). */
  readonly downloads: string[];
}

/**
 * `crank beta validate` offline. crank always adds the Crossplane image's own CRDs as a dependency
 * (beta/validate/cmd.go:102-103 defaults --crossplane-image to xpkg.crossplane.io/crossplane/crossplane:<its
 * version>) and downloads each dependency missing from its cache (manager.go:285-330; cache.go keys a folder
 * by the image with ':' as '@'). So the pinned Crossplane CRDs are put in a fresh cache under the image they
 * come from, and every other CRD and XRD is an extension; a Provider, Function or Configuration never is,
 * as crank would fetch its package.
 */
export async function crankValidate(crank: string, schemaFiles: readonly string[], resources: readonly string[]): Promise<ValidateResult> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-crank-validate-'));
  try {
    const crossplaneImage = `xpkg.crossplane.io/crossplane/crossplane:${crossplaneVersionOf(schemaFiles)}`;
    const cached = path.join(work, 'cache', crossplaneImage.replace(/:/g, '@'));
    const extensions = path.join(work, 'extensions');
    fs.mkdirSync(cached, { recursive: true });
    fs.mkdirSync(extensions);
    for (const file of schemaFiles) {
      const crossplaneOwn = /^(apiextensions|pkg)\.crossplane\.io_/.test(path.basename(file));
      fs.copyFileSync(file, path.join(crossplaneOwn ? cached : extensions, path.basename(file)));
    }
    const args = ['beta', 'validate', extensions, resources.join(','), `--cache-dir=${path.join(work, 'cache')}`, `--crossplane-image=${crossplaneImage}`];
    const result = await run(crank, args, { maxBuffer: 64 * 1024 * 1024 })
      .then(({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }))
      .catch((error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }));
    const lines = result.output.split('\n');
    return {
      ...result,
      failures: lines.filter((line) => line.startsWith('[x]')),
      missingSchemas: lines.filter((line) => line.startsWith(MISSING_SCHEMA)).map((line) => line.slice(MISSING_SCHEMA.length)),
      downloads: lines.filter((line) => line.includes('downloading')),
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const MISSING_SCHEMA = '[!] could not find CRD/XRD for: ';

/** The Crossplane release the pinned CRDs come from, as `npm run import` recorded it in their first line. */
function crossplaneVersionOf(schemaFiles: readonly string[]): string {
  for (const file of schemaFiles) {
    const version = /github(?:usercontent)?\.com\/crossplane\/crossplane\/(v[0-9][^/]*)\//.exec(fs.readFileSync(file, 'utf8').split('\n', 1)[0]);
    if (version) return version[1];
  }
  throw new Error('no pinned Crossplane CRD among the schema files (npm run import writes them to imports/crds/)');
}

/** Runs `work` over `items` with at most `limit` at a time (the machines running tests have few cores). */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
