/**
 * A real Kubernetes control plane on loopback, for tests that need what only the API server knows (CEL cost
 * budgets, structural defaulting, CRD establishment) and what only Crossplane does (deriving CRDs from XRDs,
 * composing): etcd, kube-apiserver and, when a test starts them, Crossplane core and composition functions,
 * each built from its pinned Go module (tools/etcd, tools/kube-apiserver[-1.32], tools/crossplane,
 * tools/function-patch-and-transform; see tools/build.sh).
 *
 * Everything lives in a temporary folder: etcd's data, freshly made certificates (openssl), a static token
 * file, a kubeconfig. Every listener is at a free port on 127.0.0.1, but for Crossplane's health and metrics
 * ports, which it binds on every interface. Requests go over plain HTTPS with the token. `stop()` kills every
 * process and removes the folder; the exit of the test process kills every process too.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { generateKeyPairSync, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { REPO } from './_helpers';

export type KubernetesObject = Record<string, any>;

/** The kube-apiserver tools by Kubernetes minor: the newest, and the oldest Crossplane v2.2.0 supports. */
export const KUBE_APISERVER_TOOLS = { '1.34': 'kube-apiserver', '1.32': 'kube-apiserver-1.32' } as const;
export type KubernetesVersion = keyof typeof KUBE_APISERVER_TOOLS;

export interface ControlPlaneBinaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: any;
}

/** What the API server answered to a request that failed: its Status message and per-field causes. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly body: any, request: string) {
    super(`${request}: ${status} ${typeof body === 'object' && body?.message ? body.message : JSON.stringify(body)}`);
  }

  /** `field: message` for each cause the Status lists (the API server's field-level validation errors). */
  get causes(): Array<{ field: string; reason: string; message: string }> {
    return (this.body?.details?.causes ?? []).map((cause: any) => ({ field: cause.field ?? '', reason: cause.reason ?? '', message: cause.message ?? '' }));
  }
}

export interface StartupTimes {
  readonly etcdMs: number;
  readonly apiServerMs: number;
}

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** Bearer token of a cluster admin (group system:masters). */
  readonly token: string;
  /** Path of a kubeconfig for the admin. */
  readonly kubeconfig: string;

  /** The API server's version (GET /version gitVersion). */
  readonly gitVersion: string;
  readonly startup: StartupTimes;
  request(method: string, urlPath: string, body?: unknown, contentType?: string): Promise<ApiResponse>;
  /** Server-side apply (strict) of each object or each document of each YAML file, in order; throws ApiError on a refusal. */
  apply(objectsOrFiles: ReadonlyArray<KubernetesObject | string>): Promise<KubernetesObject[]>;
  /**
   * POST of one object, with strict field validation as kubectl sends it: what the API server stored (its
   * defaults applied), or the ApiError it answered.
   */
  create(object: KubernetesObject, options?: { dryRun?: boolean }): Promise<KubernetesObject | ApiError>;
  get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubernetesObject | undefined>;
  delete(apiVersion: string, kind: string, name: string, namespace?: string): Promise<void>;
  /**
   * Starts Crossplane core against the API server (after its CRDs are applied: its package controllers only
   * watch kinds that are served when it starts) and waits until it reports ready. Returns how long that took.
   * Its package manager is told packages run outside (`--package-runtime=External`) and finds no registry.
   */
  startCrossplane(binary: string, options?: { namespace?: string; args?: readonly string[] }): Promise<number>;
  /**
   * Runs a composition function (a function-sdk-go binary) as a local process serving Crossplane over mTLS on
   * loopback, and makes it the active FunctionRevision of `functionName`, as the package manager would for a
   * Function it deployed: Crossplane then calls it for every pipeline step naming `functionName`.
   */
  serveFunction(binary: string, functionName: string, image: string): Promise<void>;
  /** `reason: message` of the Events recorded for an object, oldest first (where Crossplane reports failures). */
  events(name: string): Promise<string[]>;
  /** Polls `check` until it returns something other than undefined/false; throws with `describe()` after the timeout. */
  waitFor<T>(what: string, check: () => Promise<T | undefined | false>, options?: { timeoutMs?: number; describe?: () => Promise<string> }): Promise<T>;
  /** The last lines a component wrote to stderr, for failure messages. */
  logTail(component: 'etcd' | 'kube-apiserver' | 'crossplane', lines?: number): string;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  readonly binaries: ControlPlaneBinaries;
}

const running = new Set<ChildProcess>();
process.once('exit', () => { for (const child of running) child.kill('SIGKILL'); });

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Process {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  readonly exited: Promise<void>;
}

function launch(binary: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Process {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  running.add(child);
  // Keep the last 256 KiB of output: enough for the error that stopped a component.
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-256 * 1024); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => { running.delete(child); resolve(); }));
  return { child, stderr: () => output, exited };
}

async function terminate(proc: Process | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const killed = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await proc.exited;
  clearTimeout(killed);
}

/** Waits until `ready()` is true, failing early with the component's output when it exits. */
async function untilReady(name: string, proc: Process, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready().catch(() => false))) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${name} exited (${proc.child.exitCode ?? proc.child.signalCode}) before it was ready:\n${lastLines(proc.stderr(), 30)}`);
    }
    if (Date.now() > deadline) throw new Error(`${name} was not ready within ${timeoutMs / 1000} s:\n${lastLines(proc.stderr(), 30)}`);
    await sleep(100);
  }
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/**
 * A CA and certificates it signs, made with openssl: the API server's serving certificate (for 127.0.0.1 and
 * localhost), a client certificate for Crossplane's gRPC calls to functions (core.go loads ca.crt, tls.crt,
 * tls.key from --tls-client-certs-dir) and the functions' serving certificate (function-sdk-go reads the same
 * three names from --tls-certs-dir and requires a client certificate of that CA).
 */
function makeCertificates(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=fabric-test-ca');
  const sign = (name: string, subject: string, extensions: string) => {
    fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
    openssl(dir, 'req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  };
  sign('apiserver', '/CN=kube-apiserver', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  sign('crossplane-client', '/CN=crossplane', 'extendedKeyUsage=clientAuth\n');
  sign('function-server', '/CN=function', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  // The service account token signer: any key pair the API server can read.
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  fs.writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  for (const [folder, cert] of [['crossplane-client', 'crossplane-client'], ['function-server', 'function-server']]) {
    fs.mkdirSync(path.join(dir, folder), { recursive: true });
    fs.copyFileSync(path.join(dir, 'ca.crt'), path.join(dir, folder, 'ca.crt'));
    fs.copyFileSync(path.join(dir, `${cert}.crt`), path.join(dir, folder, 'tls.crt'));
    fs.copyFileSync(path.join(dir, `${cert}.key`), path.join(dir, folder, 'tls.key'));
  }
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (response) => {
      let body = '';
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** Starts etcd and kube-apiserver and waits until each is ready. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { binaries } = options;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-control-plane-'));
  const processes: Partial<Record<'etcd' | 'kube-apiserver' | 'crossplane', Process>> = {};
  const functions: Process[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Crossplane first (it talks to the API server), then the API server, then its store.
    await terminate(processes.crossplane);
    for (const fn of functions) await terminate(fn);
    await terminate(processes['kube-apiserver']);
    await terminate(processes.etcd);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    makeCertificates(dir);
    const token = randomBytes(24).toString('hex');
    fs.writeFileSync(path.join(dir, 'tokens.csv'), `${token},fabric-test-admin,fabric-test-admin,"system:masters"\n`);

    const etcdStarted = Date.now();
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const etcdClient = `http://127.0.0.1:${clientPort}`;
    const etcdPeer = `http://127.0.0.1:${peerPort}`;
    processes.etcd = launch(binaries.etcd, [
      '--name=fabric-test', `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdClient}`, `--advertise-client-urls=${etcdClient}`,
      `--listen-peer-urls=${etcdPeer}`, `--initial-advertise-peer-urls=${etcdPeer}`, `--initial-cluster=fabric-test=${etcdPeer}`,
      // A throwaway store: no fsync, no waiting on the disk.
      '--unsafe-no-fsync', '--log-level=warn',
    ]);
    await untilReady('etcd', processes.etcd, async () => (await httpGet(`${etcdClient}/health`)).body.includes('"health":"true"'), 60_000);
    const etcdMs = Date.now() - etcdStarted;

    const apiServerStarted = Date.now();
    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const ca = fs.readFileSync(path.join(dir, 'ca.crt'));
    processes['kube-apiserver'] = launch(binaries.kubeApiserver, [
      `--etcd-servers=${etcdClient}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${port}`,
      `--tls-cert-file=${path.join(dir, 'apiserver.crt')}`, `--tls-private-key-file=${path.join(dir, 'apiserver.key')}`,
      `--cert-dir=${path.join(dir, 'apiserver-certs')}`,
      '--authorization-mode=RBAC', `--token-auth-file=${path.join(dir, 'tokens.csv')}`, '--anonymous-auth=false',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${path.join(dir, 'sa.pub')}`, `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
      // Addresses the API server only records (no Service is ever reached).
      '--service-cluster-ip-range=10.96.0.0/24',
      '--profiling=false', '--v=0',
    ]);
    const agent = new https.Agent({ ca, keepAlive: true });

    const request = (method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<ApiResponse> =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
        const req = https.request(`${server}${urlPath}`, {
          method,
          agent,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          },
        }, (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => { text += chunk; });
          response.on('end', () => {
            let parsed: unknown = text;
            try { parsed = JSON.parse(text); } catch { /* not JSON: /readyz answers text */ }
            resolve({ status: response.statusCode ?? 0, body: parsed });
          });
        });
        req.on('error', reject);
        if (payload !== undefined) req.write(payload);
        req.end();
      });

    await untilReady('kube-apiserver', processes['kube-apiserver'], async () => (await request('GET', '/readyz')).status === 200, 120_000);
    const apiServerMs = Date.now() - apiServerStarted;
    const gitVersion = (await request('GET', '/version')).body.gitVersion as string;

    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, YAML.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fabric-test', cluster: { server, 'certificate-authority-data': ca.toString('base64') } }],
      users: [{ name: 'fabric-test-admin', user: { token } }],
      contexts: [{ name: 'fabric-test', context: { cluster: 'fabric-test', user: 'fabric-test-admin' } }],
      'current-context': 'fabric-test',
    }));

    const client = apiClient(request);
    const startCrossplane = async (binary: string, crossplane: { namespace?: string; args?: readonly string[] } = {}): Promise<number> => {
      const namespace = crossplane.namespace ?? 'crossplane-system';
      await client.apply([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
        // No package registry is reachable here: every package image is rewritten to a closed port on loopback,
        // so the package manager fails at once instead of looking registries up.
        {
          apiVersion: 'pkg.crossplane.io/v1beta1',
          kind: 'ImageConfig',
          metadata: { name: 'no-registry' },
          spec: {
            matchImages: ['xpkg.crossplane.io', 'xpkg.upbound.io', 'index.docker.io', 'ghcr.io'].map((prefix) => ({ type: 'Prefix', prefix })),
            rewriteImage: { prefix: '127.0.0.1:9/no-registry' },
          },
        },
      ]);
      const started = Date.now();
      const [healthPort, metricsPort] = [await freePort(), await freePort()];
      processes.crossplane = launch(binary, [
        'core', 'start',
        // No webhook server: the API server has no Service to reach one by (core.go:121, 638-651).
        '--enable-webhooks=false',
        // Functions and providers run outside, as local processes (serveFunction): there is no kubelet to run a
        // Deployment (core.go:110, 545-563; internal/controller/pkg/controller/runtime.go:85-86).
        '--package-runtime=External',
        `--namespace=${namespace}`,
        // The client certificate Crossplane presents to functions (core.go:275-281 loads ca.crt, tls.crt, tls.key).
        `--tls-client-certs-dir=${path.join(dir, 'crossplane-client')}`,
        `--xpkg-cache-dir=${path.join(dir, 'xpkg-cache')}`,
        // Listeners on free ports (core.go binds them on every interface; nothing reaches them from outside).
        `--health-probe-port=${healthPort}`, `--metrics-port=${metricsPort}`,
        ...(crossplane.args ?? []),
      ], { KUBECONFIG: kubeconfig });
      await untilReady('crossplane', processes.crossplane, async () => (await httpGet(`http://127.0.0.1:${healthPort}/readyz`)).status === 200, 120_000);
      return Date.now() - started;
    };
    const serveFunction = async (binary: string, functionName: string, image: string): Promise<void> => {
      const port = await freePort();
      const fn = launch(binary, [`--address=127.0.0.1:${port}`, `--tls-certs-dir=${path.join(dir, 'function-server')}`]);
      functions.push(fn);
      const listening = () => new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => { socket.destroy(); resolve(true); });
        socket.once('error', () => resolve(false));
      });
      await untilReady(path.basename(binary), fn, listening, 30_000);
      // Crossplane calls the active revision of the Function a pipeline step names, at its status.endpoint, if
      // its status lists the composition capability (internal/xfn/function_runner.go:195-264, capabilities.go:58-92).
      const [revision] = await client.apply([{
        apiVersion: 'pkg.crossplane.io/v1',
        kind: 'FunctionRevision',
        metadata: { name: `${functionName}-local`, labels: { 'pkg.crossplane.io/package': functionName } },
        spec: { desiredState: 'Active', image, revision: 1 },
      }]);
      const patched = await request('PATCH', `/apis/pkg.crossplane.io/v1/functionrevisions/${revision.metadata.name}/status`,
        { status: { endpoint: `127.0.0.1:${port}`, capabilities: ['composition'] } }, 'application/merge-patch+json');
      if (patched.status >= 300) throw new ApiError(patched.status, patched.body, `status of FunctionRevision ${revision.metadata.name}`);
    };
    const events = async (name: string): Promise<string[]> => {
      const listed = await request('GET', `/api/v1/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`);
      return (listed.body?.items ?? [])
        .sort((a: any, b: any) => String(a.lastTimestamp ?? a.eventTime).localeCompare(String(b.lastTimestamp ?? b.eventTime)))
        .map((event: any) => `${event.reason}: ${event.message}`);
    };

    return {
      server,
      token,
      kubeconfig,
      gitVersion,
      startup: { etcdMs, apiServerMs },
      request,
      ...client,
      startCrossplane,
      serveFunction,
      events,
      logTail: (component, lines = 40) => lastLines(processes[component]?.stderr() ?? '', lines),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Files under `dir` that hold Kubernetes objects, sorted by name. */
export function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((file) => /\.ya?ml$/.test(file)).sort().map((file) => path.join(dir, file));
}

/** Every object of a YAML file (multi-document). */
export function objectsIn(file: string): KubernetesObject[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((document) => document.toJSON()).filter((object) => object && object.kind);
}

interface Resource {
  readonly name: string;
  readonly namespaced: boolean;
}

function apiClient(request: ControlPlane['request']) {
  // The resources of each group/version, as discovery lists them; looked up again when a kind is missing
  // (a CRD established since).
  const discovered = new Map<string, Resource[]>();
  const resourceFor = async (apiVersion: string, kind: string): Promise<Resource> => {
    for (const fresh of [false, true]) {
      if (fresh || !discovered.has(apiVersion)) {
        const response = await request('GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
        discovered.set(apiVersion, response.status === 200 ? response.body.resources.filter((r: any) => !r.name.includes('/')) : []);
      }
      const found = discovered.get(apiVersion)!.find((r: any) => r.kind === kind) as any;
      if (found) return { name: found.name, namespaced: found.namespaced };
    }
    throw new Error(`the API server serves no ${kind} in ${apiVersion}`);
  };
  const collection = async (apiVersion: string, kind: string, namespace?: string) => {
    const resource = await resourceFor(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return resource.namespaced ? `${base}/namespaces/${namespace ?? 'default'}/${resource.name}` : `${base}/${resource.name}`;
  };
  const objectsOf = (objectsOrFiles: ReadonlyArray<KubernetesObject | string>) =>
    objectsOrFiles.flatMap((item) => (typeof item === 'string' ? objectsIn(item) : [item]));

  return {
    apply: async (objectsOrFiles: ReadonlyArray<KubernetesObject | string>): Promise<KubernetesObject[]> => {
      const applied: KubernetesObject[] = [];
      for (const object of objectsOf(objectsOrFiles)) {
        const url = `${await collection(object.apiVersion, object.kind, object.metadata.namespace)}/${object.metadata.name}?fieldManager=fabric-test&force=true&fieldValidation=Strict`;
        const response = await request('PATCH', url, object, 'application/apply-patch+yaml');
        if (response.status >= 300) throw new ApiError(response.status, response.body, `apply ${object.kind} ${object.metadata.name}`);
        applied.push(response.body);
      }
      return applied;
    },
    create: async (object: KubernetesObject, options: { dryRun?: boolean } = {}): Promise<KubernetesObject | ApiError> => {
      // Strict field validation, kubectl's default: an unknown field is refused instead of dropped.
      const url = `${await collection(object.apiVersion, object.kind, object.metadata.namespace)}?fieldValidation=Strict${options.dryRun ? '&dryRun=All' : ''}`;
      const response = await request('POST', url, object);
      return response.status >= 300 ? new ApiError(response.status, response.body, `create ${object.kind} ${object.metadata.name}`) : response.body;
    },
    get: async (apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubernetesObject | undefined> => {
      const response = await request('GET', `${await collection(apiVersion, kind, namespace)}/${name}`);
      if (response.status === 404) return undefined;
      if (response.status >= 300) throw new ApiError(response.status, response.body, `get ${kind} ${name}`);
      return response.body;
    },
    delete: async (apiVersion: string, kind: string, name: string, namespace?: string): Promise<void> => {
      const response = await request('DELETE', `${await collection(apiVersion, kind, namespace)}/${name}`);
      if (response.status >= 300 && response.status !== 404) throw new ApiError(response.status, response.body, `delete ${kind} ${name}`);
    },
    waitFor: async <T>(what: string, check: () => Promise<T | undefined | false>, options: { timeoutMs?: number; describe?: () => Promise<string> } = {}): Promise<T> => {
      const deadline = Date.now() + (options.timeoutMs ?? 60_000);
      for (;;) {
        const result = await check();
        if (result !== undefined && result !== false) return result;
        if (Date.now() > deadline) {
          const detail = options.describe ? await options.describe().catch((error) => `(${error})`) : '';
          throw new Error(`timed out waiting for ${what}${detail ? `: ${detail}` : ''}`);
        }
        await sleep(250);
      }
    },
  };
}

/** An object's condition of `type`, if it reports one. */
export function conditionOf(object: KubernetesObject | undefined, type: string): { status: string; reason?: string; message?: string } | undefined {
  return object?.status?.conditions?.find((condition: any) => condition.type === type);
}

/**
 * The CRDs of the pinned Crossplane release, read from the crossplane/v2 module in Go's module cache: tools/crossplane's
 * build downloaded it, and `go list -m` finds it there without the network.
 */
export function crossplaneCrdFiles(): string[] {
  const listed = execFileSync('go', ['list', '-m', '-json', 'github.com/crossplane/crossplane/v2'], {
    cwd: path.join(REPO, 'tools', 'crossplane'),
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off' },
  });
  const moduleDir = JSON.parse(listed).Dir as string | undefined;
  if (!moduleDir) throw new Error('the crossplane/v2 module is not in Go\'s module cache: `bash tools/build.sh crossplane` downloads it');
  return yamlFiles(path.join(moduleDir, 'cluster', 'crds'));
}

/** The pinned provider and function CRDs of imports/crds/ that Crossplane's own release does not carry. */
export function providerCrdFiles(): string[] {
  return yamlFiles(path.join(REPO, 'imports', 'crds')).filter((file) => !/^(apiextensions|pkg)\.crossplane\.io_/.test(path.basename(file)));
}
