/**
 * API tokens, roles, ACLs and pools checked as pve-access-control and pve-manager check them: the 401s of a
 * missing or wrong token, the 403 "Permission check failed (<path>, <privilege>)" of a missing privilege,
 * privilege-separated tokens limited to their user's rights, pool ACLs, and PVE 8's privilege names.
 */
import { DEFAULT_SITE, privilegeSet, startProxmoxSim, type ProxmoxSim, type Site } from '../../src/proxmox-sim';
import { call, waitTask } from './_client';

const SECRET = '11111111-2222-4333-8444-555555555555';

/** The default site's nodes, storages and templates, with these users, roles and ACLs. */
function siteWith(access: Pick<Site, 'users' | 'roles' | 'acl'> & { pveVersion?: 8 | 9 }): Site {
  return { ...DEFAULT_SITE, roles: access.roles, users: access.users, acl: access.acl, pveVersion: access.pveVersion ?? 9 };
}

describe('authentication', () => {
  let sim: ProxmoxSim;
  beforeAll(async () => { sim = await startProxmoxSim(); });
  afterAll(async () => { await sim.stop(); });

  test('a request without a token is refused 401 "No ticket", with no body', async () => {
    const reply = await call(sim, 'GET', '/version', {}, null);
    expect([reply.status, reply.reason, reply.body]).toEqual([401, 'No ticket', undefined]);
  });

  test('a wrong secret, an unknown token and a malformed token ID are each 401 "Authentication failed!"', async () => {
    for (const token of ['fabric@pve!crossplane=wrong', 'fabric@pve!nosuch=00000000-0000-4000-8000-000000000000', 'fabric=x']) {
      const reply = await call(sim, 'GET', '/version', {}, token);
      expect({ token, status: reply.status, reason: reply.reason }).toEqual({ token, status: 401, reason: 'Authentication failed!' });
    }
  });

  test('the site\'s token is accepted and the API answers in a data envelope', async () => {
    const reply = await call(sim, 'GET', '/version');
    expect(reply.status).toBe(200);
    expect(reply.body.data).toMatchObject({ release: '9.1' });
  });
});

describe('permissions', () => {
  let sim: ProxmoxSim;
  beforeAll(async () => {
    sim = await startProxmoxSim({
      site: siteWith({
        roles: { Auditor9: ['VM.Audit', 'Sys.Audit'] },
        users: [
          { id: 'ops@pve', tokens: [{ id: 'narrow', secret: SECRET }, { id: 'wide', secret: SECRET, privsep: false }] },
          { id: 'pooled@pve', tokens: [{ id: 'ci', secret: SECRET, privsep: false }] },
        ],
        acl: [
          // The user may administer VMs everywhere; its privilege-separated token only audit them.
          { path: '/', role: 'PVEVMAdmin', user: 'ops@pve' },
          { path: '/', role: 'Auditor9', token: 'ops@pve!narrow' },
          { path: '/storage', role: 'PVEDatastoreUser', user: 'ops@pve' },
          { path: '/sdn/zones/localnetwork', role: 'PVESDNUser', user: 'ops@pve' },
          // Only on the pool, its VMs and what a clone needs.
          { path: '/pool/fabric', role: 'PVEVMAdmin', user: 'pooled@pve' },
          { path: '/vms/9000', role: 'PVETemplateUser', user: 'pooled@pve' },
          { path: '/storage/local-zfs', role: 'PVEDatastoreUser', user: 'pooled@pve' },
          { path: '/sdn/zones/localnetwork', role: 'PVESDNUser', user: 'pooled@pve' },
        ],
      }),
    });
  });
  afterAll(async () => { await sim.stop(); });

  test('a privilege-separated token holds only what both it and its user hold', async () => {
    const narrow = `ops@pve!narrow=${SECRET}`;
    expect((await call(sim, 'GET', '/nodes/pve/qemu/9000/config', {}, narrow)).status).toBe(200);
    const clone = await call(sim, 'POST', '/nodes/pve/qemu/9000/clone', { newid: 300 }, narrow);
    expect([clone.status, clone.reason, clone.body.message]).toEqual([403, 'Permission check failed (/vms/9000, VM.Clone)', 'Permission check failed (/vms/9000, VM.Clone)\n']);
    // The user's own rights do not include Sys.Audit, so the token's Sys.Audit is cut away.
    const node = await call(sim, 'GET', '/nodes/pve/status', {}, narrow);
    expect([node.status, node.body.message]).toEqual([403, 'Permission check failed (/nodes/pve, Sys.Audit)\n']);
  });

  test('a token without privilege separation holds its user\'s rights', async () => {
    const token = `ops@pve!wide=${SECRET}`;
    const reply = await call(sim, 'POST', '/nodes/pve/qemu/9000/clone', { newid: 301 }, token);
    expect(reply.status).toBe(200);
    expect((await waitTask(sim, reply.body.data, token)).exitstatus).toBe('OK');
  });

  test('permissions are checked before parameters: an unknown parameter from a token without the right is a 403', async () => {
    const reply = await call(sim, 'POST', '/nodes/pve/qemu/9000/clone', { newid: 302, colour: 'blue' }, `ops@pve!narrow=${SECRET}`);
    expect(reply.status).toBe(403);
  });

  test('VM.Allocate on a pool lets a clone be created into that pool, and only there', async () => {
    const token = `pooled@pve!ci=${SECRET}`;
    const outside = await call(sim, 'POST', '/nodes/pve/qemu/9000/clone', { newid: 310 }, token);
    expect([outside.status, outside.body.message]).toEqual([403, 'Permission check failed\n']);
    const inside = await call(sim, 'POST', '/nodes/pve/qemu/9000/clone', { newid: 310, pool: 'fabric' }, token);
    expect(inside.status).toBe(200);
    expect((await waitTask(sim, inside.body.data, token)).exitstatus).toBe('OK');
    // The clone is in the pool, so the pool's ACL covers it (pve-access-control RPCEnvironment.pm:37-56).
    expect(sim.vm(310)!.pool).toBe('fabric');
    expect((await call(sim, 'PUT', '/nodes/pve/qemu/310/config', { memory: 4096 }, token)).status).toBe(200);
    expect((await call(sim, 'PUT', '/nodes/pve/qemu/9000/config', { memory: 4096 }, token)).status).toBe(403);
  });

  test('a pool must exist: cloning into a missing one is a 403 naming it', async () => {
    const reply = await call(sim, 'POST', '/nodes/pve/qemu/9000/clone', { newid: 311, pool: 'nosuch' }, `ops@pve!wide=${SECRET}`);
    expect([reply.status, reply.body.message]).toEqual([403, "Permission check failed (pool 'nosuch' does not exist)\n"]);
  });

  test('SDN.Use is needed on the bridge (or, with a VLAN tag, on the tag) a NIC uses', async () => {
    sim.revoke((entry) => entry.path === '/sdn/zones/localnetwork' && entry.user === 'ops@pve');
    sim.grant({ path: '/sdn/zones/localnetwork/vmbr0/20', role: 'PVESDNUser', user: 'ops@pve' });
    const token = `ops@pve!wide=${SECRET}`;
    const untagged = await call(sim, 'PUT', '/nodes/pve/qemu/301/config', { net0: 'virtio,bridge=vmbr0' }, token);
    expect([untagged.status, untagged.body.message]).toEqual([403, 'Permission check failed (/sdn/zones/localnetwork/vmbr0, SDN.Use)\n']);
    const tagged = await call(sim, 'PUT', '/nodes/pve/qemu/301/config', { net0: 'virtio,bridge=vmbr0,tag=20' }, token);
    expect([tagged.status, tagged.body.message]).toEqual([403, 'Permission check failed (/sdn/zones/localnetwork/vmbr0, SDN.Use)\n']);
    sim.grant({ path: '/sdn/zones/localnetwork/vmbr0', role: 'PVESDNUser', user: 'ops@pve', propagate: false });
    // The old NIC's bridge is checked too when it is replaced; now both are allowed.
    expect((await call(sim, 'PUT', '/nodes/pve/qemu/301/config', { net0: 'virtio,bridge=vmbr0,tag=20' }, token)).status).toBe(200);
  });
});

describe('PVE 8 and PVE 9 privilege names', () => {
  test('the built-in roles differ where the releases do: the guest agent privileges of PVE 9, VM.Monitor of PVE 8', () => {
    const nine = privilegeSet(9);
    const eight = privilegeSet(8);
    expect([...nine.builtinRoles.PVEVMAdmin].filter((privilege) => !eight.builtinRoles.PVEVMAdmin.has(privilege)).sort())
      .toEqual(['VM.GuestAgent.Audit', 'VM.GuestAgent.FileRead', 'VM.GuestAgent.FileSystemMgmt', 'VM.GuestAgent.FileWrite', 'VM.GuestAgent.Unrestricted', 'VM.Replicate']);
    expect([...eight.builtinRoles.PVEVMAdmin].filter((privilege) => !nine.builtinRoles.PVEVMAdmin.has(privilege))).toEqual(['VM.Monitor']);
    expect(nine.builtinRoles.PVEAuditor.has('VM.Allocate')).toBe(false);
  });

  test('a PVE 8 site refuses a role naming a PVE 9 privilege, as pveum does', async () => {
    await expect(startProxmoxSim({ site: siteWith({ pveVersion: 8, roles: { R: ['VM.GuestAgent.Audit'] }, users: [], acl: [] }) }))
      .rejects.toThrow("role 'R': invalid privilege 'VM.GuestAgent.Audit'");
  });

  test('reading the guest agent needs VM.GuestAgent.Audit on PVE 9 and VM.Monitor on PVE 8', async () => {
    const user = { id: 'agent@pve', tokens: [{ id: 'ci', secret: SECRET, privsep: false }] };
    const token = `agent@pve!ci=${SECRET}`;
    const [nine, eight] = await Promise.all(([9, 8] as const).map((pveVersion) => startProxmoxSim({
      site: siteWith({ pveVersion, roles: { R: ['VM.Audit', 'VM.PowerMgmt'] }, users: [user], acl: [{ path: '/', role: 'R', user: user.id }] }),
    })));
    try {
      const denied = await Promise.all([nine, eight].map((sim) => call(sim, 'GET', '/nodes/pve/qemu/9000/agent/network-get-interfaces', {}, token)));
      expect(denied.map((reply) => reply.body.message)).toEqual([
        'Permission check failed (/vms/9000, VM.GuestAgent.Audit|VM.GuestAgent.Unrestricted)\n',
        'Permission check failed (/vms/9000, VM.Monitor)\n',
      ]);
    } finally {
      await Promise.all([nine.stop(), eight.stop()]);
    }
  });
});
