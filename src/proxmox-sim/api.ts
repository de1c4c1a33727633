/**
 * The modelled methods outside `/nodes/{node}/qemu` (cluster, nodes, storage, tasks, pools, access), and the
 * table of every handler. Handlers get parameters already checked against the schema and permissions.
 */
import { AccessControl, Died, ProxmoxError } from './access';
import type { Cluster } from './cluster';
import { splitList, Value } from './json-schema';
import { checkVolumeAccess, QEMU_HANDLERS } from './qemu';
import { decodeUpid, Tasks } from './tasks';

/** What a handler works on: the cluster and its services. */
export interface SimCore {
  readonly cluster: Cluster;
  readonly access: AccessControl;
  readonly tasks: Tasks;
  readonly version: { readonly version: string; readonly release: string; readonly repoid: string };
}

export interface RequestContext {
  readonly params: Record<string, Value>;
  /** The authenticated user, or token ID (`user@realm!token`). */
  readonly user: string;
  readonly sim: SimCore;
}

export type Handler = (ctx: RequestContext) => unknown;

const die = (message: string): never => { throw new Died(`${message}\n`); };
const paramError = (errors: Record<string, string>): never => { throw new ProxmoxError(400, 'Parameter verification failed.\n', errors); };
const requireNode = (ctx: RequestContext) => String(ctx.params.node);

/** pve-manager PVE/API2/Cluster.pm:984 nextid. */
const nextId: Handler = (ctx) => {
  const { vms } = ctx.sim.cluster;
  if (ctx.params.vmid !== undefined) {
    const vmid = Number(ctx.params.vmid);
    // The requested VMID is echoed as the parameter string it came as.
    if (!vms.has(vmid)) return String(ctx.params.vmid);
    paramError({ vmid: `VM ${vmid} already exists` });
  }
  for (let vmid = 100; vmid < 1_000_000; vmid++) if (!vms.has(vmid)) return vmid;
  return die('unable to get any free VMID in range [100, 1000000]');
};

/** pve-manager PVE/API2/Cluster.pm:256 resources: VMs, nodes, storages and pools the user may see. */
const resources: Handler = (ctx) => {
  const { cluster, access } = ctx.sim;
  const type = ctx.params.type === undefined ? undefined : String(ctx.params.type);
  const result: Record<string, unknown>[] = [];
  if (type === undefined || type === 'vm') {
    for (const vm of cluster.vms.values()) {
      if (!access.has(ctx.user, `/vms/${vm.vmid}`, ['VM.Audit'])) continue;
      const memory = Number(/(?:current=)?(\d+)/.exec(vm.config.memory ?? '512')?.[1] ?? 512);
      result.push({
        id: `qemu/${vm.vmid}`, type: 'qemu', vmid: vm.vmid, node: vm.node, name: vm.config.name, status: vm.running ? 'running' : 'stopped',
        template: vm.config.template === '1' ? 1 : 0, maxcpu: Number(vm.config.cores ?? 1) * Number(vm.config.sockets ?? 1), maxmem: memory * 1024 ** 2,
        ...(cluster.vmPool.has(vm.vmid) ? { pool: cluster.vmPool.get(vm.vmid) } : {}), ...(vm.config.tags ? { tags: vm.config.tags } : {}),
        ...(vm.config.lock ? { lock: vm.config.lock } : {}),
      });
    }
  }
  if (type === undefined || type === 'node') {
    for (const node of cluster.nodes) {
      if (!access.has(ctx.user, `/nodes/${node}`, ['Sys.Audit'])) continue;
      result.push({ id: `node/${node}`, type: 'node', node, status: 'online', level: '', maxcpu: 16, maxmem: 64 * 1024 ** 3, maxdisk: 1024 ** 4 });
    }
  }
  if (type === undefined || type === 'storage') {
    for (const node of cluster.nodes) {
      for (const storage of cluster.storages.values()) {
        if (!cluster.storageOnNode(storage.id, node) || !access.has(ctx.user, `/storage/${storage.id}`, ['Datastore.Audit', 'Datastore.AllocateSpace'], true)) continue;
        result.push({
          id: `storage/${node}/${storage.id}`, type: 'storage', storage: storage.id, node, status: 'available', plugintype: storage.type,
          content: [...storage.content].sort().join(','), shared: storage.shared ? 1 : 0, maxdisk: storage.totalBytes, disk: cluster.usedBytes(storage.id, node),
        });
      }
    }
  }
  if (type === undefined || type === 'pool') {
    for (const pool of cluster.pools.keys()) if (access.has(ctx.user, `/pool/${pool}`, ['Pool.Audit'])) result.push({ id: `/pool/${pool}`, type: 'pool', pool });
  }
  return result;
};

/** pve-manager PVE/API2/Cluster.pm:838 get_status: the cluster's nodes. */
const clusterStatus: Handler = (ctx) => ctx.sim.cluster.nodes.map((node, index) => ({
  id: `node/${node}`, type: 'node', name: node, nodeid: index + 1, online: 1, local: index === 0 ? 1 : 0, ip: `192.0.2.${index + 10}`, level: '',
}));

/**
 * pve-ha-manager 5.2.0 (b53aa83f) src/PVE/API2/HA/Resources.pm:102 read: the simulator's guests are never HA
 * managed, so every resource is unknown (:27 "no such resource"), after parse_sid (src/PVE/HA/Config.pm:189)
 * turned a bare VMID into `vm:<vmid>`.
 */
const haResource: Handler = (ctx) => {
  let sid = String(ctx.params.sid);
  if (/^\d+$/.test(sid)) {
    if (!ctx.sim.cluster.vms.has(Number(sid))) die(`unable to detect SID from VMID - VM/CT ${sid} does not exist`);
    sid = `vm:${sid}`;
  } else if (!/^(\S+):(\S+)$/.test(sid)) die(`unable to parse service id '${sid}'`);
  return die(`no such resource '${sid}'`);
};

/** pve-manager PVE/API2/Nodes.pm:2838 index (PVE::API2::Nodes). */
const nodes: Handler = (ctx) => ctx.sim.cluster.nodes.map((node) => ({
  node, status: 'online', id: `node/${node}`, type: 'node', level: '',
  ...(ctx.sim.access.has(ctx.user, `/nodes/${node}`, ['Sys.Audit']) ? { maxcpu: 16, maxmem: 64 * 1024 ** 3, mem: 8 * 1024 ** 3, cpu: 0.05, uptime: 86400 } : {}),
}));

const nodeStatus: Handler = () => ({
  uptime: 86400, cpu: 0.05, memory: { total: 64 * 1024 ** 3, used: 8 * 1024 ** 3, free: 56 * 1024 ** 3 }, cpuinfo: { cpus: 16, sockets: 1, cores: 16 },
  pveversion: 'pve-manager/9.1.9/ee7bad0a', kversion: 'Linux 6.17.2-1-pve', loadavg: ['0.05', '0.04', '0.01'],
});

function checkStorageOnNode(ctx: RequestContext): string {
  const storage = String(ctx.params.storage);
  const node = requireNode(ctx);
  if (!ctx.sim.cluster.storages.has(storage)) die(`storage '${storage}' does not exist`);
  if (!ctx.sim.cluster.storageOnNode(storage, node)) die(`storage '${storage}' is not available on node '${node}'`);
  return storage;
}

function storageStatus(ctx: RequestContext, id: string): Record<string, unknown> {
  const { cluster } = ctx.sim;
  const storage = cluster.storages.get(id)!;
  const used = cluster.usedBytes(id, requireNode(ctx));
  return {
    storage: id, type: storage.type, content: [...storage.content].sort().join(','), active: 1, enabled: 1, shared: storage.shared ? 1 : 0,
    total: storage.totalBytes, used, avail: storage.totalBytes - used, used_fraction: used / storage.totalBytes,
  };
}

/** pve-storage src/PVE/API2/Storage/Status.pm:66 index: the node's storages the user may see. */
const nodeStorages: Handler = (ctx) => {
  const { cluster, access } = ctx.sim;
  const node = requireNode(ctx);
  const content = ctx.params.content === undefined ? undefined : String(ctx.params.content);
  return [...cluster.storages.values()]
    .filter((storage) => cluster.storageOnNode(storage.id, node))
    .filter((storage) => ctx.params.storage === undefined || storage.id === String(ctx.params.storage))
    .filter((storage) => content === undefined || splitList(content).some((type) => storage.content.has(type)))
    .filter((storage) => access.has(ctx.user, `/storage/${storage.id}`, ['Datastore.Audit', 'Datastore.AllocateSpace'], true))
    .map((storage) => storageStatus(ctx, storage.id));
};

/** pve-storage src/PVE/API2/Storage/Status.pm:324 read_status. */
const storageStatusHandler: Handler = (ctx) => storageStatus(ctx, checkStorageOnNode(ctx));

/** pve-storage src/PVE/API2/Storage/Content.pm:20 index: the volumes on the storage, as the node sees them. */
const storageContent: Handler = (ctx) => {
  const storage = checkStorageOnNode(ctx);
  const node = requireNode(ctx);
  return [...ctx.sim.cluster.volumes.values()]
    .filter((volume) => volume.storage === storage && (volume.node === undefined || volume.node === node))
    .filter((volume) => ctx.params.vmid === undefined || volume.vmid === Number(ctx.params.vmid))
    .map((volume) => ({ volid: volume.volid, format: volume.format, size: volume.sizeBytes, vmid: volume.vmid, content: 'images' }));
};

/** pve-storage src/PVE/API2/Storage/Content.pm:290 info: one volume's size and format. */
const volumeInfo: Handler = (ctx) => {
  const node = requireNode(ctx);
  const volume = String(ctx.params.volume);
  const storage = ctx.params.storage === undefined ? undefined : String(ctx.params.storage);
  // Content.pm:264 $real_volume_id.
  let volid = volume;
  if (volume.includes(':')) {
    const sid = volume.slice(0, volume.indexOf(':'));
    if (storage && sid !== storage) paramError({ volume: `storage ID mismatch (${sid} != ${storage})\n` });
  } else {
    if (!storage) paramError({ volume: 'no storage specified - incomplete volume ID' });
    volid = `${storage}:${volume}`;
  }
  checkVolumeAccess(ctx, undefined, volid);
  const found = ctx.sim.cluster.volume(volid, node);
  if (!found) die(`volume_size_info on '${volid}' failed - no format`);
  return { path: `/dev/zvol/${volid.replace(':', '/')}`, size: found!.sizeBytes, used: found!.sizeBytes, format: found!.format };
};

/** pve-manager PVE/API2/Tasks.pm:19-37: the token's user is split out; the owner needs no Sys.Audit. */
function readTask(ctx: RequestContext) {
  const upid = String(ctx.params.upid);
  const decoded = decodeUpid(upid);
  if (!decoded) paramError({ upid: 'unable to parse worker upid' });
  const task = ctx.sim.tasks.get(upid);
  if (!task) paramError({ upid: 'no such task' });
  const token = /^(.+@[^!]+)!(.+)$/.exec(decoded!.user);
  const owner = token ? ctx.user === decoded!.user || ctx.user === token[1] : ctx.user === decoded!.user;
  if (!owner) ctx.sim.access.check(ctx.user, `/nodes/${requireNode(ctx)}`, ['Sys.Audit']);
  return { task: task!, user: token ? token[1] : decoded!.user, tokenid: token?.[2] };
}

/** pve-manager PVE/API2/Tasks.pm:454 read_task_status. */
const taskStatus: Handler = (ctx) => {
  const { task, user, tokenid } = readTask(ctx);
  return {
    upid: task.upid, node: task.node, pid: task.pid, pstart: task.pstart, starttime: task.starttime, type: task.type, id: task.id, user,
    ...(tokenid ? { tokenid } : {}),
    status: task.exitstatus === undefined ? 'running' : 'stopped',
    ...(task.exitstatus !== undefined ? { exitstatus: task.exitstatus } : {}),
  };
};

/** pve-manager PVE/API2/Tasks.pm:335 read_task_log: lines numbered from 1, `start` and `limit` (50). */
const taskLog: Handler = (ctx) => {
  const { task } = readTask(ctx);
  const start = Number(ctx.params.start ?? 0);
  const limit = Number(ctx.params.limit ?? 50);
  const lines = task.log.length > 0 ? task.log : ['no content'];
  return lines.slice(start, start + limit).map((line, index) => ({ n: start + index + 1, t: line }));
};

/** pve-manager PVE/API2/Pool.pm:20 index (one pool with its members when `poolid` is given). */
const pools: Handler = (ctx) => {
  const { cluster, access } = ctx.sim;
  const poolid = ctx.params.poolid === undefined ? undefined : String(ctx.params.poolid);
  if (poolid !== undefined) {
    access.has(ctx.user, `/pool/${poolid}`, ['Pool.Audit']);
    const pool = cluster.pools.get(poolid);
    if (!pool) die(`pool '${poolid}' does not exist`);
    const members: Record<string, unknown>[] = [];
    for (const vmid of [...pool!.vms].sort((a, b) => a - b)) {
      const vm = cluster.vms.get(vmid);
      if (!vm || (ctx.params.type !== undefined && String(ctx.params.type) !== 'qemu')) continue;
      members.push({ id: `qemu/${vmid}`, type: 'qemu', vmid, node: vm.node, name: vm.config.name, status: vm.running ? 'running' : 'stopped', template: vm.config.template === '1' ? 1 : 0 });
    }
    if (ctx.params.type === undefined || String(ctx.params.type) === 'storage') {
      for (const storage of [...pool!.storage].sort()) members.push({ id: `storage/${cluster.nodes[0]}/${storage}`, type: 'storage', storage, node: cluster.nodes[0] });
    }
    return [{ poolid, members, ...(pool!.comment !== undefined ? { comment: pool!.comment } : {}) }];
  }
  return [...cluster.pools.keys()].sort().filter((id) => access.has(ctx.user, `/pool/${id}`, ['Pool.Audit']))
    .map((id) => ({ poolid: id, ...(cluster.pools.get(id)!.comment !== undefined ? { comment: cluster.pools.get(id)!.comment } : {}) }));
};

/** pve-manager PVE/API2/Pool.pm:386 read_pool. */
const readPool: Handler = (ctx) => (pools(ctx) as unknown[])[0];

/** pve-manager PVE/API2/Pool.pm:161 create_pool. */
const createPool: Handler = (ctx) => {
  const id = String(ctx.params.poolid);
  try {
    if (ctx.sim.cluster.pools.has(id)) die(`pool '${id}' already exists`);
    const parent = id.includes('/') ? id.slice(0, id.lastIndexOf('/')) : undefined;
    if (parent !== undefined && !ctx.sim.cluster.pools.has(parent)) die(`parent '${parent}' of pool '${id}' does not exist`);
    if (!/^[A-Za-z]/.test(id.slice(id.lastIndexOf('/') + 1))) die('pool name must start with a letter');
  } catch (error) {
    // pve-access-control src/PVE/AccessControl.pm:81 lock_user_config: "<errmsg>: <error>".
    die(`create pool failed: ${(error as Error).message.trimEnd()}`);
  }
  ctx.sim.cluster.pools.set(id, { comment: ctx.params.comment === undefined ? undefined : String(ctx.params.comment), vms: new Set(), storage: new Set() });
  return null;
};

/** pve-manager PVE/API2/Pool.pm:271 update_pool (and :218, its deprecated path form). */
const updatePool: Handler = (ctx) => {
  const { cluster, access } = ctx.sim;
  const id = String(ctx.params.poolid);
  const remove = ['1', 'true'].includes(String(ctx.params.delete ?? '0'));
  try {
    const pool = cluster.pools.get(id);
    if (!pool) die(`pool '${id}' does not exist`);
    if (ctx.params.comment !== undefined) pool!.comment = String(ctx.params.comment);
    for (const text of ctx.params.vms === undefined ? [] : splitList(String(ctx.params.vms))) {
      const vmid = Number(text);
      // pve-access-control src/PVE/RPCEnvironment.pm:442 check_perm_modify.
      access.check(ctx.user, `/vms/${vmid}`, ['Permissions.Modify', 'VM.Allocate'], true);
      if (remove) {
        if (!pool!.vms.has(vmid)) die(`VM ${vmid} is not a pool member`);
        pool!.vms.delete(vmid);
        cluster.vmPool.delete(vmid);
      } else {
        if (pool!.vms.has(vmid)) die(`VM ${vmid} is already a pool member`);
        const existing = cluster.vmPool.get(vmid);
        if (existing !== undefined) {
          if (!['1', 'true'].includes(String(ctx.params['allow-move'] ?? '0'))) die(`VM ${vmid} belongs already to pool '${existing}' and 'allow-move' is not set`);
          access.check(ctx.user, `/pool/${existing}`, ['Pool.Allocate']);
          cluster.pools.get(existing)?.vms.delete(vmid);
        }
        cluster.addToPool(vmid, id);
      }
    }
    for (const storage of ctx.params.storage === undefined ? [] : splitList(String(ctx.params.storage))) {
      access.check(ctx.user, `/storage/${storage}`, ['Permissions.Modify', 'Datastore.Allocate'], true);
      if (remove) {
        if (!pool!.storage.has(storage)) die(`Storage '${storage}' is not a pool member`);
        pool!.storage.delete(storage);
      } else {
        if (pool!.storage.has(storage)) die(`Storage '${storage}' is already a pool member`);
        pool!.storage.add(storage);
      }
    }
  } catch (error) {
    if (error instanceof ProxmoxError) throw error;
    die(`update pools failed: ${(error as Error).message.trimEnd()}`);
  }
  return null;
};

/** pve-manager PVE/API2/Pool.pm:479 delete_pool. */
const deletePool: Handler = (ctx) => {
  const { cluster } = ctx.sim;
  const id = String(ctx.params.poolid);
  try {
    const pool = cluster.pools.get(id);
    if (!pool) die(`pool '${id}' does not exist`);
    for (const vmid of [...pool!.vms].sort((a, b) => a - b)) if (cluster.vms.has(vmid)) die(`pool '${id}' is not empty (contains VM ${vmid})`);
    for (const storage of [...pool!.storage].sort()) if (cluster.storages.has(storage)) die(`pool '${id}' is not empty (contains storage '${storage}')`);
  } catch (error) {
    die(`delete pool failed: ${(error as Error).message.trimEnd()}`);
  }
  cluster.pools.delete(id);
  return null;
};

/** pve-access-control src/PVE/API2/AccessControl.pm:510 permissions, via RPCEnvironment.pm:241 get_effective_permissions. */
const permissions: Handler = (ctx) => {
  const { cluster, access } = ctx.sim;
  const who = ctx.params.userid === undefined ? ctx.user : String(ctx.params.userid);
  if (who !== ctx.user) access.check(ctx.user, '/access', ['Sys.Audit']);
  const paths = new Set(['/', '/access', '/access/groups', '/nodes', '/pool', '/sdn', '/storage', '/vms']);
  for (const node of cluster.nodes) paths.add(`/nodes/${node}`);
  for (const [pool, members] of cluster.pools) { paths.add(`/pool/${pool}`); for (const vmid of members.vms) paths.add(`/vms/${vmid}`); }
  for (const storage of cluster.storages.keys()) paths.add(`/storage/${storage}`);
  if (ctx.params.path !== undefined) { paths.clear(); paths.add(String(ctx.params.path)); }
  const result: Record<string, Record<string, number>> = {};
  for (const path of paths) {
    const held = access.permissions(who, path);
    if (held.size > 0) result[path] = Object.fromEntries([...held].sort().map((privilege) => [privilege, 1]));
  }
  return result;
};

export const HANDLERS: Record<string, Handler> = {
  ...QEMU_HANDLERS,
  'GET /version': (ctx) => ctx.sim.version,
  'GET /cluster/nextid': nextId,
  'GET /cluster/resources': resources,
  'GET /cluster/status': clusterStatus,
  'GET /cluster/ha/resources/{sid}': haResource,
  'GET /nodes': nodes,
  'GET /nodes/{node}/status': nodeStatus,
  'GET /nodes/{node}/tasks/{upid}/status': taskStatus,
  'GET /nodes/{node}/tasks/{upid}/log': taskLog,
  'GET /nodes/{node}/storage': nodeStorages,
  'GET /nodes/{node}/storage/{storage}/status': storageStatusHandler,
  'GET /nodes/{node}/storage/{storage}/content': storageContent,
  'GET /nodes/{node}/storage/{storage}/content/{volume}': volumeInfo,
  'GET /pools': pools,
  'POST /pools': createPool,
  'PUT /pools': updatePool,
  'GET /pools/{poolid}': readPool,
  'PUT /pools/{poolid}': updatePool,
  'DELETE /pools': deletePool,
  'DELETE /pools/{poolid}': deletePool,
  'GET /access/permissions': permissions,
};
