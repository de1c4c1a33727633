/**
 * The VM lifecycle as qemu-server behaves: clone tasks and UPIDs, where a VM's config lives, VMID uniqueness,
 * grow-only resize, pending changes applied at the next start, the cloud-init drive, power, delete, migration,
 * pools, and the guest agent, with faults injected from the test.
 */
import { startProxmoxSim, type ProxmoxSim } from '../../src/proxmox-sim';
import { TEST_SSH_KEY } from '../_helpers';
import { call, runTask, waitTask } from './_client';

let sim: ProxmoxSim;
beforeEach(async () => { sim = await startProxmoxSim(); });
afterEach(async () => { await sim.stop(); });

/** A full clone of template 9000 on node pve, waited for. */
async function cloneTemplate(newid: number, params: Record<string, string | number> = {}): Promise<string> {
  return runTask(sim, 'POST', '/nodes/pve/qemu/9000/clone', { newid, full: 1, ...params });
}

describe('clone', () => {
  test('answers a UPID as Proxmox encodes it; the task runs until its configured time, then stops with OK', async () => {
    sim.setTaskDuration('qmclone', 600_000);
    const reply = await call(sim, 'POST', '/nodes/pve/qemu/9000/clone', { newid: 123, full: 1, name: 'web' });
    expect(reply.body.data).toMatch(/^UPID:pve:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmclone:9000:fabric@pve!crossplane:$/);
    const running = await call(sim, 'GET', `/nodes/pve/tasks/${encodeURIComponent(reply.body.data)}/status`);
    expect(running.body.data).toMatchObject({ status: 'running', type: 'qmclone', id: '9000', user: 'fabric@pve', tokenid: 'crossplane' });
    expect(running.body.data.exitstatus).toBeUndefined();
    // While the disks are copied the new VM exists, locked: its VMID is taken and clients wait for the lock.
    expect((await call(sim, 'GET', '/nodes/pve/qemu/123/status/current')).body.data.lock).toBe('clone');
    await sim.finishTasks();
    expect((await waitTask(sim, reply.body.data)).exitstatus).toBe('OK');
    expect((await call(sim, 'GET', '/nodes/pve/qemu/123/status/current')).body.data.lock).toBeUndefined();
    const log = await call(sim, 'GET', `/nodes/pve/tasks/${encodeURIComponent(reply.body.data)}/log`);
    expect(log.body.data[0]).toEqual({ n: 1, t: 'creating a clone of VM 9000 with ID 123' });
    expect(log.body.data.at(-1).t).toBe('TASK OK');
  });

  test('the clone has the template\'s settings, a new MAC, a new SMBIOS UUID, its own disks and no template flag', async () => {
    expect(await cloneTemplate(123, { name: 'web' })).toBe('OK');
    const template = sim.vm(9000)!;
    const clone = sim.vm(123)!;
    expect(clone).toMatchObject({ node: 'pve', running: false, pool: undefined });
    expect(clone.config).toMatchObject({ name: 'web', cores: template.config.cores, memory: template.config.memory, boot: template.config.boot });
    expect(clone.config.template).toBeUndefined();
    expect(clone.config.net0.replace(/=[0-9A-F:]{17}/, '=MAC')).toBe(template.config.net0.replace(/=[0-9A-F:]{17}/, '=MAC'));
    expect(clone.config.net0).not.toBe(template.config.net0);
    expect(clone.config.smbios1).toMatch(/^uuid=[0-9a-f-]{36}$/);
    expect(clone.config.smbios1).not.toBe(template.config.smbios1);
    expect(clone.disks).toEqual({
      scsi0: { volid: 'local-zfs:vm-123-disk-0', sizeBytes: 4 * 1024 ** 3, storage: 'local-zfs' },
      ide2: { volid: 'local-zfs:vm-123-cloudinit', sizeBytes: 4 * 1024 ** 2, storage: 'local-zfs' },
    });
  });

  test('a template is linked-cloned unless `full` is asked for', async () => {
    expect(await runTask(sim, 'POST', '/nodes/pve/qemu/9000/clone', { newid: 124 })).toBe('OK');
    expect(sim.vm(124)!.disks.scsi0.volid).toBe('local-zfs:base-9000-disk-0/vm-124-disk-0');
  });

  test('the template\'s config is read on the node the request names: another node has no such file', async () => {
    const reply = await call(sim, 'POST', '/nodes/pve2/qemu/9000/clone', { newid: 123, full: 1 });
    expect([reply.status, reply.reason, reply.body.message]).toEqual([500, "Configuration file 'nodes/pve2/qemu-server/9000.conf' does not exist",
      "Configuration file 'nodes/pve2/qemu-server/9000.conf' does not exist\n"]);
  });

  test('a VMID taken on the same node is refused at once with 500 "config file already exists"', async () => {
    sim.addVm({ vmid: 120, node: 'pve', name: 'someone-elses' });
    const reply = await call(sim, 'POST', '/nodes/pve/qemu/9000/clone', { newid: 120, full: 1 });
    expect([reply.status, reply.reason]).toEqual([500, 'unable to create VM 120: config file already exists']);
    expect(sim.vm(120)!.config.name).toBe('someone-elses');
  });

  test('a VMID taken on another node passes the early check and fails the task (pmxcfs refuses the file)', async () => {
    sim.addVm({ vmid: 120, node: 'pve2', name: 'someone-elses' });
    const exitstatus = await runTask(sim, 'POST', '/nodes/pve/qemu/9000/clone', { newid: 120, full: 1 });
    expect(exitstatus).toBe("close (rename) atomic file '/etc/pve/nodes/pve/qemu-server/120.conf' failed: File exists");
    expect(sim.vm(120)).toMatchObject({ node: 'pve2', config: expect.objectContaining({ name: 'someone-elses' }) });
  });

  test('/cluster/nextid gives the lowest free VMID, and refuses to confirm a taken one', async () => {
    expect((await call(sim, 'GET', '/cluster/nextid')).body.data).toBe(101);
    expect((await call(sim, 'GET', '/cluster/nextid', { vmid: 500 })).body.data).toBe('500');
    const taken = await call(sim, 'GET', '/cluster/nextid', { vmid: 9000 });
    expect([taken.status, taken.body.errors]).toEqual([400, { vmid: 'VM 9000 already exists' }]);
  });
});

describe('disks', () => {
  beforeEach(async () => { expect(await cloneTemplate(123)).toBe('OK'); });

  test('a disk grows; it never shrinks (the task fails with qemu-server\'s message)', async () => {
    expect(await runTask(sim, 'PUT', '/nodes/pve/qemu/123/resize', { disk: 'scsi0', size: '32G' })).toBe('OK');
    expect(sim.vm(123)!.disks.scsi0.sizeBytes).toBe(32 * 1024 ** 3);
    expect(sim.vm(123)!.config.scsi0).toBe('local-zfs:vm-123-disk-0,size=32G');
    expect(await runTask(sim, 'PUT', '/nodes/pve/qemu/123/resize', { disk: 'scsi0', size: '+1G' })).toBe('OK');
    expect(await runTask(sim, 'PUT', '/nodes/pve/qemu/123/resize', { disk: 'scsi0', size: '8G' })).toBe('shrinking disks is not supported');
    expect(sim.vm(123)!.disks.scsi0.sizeBytes).toBe(33 * 1024 ** 3);
  });

  test('a size Proxmox cannot read is refused by the schema', async () => {
    const reply = await call(sim, 'PUT', '/nodes/pve/qemu/123/resize', { disk: 'scsi0', size: '32GB' });
    expect([reply.status, reply.body.errors]).toEqual([400, { size: 'value does not match the regex pattern' }]);
  });

  test('`<storage>:<GiB>` allocates a new disk; replacing a disk leaves the old one as unused', async () => {
    expect((await call(sim, 'PUT', '/nodes/pve/qemu/123/config', { scsi1: 'tank:200,discard=on' })).status).toBe(200);
    expect(sim.vm(123)!.config.scsi1).toBe('tank:vm-123-disk-0,discard=on,size=200G');
    expect((await call(sim, 'PUT', '/nodes/pve/qemu/123/config', { scsi1: 'tank:10' })).status).toBe(200);
    expect(sim.vm(123)!.config).toMatchObject({ scsi1: 'tank:vm-123-disk-1,size=10G', unused0: 'tank:vm-123-disk-0' });
  });

  test('a VM has one cloud-init drive', async () => {
    const reply = await call(sim, 'PUT', '/nodes/pve/qemu/123/config', { ide0: 'local-zfs:cloudinit' });
    expect([reply.status, reply.body.message]).toEqual([500, "ide0 - cloud-init drive is already attached at 'ide2'\n"]);
  });
});

describe('pending changes', () => {
  beforeEach(async () => {
    expect(await cloneTemplate(123)).toBe('OK');
    expect(await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/start')).toBe('OK');
  });

  test('on a running VM, memory (without memory hotplug), CPU and SMBIOS changes wait for the next start', async () => {
    const smbios1 = 'base64=1,serial=Zm9v,uuid=0d0c1e5a-1b2c-4d5e-8f90-123456789abc';
    expect((await call(sim, 'PUT', '/nodes/pve/qemu/123/config', { memory: 4096, cores: 4, smbios1, name: 'renamed' })).status).toBe(200);
    const vm = sim.vm(123)!;
    expect(vm.pending).toEqual({ memory: '4096', cores: '4', smbios1 });
    // Fast-plug options apply at once.
    expect(vm.config.name).toBe('renamed');
    // GET config shows the pending values; ?current=1 what runs.
    expect((await call(sim, 'GET', '/nodes/pve/qemu/123/config')).body.data).toMatchObject({ memory: '4096', cores: 4, smbios1 });
    expect((await call(sim, 'GET', '/nodes/pve/qemu/123/config', { current: 1 })).body.data).toMatchObject({ memory: '2048', cores: 2 });
    expect((await call(sim, 'GET', '/nodes/pve/qemu/123/pending')).body.data).toEqual(expect.arrayContaining([{ key: 'memory', value: '2048', pending: '4096' }]));
  });

  test('with memory hotplug, memory applies to the running VM', async () => {
    sim.cluster.vms.get(123)!.config.hotplug = 'network,disk,memory';
    expect((await call(sim, 'PUT', '/nodes/pve/qemu/123/config', { memory: 4096 })).status).toBe(200);
    expect(sim.vm(123)).toMatchObject({ pending: {}, config: expect.objectContaining({ memory: '4096' }) });
  });

  test('a reboot applies pending changes; so does a stop and start', async () => {
    await call(sim, 'PUT', '/nodes/pve/qemu/123/config', { memory: 4096 });
    expect(await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/reboot')).toBe('OK');
    expect(sim.vm(123)).toMatchObject({ running: true, pending: {}, config: expect.objectContaining({ memory: '4096' }) });
    await call(sim, 'PUT', '/nodes/pve/qemu/123/config', { cores: 4 });
    expect(await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/stop')).toBe('OK');
    expect(sim.vm(123)).toMatchObject({ running: false, pending: {}, config: expect.objectContaining({ cores: '4' }) });
  });

  test('cloud-init settings are written at once but reach the drive at the next start', async () => {
    const sshkeys = encodeURIComponent(TEST_SSH_KEY);
    await call(sim, 'PUT', '/nodes/pve/qemu/123/config', { ciuser: 'admin', sshkeys, ipconfig0: 'ip=10.0.1.10/24,gw=10.0.1.1' });
    expect(sim.vm(123)!.config).toMatchObject({ ciuser: 'admin', sshkeys, ipconfig0: 'ip=10.0.1.10/24,gw=10.0.1.1' });
    expect(sim.vm(123)!.cloudinit).toEqual({ hostname: 'Copy-of-VM-nixos-template' });
    expect(await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/reboot')).toBe('OK');
    expect(sim.vm(123)!.cloudinit).toEqual({ hostname: 'Copy-of-VM-nixos-template', ciuser: 'admin', sshkeys, ipconfig0: 'ip=10.0.1.10/24,gw=10.0.1.1' });
  });

  test('tags are stored lower-cased, sorted and unique', async () => {
    await call(sim, 'PUT', '/nodes/pve/qemu/123/config', { tags: 'role-dns;Environment-production;role-dns' });
    expect(sim.vm(123)!.config.tags).toBe('environment-production;role-dns');
  });
});

describe('power and delete', () => {
  beforeEach(async () => { expect(await cloneTemplate(123)).toBe('OK'); });

  test('a template cannot be started; a running VM not started twice', async () => {
    expect(await runTask(sim, 'POST', '/nodes/pve/qemu/9000/status/start')).toBe("you can't start a vm if it's a template");
    expect(await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/start')).toBe('OK');
    expect(await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/start')).toBe('VM 123 already running');
  });

  test('a shutdown the guest ignores times out; forceStop stops it anyway', async () => {
    await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/start');
    sim.setIgnoresShutdown(123, true);
    expect(await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/shutdown')).toBe('VM quit/powerdown failed - got timeout');
    expect(await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/shutdown', { forceStop: 1 })).toBe('OK');
    expect(sim.vm(123)!.running).toBe(false);
  });

  test('a running VM is not deleted; a stopped one is, with its disks and its pool membership', async () => {
    sim.grant({ path: '/pool', role: 'PVEPoolAdmin', user: 'fabric@pve' });
    expect((await call(sim, 'PUT', '/pools', { poolid: 'fabric', vms: 123 })).status).toBe(200);
    await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/start');
    const refused = await call(sim, 'DELETE', '/nodes/pve/qemu/123', { purge: 1 });
    expect([refused.status, refused.reason]).toEqual([500, 'VM 123 is running - destroy failed']);
    await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/stop');
    expect(await runTask(sim, 'DELETE', '/nodes/pve/qemu/123', { purge: 1, 'destroy-unreferenced-disks': 1 })).toBe('OK');
    expect(sim.vm(123)).toBeUndefined();
    expect((await call(sim, 'GET', '/nodes/pve/storage/local-zfs/content', { vmid: 123 })).body.data).toEqual([]);
    expect((await call(sim, 'GET', '/pools/fabric')).body.data.members).toEqual([]);
  });

  test('a VM moved to another node behind the client\'s back is no longer found where it was', async () => {
    sim.moveVm(123, 'pve2');
    expect((await call(sim, 'GET', '/nodes/pve/qemu/123/config')).reason).toBe("Configuration file 'nodes/pve/qemu-server/123.conf' does not exist");
    expect((await call(sim, 'GET', '/cluster/resources', { type: 'vm' })).body.data).toContainEqual(expect.objectContaining({ vmid: 123, node: 'pve2' }));
  });

  test('no VM is HA-managed: its HA resource is unknown, as bpg checks before a migration', async () => {
    const reply = await call(sim, 'GET', '/cluster/ha/resources/vm:123');
    expect([reply.status, reply.body.message]).toEqual([500, "no such resource 'vm:123'\n"]);
    expect((await call(sim, 'GET', '/cluster/ha/resources/123')).body.message).toBe("no such resource 'vm:123'\n");
  });

  test('migrate moves a stopped VM and its local disks to the target node', async () => {
    // qemu-server src/PVE/API2/Qemu.pm:5365-5373: VM.Migrate on the VM (the documented role has it).
    sim.revoke(() => true);
    sim.grant({ path: '/', role: 'PVEVMUser', user: 'fabric@pve' });
    expect((await call(sim, 'POST', '/nodes/pve/qemu/123/migrate', { target: 'pve3' })).reason).toBe('Permission check failed (/vms/123, VM.Migrate)');
    sim.grant({ path: '/', role: 'FabricProvisioner', user: 'fabric@pve' });
    expect(await runTask(sim, 'POST', '/nodes/pve/qemu/123/migrate', { target: 'pve3', 'with-local-disks': 1 })).toBe('OK');
    expect(sim.vm(123)!.node).toBe('pve3');
    expect((await call(sim, 'GET', '/nodes/pve3/storage/local-zfs/content', { vmid: 123 })).body.data.map((volume: any) => volume.volid).sort())
      .toEqual(['local-zfs:vm-123-cloudinit', 'local-zfs:vm-123-disk-0']);
  });
});

describe('pools', () => {
  beforeEach(async () => { expect(await cloneTemplate(123, { pool: 'infra' })).toBe('OK'); });

  test('changing a pool\'s members needs Pool.Allocate, which the documented role does not have', async () => {
    const reply = await call(sim, 'PUT', '/pools', { poolid: 'fabric', vms: 123, 'allow-move': 1 });
    expect([reply.status, reply.reason]).toEqual([403, 'Permission check failed (/pool/fabric, Pool.Allocate)']);
  });

  test('a VM belongs to one pool: moving it needs allow-move', async () => {
    sim.grant({ path: '/pool', role: 'PVEPoolAdmin', user: 'fabric@pve' });
    expect(sim.vm(123)!.pool).toBe('infra');
    const refused = await call(sim, 'PUT', '/pools', { poolid: 'fabric', vms: 123 });
    expect([refused.status, refused.body.message]).toEqual([500, "update pools failed: VM 123 belongs already to pool 'infra' and 'allow-move' is not set\n"]);
    expect((await call(sim, 'PUT', '/pools', { poolid: 'fabric', vms: 123, 'allow-move': 1 })).status).toBe(200);
    expect(sim.vm(123)!.pool).toBe('fabric');
  });

  test('removing a VM that is not a member is refused', async () => {
    sim.grant({ path: '/pool', role: 'PVEPoolAdmin', user: 'fabric@pve' });
    const reply = await call(sim, 'PUT', '/pools', { poolid: 'fabric', vms: 123, delete: 1 });
    expect(reply.body.message).toBe('update pools failed: VM 123 is not a pool member\n');
  });
});

describe('guest agent', () => {
  beforeEach(async () => { expect(await cloneTemplate(123, {})).toBe('OK'); });

  const interfaces = () => call(sim, 'GET', '/nodes/pve/qemu/123/agent/network-get-interfaces');

  test('answers with the guest\'s addresses once the VM runs', async () => {
    expect((await interfaces()).reason).toBe('VM 123 is not running');
    await call(sim, 'PUT', '/nodes/pve/qemu/123/config', { ipconfig0: 'ip=10.0.1.10/24,gw=10.0.1.1' });
    await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/start');
    const result = (await interfaces()).body.data.result;
    expect(result.flatMap((nic: any) => nic['ip-addresses'].map((address: any) => address['ip-address']))).toEqual(['127.0.0.1', '::1', '10.0.1.10']);
  });

  test('an agent missing from the guest, or slow to start, answers 500 "QEMU guest agent is not running"', async () => {
    await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/start');
    sim.setGuestAgent(123, 'absent');
    expect([(await interfaces()).status, (await interfaces()).reason]).toEqual([500, 'QEMU guest agent is not running']);
    // Slow: not answering until its delay after the start has passed.
    sim.setGuestAgent(123, 'slow', 60_000);
    await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/reboot');
    expect((await interfaces()).reason).toBe('QEMU guest agent is not running');
    sim.setGuestAgent(123, 'slow', 0);
    expect((await interfaces()).status).toBe(200);
  });

  test('a VM without the agent configured says so', async () => {
    await call(sim, 'PUT', '/nodes/pve/qemu/123/config', { delete: 'agent' });
    await runTask(sim, 'POST', '/nodes/pve/qemu/123/status/start');
    expect((await interfaces()).reason).toBe('No QEMU guest agent configured');
  });
});
