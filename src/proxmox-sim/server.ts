/**
 * The simulator's HTTPS server: `/api2/json` as pve-http-server 6.0.5 (commit 5119ff9b,
 * src/PVE/APIServer/AnyEvent.pm) and pve-manager's PVE::HTTPServer (9.1.9, commit ee7bad0a,
 * PVE/HTTPServer.pm) answer it, and the in-process API tests drive it with.
 */
import * as fs from 'fs';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { AccessControl, AclEntry, Died, ProxmoxError } from './access';
import { HANDLERS, SimCore } from './api';
import { Cluster, parseDrive, Vm } from './cluster';
import { UnmodelledFormat } from './json-schema';
import { Value } from './json-schema';
import { lookupMethod, MethodSchema, Permissions, SCHEMA_SOURCE, verifyParameters } from './schema';
import { DEFAULT_SITE, loadSite, Site, VmSpec } from './site';
import { TaskRecord, Tasks } from './tasks';
import { issueCertificates } from './tls';

export interface ProxmoxSimOptions {
  /** The site, or the path of a site file (YAML); DEFAULT_SITE when absent. */
  readonly site?: Site | string;
  /** 127.0.0.1 unless given. */
  readonly host?: string;
  /** 0 (any free port) unless given. */
  readonly port?: number;
  /** Where the CA certificate and keys are written; a new temporary folder unless given. */
  readonly dir?: string;
  /** How long each task type runs (qmclone, qmstart, qmconfig, resize, qmdestroy, ...), in ms; 0 by default. */
  readonly taskDurationsMs?: Readonly<Record<string, number>>;
  /**
   * How long a request that fails authentication waits before its 401, as pve-http-server delays it by
   * 3 s (AnyEvent.pm:1615); 0 by default here, so tests do not wait.
   */
  readonly authFailureDelayMs?: number;
  /** Called with a line per request (method, path, status). */
  readonly log?: (line: string) => void;
}

/** One request as the simulator answered it. */
export interface RequestRecord {
  readonly method: string;
  /** The path below /api2/json, with its query. */
  readonly path: string;
  /** The schema method it matched (`POST /nodes/{node}/qemu/{vmid}/clone`), if any. */
  readonly method_name?: string;
  readonly params: Record<string, Value>;
  readonly user?: string;
  readonly status: number;
  readonly message?: string;
  readonly errors?: Record<string, string>;
  /**
   * ok; `schema` when Proxmox's parameter verification refused it; `refused` for any other 4xx or 5xx answer
   * Proxmox would give; `unmodelled` when Proxmox has the method or format but the simulator does not model
   * it (the request was not checked: a test must not pass on it); `internal` for a simulator bug.
   */
  readonly outcome: 'ok' | 'schema' | 'refused' | 'unmodelled' | 'internal';
}

/** A VM as a test inspects it. */
export interface VmView {
  readonly vmid: number;
  readonly node: string;
  /** The current config (without pending changes). */
  readonly config: Readonly<Record<string, string>>;
  readonly pending: Readonly<Record<string, string>>;
  readonly pendingDelete: readonly string[];
  readonly running: boolean;
  readonly pool?: string;
  /** Each disk's volume and size in bytes, by option (scsi0, virtio0, ...). */
  readonly disks: Readonly<Record<string, { readonly volid: string; readonly sizeBytes: number; readonly storage: string }>>;
  /** What the cloud-init drive held when it was last written (at start, or PUT cloudinit). */
  readonly cloudinit?: Readonly<Record<string, string>>;
  /** The config file as Proxmox writes it. */
  readonly configText: string;
}

/** pve-http-server AnyEvent.pm:890 decode_urlencoded: `&` or `;` separate, `+` is a space, a repeated key a list. */
function decodeUrlencoded(data: string): Record<string, Value> {
  const result: Record<string, Value> = {};
  if (!data) return result;
  const decode = (text: string) => Buffer.from(text.replace(/\+/g, ' ').replace(/%([0-9a-fA-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
  for (const pair of data.split(/[&;]/)) {
    const [rawKey, rawValue] = pair.split('=');
    const key = decode(rawKey);
    if (rawValue === undefined) { result[key] = undefined; continue; }
    let value: Value = decode(rawValue);
    const old = result[key];
    if (old !== undefined) value = Array.isArray(old) ? [...old, value] : [old, value];
    result[key] = value;
  }
  return result;
}

/** The permission checks of a PVE 8 site where its qemu-server (8.3.13, PVE/API2/Qemu/Agent.pm:144) differs. */
const PVE8_PERMISSIONS: Readonly<Record<string, Permissions>> = {
  'GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces': { check: ['perm', '/vms/{vmid}', ['VM.Monitor']] },
  'POST /nodes/{node}/qemu/{vmid}/agent/ping': { check: ['perm', '/vms/{vmid}', ['VM.Monitor']] },
};

export class ProxmoxSim {
  /** `https://<host>:<port>`, what bpg's `endpoint` takes. */
  readonly endpoint: string;
  /** The API's base URL, `<endpoint>/api2/json`. */
  readonly url: string;
  readonly caFile: string;
  readonly ca: string;
  /** The first API token of the site, `user@realm!tokenid=secret`. */
  readonly token: string;
  readonly requests: RequestRecord[] = [];
  readonly cluster: Cluster;
  readonly access: AccessControl;
  readonly tasks: Tasks;
  private readonly durations = new Map<string, number>();
  private readonly core: SimCore;

  private constructor(private readonly server: https.Server, private readonly options: ProxmoxSimOptions, site: Site,
    certs: { ca: string; caFile: string }, cluster: Cluster, access: AccessControl) {
    const { port, address } = server.address() as AddressInfo;
    this.endpoint = `https://${address}:${port}`;
    this.url = `${this.endpoint}/api2/json`;
    this.caFile = certs.caFile;
    this.ca = certs.ca;
    const firstToken = site.users?.flatMap((user) => (user.tokens ?? []).map((token) => `${user.id}!${token.id}=${token.secret}`))[0];
    this.token = firstToken ?? '';
    this.cluster = cluster;
    this.access = access;
    this.access.poolMembers = () => this.cluster.pools;
    for (const [type, ms] of Object.entries(options.taskDurationsMs ?? {})) this.durations.set(type, ms);
    this.tasks = new Tasks((type) => this.durations.get(type) ?? this.durations.get('default') ?? 0);
    const major = site.pveVersion ?? 9;
    this.core = {
      cluster: this.cluster, access: this.access, tasks: this.tasks,
      version: major === 9 ? { version: '9.1.9', release: '9.1', repoid: 'ee7bad0a' } : { version: '8.4.1', release: '8.4', repoid: '2a5fa54a' },
    };
    server.on('request', (request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        // pve-http-server AnyEvent.pm:1067-1069: anything that fails outside a method's own handling is a 500.
        if (!response.headersSent) response.writeHead(500, 'proxmox-sim internal error');
        response.end();
        this.requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', params: {}, status: 500, message: String(error), outcome: 'internal' });
      });
    });
  }

  static async start(options: ProxmoxSimOptions = {}): Promise<ProxmoxSim> {
    const site = typeof options.site === 'string' ? loadSite(options.site) : options.site ?? DEFAULT_SITE;
    // The site is checked before anything listens.
    const cluster = new Cluster(site);
    const access = new AccessControl(site.pveVersion ?? 9, site.roles ?? {}, site.users ?? [], site.acl ?? []);
    const host = options.host ?? '127.0.0.1';
    const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'proxmox-sim-'));
    const certs = issueCertificates(dir, [...new Set([host, '127.0.0.1', 'localhost', ...site.nodes.map((node) => node.name)])]);
    const server = https.createServer({ cert: certs.cert, key: certs.key, keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => { server.off('error', reject); resolve(); });
    });
    return new ProxmoxSim(server, options, site, certs, cluster, access);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- inspection ----

  vm(vmid: number): VmView | undefined {
    const vm = this.cluster.vms.get(vmid);
    return vm && this.view(vm);
  }

  vms(): VmView[] {
    return [...this.cluster.vms.values()].sort((a, b) => a.vmid - b.vmid).map((vm) => this.view(vm));
  }

  private view(vm: Vm): VmView {
    const disks: Record<string, { volid: string; sizeBytes: number; storage: string }> = {};
    for (const [key, value] of Object.entries(vm.config)) {
      if (!/^(ide|scsi|virtio|sata)\d+$|^efidisk0$|^tpmstate0$/.test(key)) continue;
      const volid = String(parseDrive(key, value).file);
      const volume = this.cluster.volume(volid, vm.node);
      if (volume) disks[key] = { volid, sizeBytes: volume.sizeBytes, storage: volume.storage };
    }
    return {
      vmid: vm.vmid, node: vm.node, config: { ...vm.config }, pending: { ...vm.pending }, pendingDelete: [...vm.pendingDelete.keys()],
      running: vm.running, pool: this.cluster.vmPool.get(vm.vmid), disks, cloudinit: vm.cloudinitApplied && { ...vm.cloudinitApplied },
      configText: this.cluster.configText(vm),
    };
  }

  /** Requests the schema check refused: a test that made one has sent Proxmox something it does not accept. */
  schemaRefusals(): RequestRecord[] {
    return this.requests.filter((request) => request.outcome === 'schema');
  }

  /** Requests the simulator could not check or answer as Proxmox would. */
  unmodelled(): RequestRecord[] {
    return this.requests.filter((request) => request.outcome === 'unmodelled' || request.outcome === 'internal');
  }

  allTasks(): TaskRecord[] {
    return this.tasks.all();
  }

  /** Resolves when every task started so far has finished. */
  async settle(): Promise<void> {
    await this.tasks.settle();
  }

  /** Every running task finishes now (a slow clone, say, once the test has seen it running). */
  async finishTasks(): Promise<void> {
    await this.tasks.hurry();
  }

  // ---- faults and changes made behind the client's back ----

  /** How long tasks of a type (qmclone, qmstart, ...; `default` for all others) run from now on. */
  setTaskDuration(type: string, ms: number): void {
    this.durations.set(type, ms);
  }

  /** The guest agent of a VM: answering, never running, or answering `delayMs` after each start. */
  setGuestAgent(vmid: number, mode: 'ready' | 'absent' | 'slow', delayMs = 0): void {
    const vm = this.requireVm(vmid);
    vm.agent = mode;
    vm.agentDelayMs = delayMs;
  }

  /** Whether a VM's guest ignores shutdown requests (a shutdown or reboot then times out). */
  setIgnoresShutdown(vmid: number, ignores: boolean): void {
    this.requireVm(vmid).ignoresShutdown = ignores;
  }

  /** Adds a VM that someone else created (its config, disks and pool as given). */
  addVm(spec: VmSpec): VmView {
    this.cluster.addVm(spec);
    return this.vm(spec.vmid)!;
  }

  /** Moves a VM to another node as an administrator or HA would: its config and local disks go there. */
  moveVm(vmid: number, node: string): void {
    const vm = this.requireVm(vmid);
    if (!this.cluster.nodes.includes(node)) throw new Error(`no node ${node}`);
    for (const [key, volume] of [...this.cluster.volumes]) {
      if (volume.vmid !== vmid || volume.node !== vm.node) continue;
      this.cluster.volumes.delete(key);
      volume.node = node;
      this.cluster.volumes.set(`${volume.volid}@${node}`, volume);
    }
    vm.node = node;
  }

  /** Grants or revokes an ACL entry (as `pveum aclmod`). */
  grant(entry: AclEntry): void {
    this.access.addAcl(entry);
  }

  revoke(predicate: (entry: AclEntry) => boolean): void {
    this.access.removeAcl(predicate);
  }

  private requireVm(vmid: number): Vm {
    const vm = this.cluster.vms.get(vmid);
    if (!vm) throw new Error(`no VM ${vmid}`);
    return vm;
  }

  // ---- HTTP ----

  private async handle(request: import('http').IncomingMessage, response: import('http').ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'https://proxmox-sim');
    const apiPath = url.pathname.startsWith('/api2/json/') ? url.pathname.slice('/api2/json'.length) : undefined;
    const record = (entry: Omit<RequestRecord, 'method' | 'path'>) => {
      const full: RequestRecord = { method, path: `${apiPath ?? url.pathname}${url.search}`, ...entry };
      this.requests.push(full);
      this.options.log?.(`${method} ${full.path} ${full.status}${full.message ? ` ${full.message.split('\n')[0]}` : ''}`);
    };
    const send = (status: number, message: string | undefined, payload: unknown) => {
      // AnyEvent.pm:306-313: the status line carries the message's first line.
      const reason = (message ?? '').split('\n')[0] || undefined;
      const text = payload === undefined ? '' : JSON.stringify(payload);
      response.writeHead(status, reason, {
        'Content-Type': 'application/json;charset=UTF-8', Server: 'pve-api-daemon/3.0', 'Cache-Control': 'max-age=0', Pragma: 'no-cache',
        ...(text ? { 'Content-Length': Buffer.byteLength(text) } : {}),
      });
      response.end(text);
    };
    if (apiPath === undefined) {
      // AnyEvent.pm:1597: no API format in the path.
      send(501, 'no such uri', undefined);
      record({ params: {}, status: 501, message: 'no such uri', outcome: 'refused' });
      return;
    }

    // AnyEvent.pm:1588-1592 the PVEAPIToken value of the Authorization header (Formatter.pm:78 extract_auth_value).
    const header = request.headers.authorization ?? '';
    const tokenValue = /(?:^|\s)PVEAPIToken(?:=| )([^;]*)/.exec(header)?.[1];
    let user: string;
    try {
      // pve-manager PVE/HTTPServer.pm:54 auth_handler: tickets are not modelled, so a request without a token has none.
      if (tokenValue === undefined) throw new Died('No ticket\n');
      try {
        user = this.access.verifyToken(decodeURIComponent(tokenValue));
      } catch {
        throw new Died('Authentication failed!\n');
      }
    } catch (error) {
      // AnyEvent.pm:1609-1640: 401 with the message as the status line and no body, after a delay.
      const message = (error as Error).message;
      await new Promise((resolve) => setTimeout(resolve, this.options.authFailureDelayMs ?? 0));
      send(401, message, undefined);
      record({ params: {}, status: 401, message, outcome: 'refused' });
      return;
    }

    // AnyEvent.pm:923 extract_params: the body (form or JSON) and the query, the query winning.
    let params: Record<string, Value> = {};
    if (method === 'POST' || method === 'PUT') {
      const type = (request.headers['content-type'] ?? '').split(';')[0].trim();
      params = type === 'application/json' && body ? JSON.parse(body) : decodeUrlencoded(body);
    }
    Object.assign(params, decodeUrlencoded(url.search.slice(1)));
    delete params._dc;

    const lookup = lookupMethod(method, apiPath);
    const relative = apiPath.replace(/\/+$/, '') || '/';
    if (lookup.kind === 'none') {
      // pve-manager PVE/HTTPServer.pm:149.
      const message = `Method '${method} ${relative}' not implemented`;
      send(501, message, { data: null, message });
      record({ params, user, status: 501, message, outcome: 'refused' });
      return;
    }
    if (lookup.kind === 'unmodelled') {
      const message = `Method '${lookup.name}' is not modelled by the proxmox-sim simulator`;
      send(501, message, { data: null, message });
      record({ method_name: lookup.name, params, user, status: 501, message, outcome: 'unmodelled' });
      return;
    }
    let verification = false;
    try {
      // HTTPServer.pm:160-167: URI parameters join the request's; a conflicting one is refused.
      for (const [name, value] of Object.entries(params)) {
        if (lookup.uriParams[name] !== undefined && lookup.uriParams[name] !== value) {
          throw new ProxmoxError(400, 'Parameter verification failed.\n', { [name]: 'duplicate parameter (already defined in URI) with conflicting values!' });
        }
      }
      params = { ...params, ...lookup.uriParams };
      const schema = lookup.schema;
      // HTTPServer.pm:170-171.
      if (!schema.allowtoken) throw new ProxmoxError(403, `Permission check failed (URI '${relative}' not available with API token, need proper ticket.\n)\n`);
      // HTTPServer.pm:174: permissions are checked before the parameters are verified.
      const permissions = (this.access.major === 8 ? PVE8_PERMISSIONS[lookup.name] : undefined) ?? schema.permissions;
      this.access.checkApi(permissions, user, params);
      this.checkProxyTarget(schema, params);
      // HTTPServer.pm:203 $handler->handle: PVE::RESTHandler verifies the parameters (RESTHandler.pm:495).
      verification = true;
      const errors = verifyParameters(schema, params);
      if (Object.keys(errors).length > 0) throw new ProxmoxError(400, 'Parameter verification failed.\n', errors);
      verification = false;
      const handler = HANDLERS[lookup.name];
      const data = await handler({ params, user, sim: this.core });
      send(200, undefined, { data: data === undefined ? null : data });
      record({ method_name: lookup.name, params, user, status: 200, outcome: 'ok' });
    } catch (error) {
      if (error instanceof UnmodelledFormat) {
        const message = `${error.message} (${lookup.name})`;
        send(501, message, { data: null, message });
        record({ method_name: lookup.name, params, user, status: 501, message, outcome: 'unmodelled' });
      } else if (error instanceof ProxmoxError || error instanceof Died) {
        const status = error instanceof ProxmoxError ? error.status : 500;
        const errors = error instanceof ProxmoxError ? error.errors : undefined;
        // Formatter/Standard.pm:14 prepare_response_data: data, the errors, and the message.
        send(status, error.message, { data: null, ...(errors ? { errors } : {}), message: error.message });
        record({ method_name: lookup.name, params, user, status, message: error.message, errors, outcome: verification ? 'schema' : 'refused' });
      } else {
        const message = `proxmox-sim internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`;
        send(500, message.split('\n')[0], { data: null, message });
        record({ method_name: lookup.name, params, user, status: 500, message, outcome: 'internal' });
      }
    }
  }

  /**
   * HTTPServer.pm:176-187 resolve_proxyto: a method bound to a node is proxied there; a node that is not in
   * the cluster cannot be resolved (pve-cluster src/PVE/Cluster.pm:808 remote_node_ip falls back to a DNS
   * lookup, pve-common PVE/Network.pm get_ip_from_hostname).
   */
  private checkProxyTarget(schema: MethodSchema, params: Record<string, Value>): void {
    if (!schema.proxyto) return;
    const node = params[schema.proxyto];
    if (node === undefined) throw new ProxmoxError(400, 'Parameter verification failed.\n', { [schema.proxyto]: 'proxyto parameter does not exist' });
    if (!this.cluster.nodes.includes(String(node))) {
      throw new Died(`hostname lookup '${node}' failed - failed to get address info for: ${node}: Name or service not known\n`);
    }
  }
}

export { SCHEMA_SOURCE };
