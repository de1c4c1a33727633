/**
 * A Machine's whole life at apply time: the Workspaces the real `crank render` makes for an example Machine
 * (test/fixtures/dns01.yaml, as the example fleet's claims/dns01.ts) and for variants of it, applied by the real Terraform with the real bpg/proxmox provider
 * v0.111.1 to the simulator. Each change is one Machine field changed and rendered again, and what bpg and the
 * simulator really do is held against what src/synth/plan-effects.ts tells the user for that field. The
 * scenarios are those of issue 23's defects that stop provisioning or destroy data: a pinned VMID another VM
 * holds, a VM moved in Proxmox, a template whose config is on another node.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { DEFAULT_SITE, DOCUMENTED_ROLES, FABRIC_PROVISIONER_PRIVILEGES, startProxmoxSim, type ProxmoxSim, type PveMajor, type RequestRecord, type Site } from '../../src/proxmox-sim';
import { Effect, FIELD_EFFECTS, fieldEffect } from '../../src/synth/plan-effects';
import { committedTree, dnsTree, fleetTree, renderTree, SynthesizedTree } from '../_rendered-machines';
import { crankRender, describeWithTools, RunningFunction, startFunction } from '../_upstream-tools';
import { simWorkspace } from './_terraform';

type Tools = Record<'crank' | 'function-patch-and-transform' | 'terraform-provider-proxmox' | 'terraform', string>;

const POWER = /\/status\/(shutdown|stop|start|reboot|reset)$/;

/** Requests that changed something (not GET). */
const writes = (requests: readonly RequestRecord[]) => requests.filter((request) => request.method !== 'GET');
const unchecked = (request: RequestRecord) => request.outcome === 'schema' || request.outcome === 'unmodelled' || request.outcome === 'internal';
/** Terraform wraps its error text: compare it with the lines joined. */
const flat = (output: string) => output.replace(/\s+/g, ' ');
/** What a move does: one migration; never a delete, a clone or a power change. */
const moves = (requests: readonly RequestRecord[]) => summary(writes(requests).filter((request) => /\/(migrate|clone)$|\/status\//.test(request.path) || request.method === 'DELETE'));
const summary = (requests: readonly RequestRecord[]) => requests.map(({ method, path: where, status, message }) => `${method} ${where} ${status}${message ? ` ${message.trim()}` : ''}`);

/**
 * The change scenario for each row of plan-effects' table (src/synth/plan-effects.ts FIELD_EFFECTS): the Machine
 * path changed and its new value (applied in this order by "bpg does what the plan says"), the dedicated test
 * that changes it, or why no scenario applies it yet. A row added to the table without an entry here fails
 * "every row of plan-effects' table has a change scenario".
 */
type ChangeScenario = { path: string; value: unknown } | { test: string } | { none: string };
const CHANGE_FOR_ROW: Readonly<Record<string, ChangeScenario>> = {
  'spec.memory': { path: 'spec.memory.size', value: 4096 },
  'spec.proxmox.vlan': { path: 'spec.proxmox.vlan', value: 30 },
  'spec.proxmox.bridge': { path: 'spec.proxmox.bridge', value: 'vmbr1' },
  'spec.proxmox.startOnBoot': { path: 'spec.proxmox.startOnBoot', value: false },
  'spec.hostname': { path: 'spec.hostname', value: 'dns01-a' },
  'spec.network': { path: 'spec.network.dns', value: ['9.9.9.9'] },
  'spec.bootstrap': { path: 'spec.bootstrap.adminUser', value: 'ops' },
  'spec.dataDisks': { path: 'spec.dataDisks', value: [{ size: 10 }] },
  'spec.disk.storage': { path: 'spec.disk.storage', value: 'tank' },
  'spec.nix': { path: 'spec.nix.flakeRef', value: 'git+https://github.com/kubelize/fabric?ref=main#dns02' },
  'spec.cpu': { test: 'CPU cores: applied with a reboot, as the plan says' },
  'spec.disk.size': { test: 'a larger boot disk: grown live, as the plan says' },
  'spec.tags': { test: 'a tag: in place, as the plan says; the VM keeps running' },
  'spec.proxmox.node': { test: 'another node in the Machine: a live migration, as the plan says' },
  'spec.proxmox.pool': { test: 'another pool: the VM moves to it in place, as the plan says, with Pool.Allocate on both pools' },
  'spec.disk.interface': { none: 'data loss: not applied (the plan shows the boot disk deleted)' },
  'spec.proxmox.templateId': { none: 'replace: not applied' },
  'spec.proxmox.vmId': { none: 'replace: not applied' },
  'spec.dataDisks[]': { none: 'not yet: an item changed in an existing list' },
  'spec.dataDisks[].size': { none: 'not yet: a data disk grown' },
  'spec.dataDisks[].storage': { none: 'not yet: a data disk moved' },
  'spec.proxmox.storage': { none: 'not yet: the cloud-init drive moved' },
  'spec.proxmox.templateNode': { none: 'not yet: ignored after the create, so the next plan is empty' },
  'spec.deletionPolicy': { none: 'not yet: Crossplane-only, the module does not change' },
  'spec.network.ipPool': { none: 'Fabric-only: synth writes the address it allocates, whose change is spec.network\'s' },
  'spec.proxmox.allocateVmId': { none: 'Fabric-only: synth writes the VMID it allocates, whose change is spec.proxmox.vmId\'s' },
};

describeWithTools('a Machine\'s life, applied by the real Terraform and bpg/proxmox to the simulator',
  ['crank', 'function-patch-and-transform', 'terraform-provider-proxmox', 'terraform'], (tools: Tools) => {
    let fn: RunningFunction | undefined;
    let tree: SynthesizedTree;
    let base: Record<string, any>;
    const sims: ProxmoxSim[] = [];
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-lifecycle-'));

    beforeAll(async () => {
      tree = dnsTree();
      base = tree.machines.find(({ machine }) => machine.metadata.name === 'dns01')!.machine;
      fn = await startFunction(tools['function-patch-and-transform']);
    }, 180_000);
    afterAll(async () => {
      await fn?.stop();
      for (const sim of sims) await sim.stop();
    });

    /** The Workspace crank renders for the Machine changed by `change` (a copy of dns01). */
    async function render(change: (machine: Record<string, any>) => void = () => undefined): Promise<Record<string, any>> {
      const machine = structuredClone(base);
      change(machine);
      const file = path.join(scratch, `machine-${Math.random().toString(36).slice(2)}.yaml`);
      fs.writeFileSync(file, YAML.stringify(machine));
      const output = await crankRender(tools.crank, { xr: file, composition: tree.composition, functions: tree.function, xrd: tree.xrd, target: fn!.target });
      return output.find((object) => object.kind === 'Workspace')!;
    }

    async function start(options: Parameters<typeof startProxmoxSim>[0] = {}): Promise<ProxmoxSim> {
      const sim = await startProxmoxSim(options);
      sims.push(sim);
      return sim;
    }

    /** Runs terraform; the requests it made, failing on any the schema refused or the simulator could not check. */
    async function run(sim: ProxmoxSim, step: () => Promise<{ code: number; output: string }>) {
      const before = sim.requests.length;
      const result = await step();
      const requests = sim.requests.slice(before);
      expect(summary(requests.filter(unchecked))).toEqual([]);
      return { ...result, requests };
    }

    test('a pinned vmId another VM already holds is refused, and that VM is never touched, started or deleted', async () => {
      const sim = await start();
      const vmid = base.spec.proxmox.vmId;
      sim.addVm({ vmid, node: base.spec.proxmox.node, name: 'not-fabrics', running: false, config: { memory: '8192', cores: '8' } });
      const before = sim.vm(vmid)!;
      const workspace = simWorkspace(sim, await render(), tree.providerConfig, tools);

      const apply = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
      expect(apply.code).not.toBe(0);
      expect(flat(apply.output)).toContain(`unable to create VM ${vmid}: config file already exists`);
      // One clone attempt: a retry would count "already exists" as its own finished clone (bpg retry.go:144).
      expect(apply.requests.filter((request) => request.path.endsWith('/clone')).length).toBe(1);
      expect(summary(writes(apply.requests).filter((request) => !request.path.endsWith('/clone')))).toEqual([]);
      expect(sim.vm(vmid)).toMatchObject({ configText: before.configText, running: false, node: before.node });

      // Nothing is in the state, so deleting the Machine leaves the other VM alone.
      expect((await workspace.terraform('state', 'list')).output.trim()).toBe('');
      const destroy = await run(sim, () => workspace.terraform('destroy', '-auto-approve'));
      expect(destroy.code).toBe(0);
      expect(summary(writes(destroy.requests))).toEqual([]);
      expect(sim.vm(vmid)).toMatchObject({ configText: before.configText });
    }, 180_000);

    test('a clone slower than timeout_clone fails the apply, and the next apply copies nothing again: the VMID is taken', async () => {
      const sim = await start({ taskDurationsMs: { qmclone: 6000 } });
      const rendered = await render();
      // timeout_clone scaled down with the clone; bpg does not stop the task when it gives up (tasks.go:153-201).
      const module = JSON.parse(rendered.spec.forProvider.module);
      module.resource.proxmox_virtual_environment_vm.machine.timeout_clone = 2;
      const workspace = simWorkspace(sim, { ...rendered, spec: { ...rendered.spec, forProvider: { ...rendered.spec.forProvider, module: JSON.stringify(module) } } }, tree.providerConfig, tools);
      const vmid = base.spec.proxmox.vmId;

      const first = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
      expect(first.code).not.toBe(0);
      expect(flat(first.output)).toContain('timeout while waiting for task');
      await sim.settle();
      const unfinished = sim.vm(vmid)!;
      expect(unfinished).toMatchObject({ running: false, config: { name: base.metadata.name } });

      const second = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
      expect(second.code).not.toBe(0);
      expect(flat(second.output)).toContain(`unable to create VM ${vmid}: config file already exists`);
      expect(summary(writes(second.requests))).toEqual([`POST /nodes/${base.spec.proxmox.node}/qemu/${base.spec.proxmox.templateId}/clone 500 unable to create VM ${vmid}: config file already exists`]);
      expect([...sim.cluster.vms.values()].filter((vm) => vm.config.name === base.metadata.name).length).toBe(1);
      expect(sim.vm(vmid)!.configText).toBe(unfinished.configText);
    }, 180_000);

    test.each([
      ['VM.Migrate', '/vms/120, VM.Migrate'],
      ['Sys.Audit', '/, Sys.Audit'],
    ])('without %s, a VM moved in Proxmox is not migrated back: the apply fails and the VM is left as it is', async (privilege, refusal) => {
      const site: Site = { ...DEFAULT_SITE, roles: { FabricProvisioner: FABRIC_PROVISIONER_PRIVILEGES.filter((name) => name !== privilege) } };
      const sim = await start({ site });
      const workspace = simWorkspace(sim, await render(), tree.providerConfig, tools);
      expect((await run(sim, () => workspace.terraform('apply', '-auto-approve'))).code).toBe(0);
      const vmid = base.spec.proxmox.vmId;
      sim.moveVm(vmid, 'pve2');
      const before = sim.vm(vmid)!;
      const apply = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
      expect(apply.code).not.toBe(0);
      expect(flat(apply.output)).toContain(`Permission check failed (${refusal})`);
      expect(moves(apply.requests).filter((line) => !line.includes(' 403 '))).toEqual([]);
      expect(sim.vm(vmid)).toMatchObject({ node: 'pve2', running: true, configText: before.configText });
    }, 180_000);

    test('the pool-scoped token of docs/create-template.md creates a Machine in its pool, migrates it back after a move, and deletes it', async () => {
      const user = 'fabric@pve';
      const site: Site = {
        ...DEFAULT_SITE,
        pools: [{ id: 'infra' }, { id: 'fabric', vms: [9000] }],
        roles: { FabricProvisioner: FABRIC_PROVISIONER_PRIVILEGES, FabricAudit: ['Sys.Audit'] },
        acl: [
          ...['/pool/fabric', '/storage/local-zfs', '/sdn/zones/localnetwork', '/nodes/pve'].map((aclPath) => ({ path: aclPath, role: 'FabricProvisioner', user })),
          { path: '/', role: 'FabricAudit', user, propagate: false },
        ],
      };
      const sim = await start({ site });
      const workspace = simWorkspace(sim, await render((m) => { m.spec.proxmox.pool = 'fabric'; }), tree.providerConfig, tools);
      const vmid = base.spec.proxmox.vmId;
      const apply = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
      expect({ code: apply.code, output: apply.code === 0 ? '' : apply.output }).toEqual({ code: 0, output: '' });
      expect(sim.vm(vmid)).toMatchObject({ pool: 'fabric', running: true });
      sim.moveVm(vmid, 'pve2');
      const back = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
      expect({ code: back.code, output: back.code === 0 ? '' : back.output }).toEqual({ code: 0, output: '' });
      expect(sim.vm(vmid)!.node).toBe('pve');
      const destroy = await run(sim, () => workspace.terraform('destroy', '-auto-approve'));
      expect({ code: destroy.code, output: destroy.code === 0 ? '' : destroy.output }).toEqual({ code: 0, output: '' });
      expect(sim.vm(vmid)).toBeUndefined();
    }, 180_000);

    test('PVE 8: the role on / without VM.Monitor provisions, without the address; VM.Monitor on the pool alone adds it', async () => {
      // On PVE 8 every guest agent command, exec and file-write included, needs only VM.Monitor (qemu-server
      // 8.3.12 PVE/API2/Qemu/Agent.pm:21, 144-145, 263-269, 454-460): on / it would reach every guest.
      const site: Site = {
        ...DEFAULT_SITE,
        pveVersion: 8,
        roles: { FabricProvisioner: FABRIC_PROVISIONER_PRIVILEGES.filter((privilege) => privilege !== 'VM.GuestAgent.Audit'), FabricAgent: ['VM.Monitor', 'Pool.Audit'] },
      };
      const sim = await start({ site });
      const workspace = simWorkspace(sim, await render(), tree.providerConfig, tools);
      const outputs = async () => Object.fromEntries(Object.entries<any>(JSON.parse((await workspace.terraform('output', '-json')).output)).map(([key, output]) => [key, output.value]));

      const apply = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
      expect({ code: apply.code, output: apply.code === 0 ? '' : apply.output }).toEqual({ code: 0, output: '' });
      expect(sim.vm(base.spec.proxmox.vmId)).toMatchObject({ running: true });
      expect(summary(apply.requests.filter((request) => request.status === 403))).toEqual([
        `GET /nodes/pve/qemu/${base.spec.proxmox.vmId}/agent/network-get-interfaces 403 Permission check failed (/vms/${base.spec.proxmox.vmId}, VM.Monitor)`,
      ]);
      expect(await outputs()).toMatchObject({ vm_id: base.spec.proxmox.vmId, ip_addresses: [] });

      sim.grant({ path: `/pool/${base.spec.proxmox.pool}`, role: 'FabricAgent', user: 'fabric@pve' });
      const refresh = await run(sim, () => workspace.terraform('apply', '-auto-approve', '-refresh-only'));
      expect(refresh.code).toBe(0);
      expect(await outputs()).toMatchObject({ ip_address: base.spec.network.ip });
    }, 180_000);

    test.each([
      ['VM.Config.CPU', 'the config update after the clone is refused', 'VM.Config.CPU'],
      ['VM.Audit', 'bpg cannot read the clone and waits for it until timeout_clone', 'configuration to become unlocked'],
    ])('an apply that fails after the clone (without %s: %s) leaves no stray VM: the clone is in the state, tainted, and the next apply replaces it', async (privilege, _why, error) => {
      const user = 'fabric@pve';
      const site: Site = {
        ...DEFAULT_SITE,
        roles: { FabricProvisioner: FABRIC_PROVISIONER_PRIVILEGES.filter((name) => name !== privilege), FabricMissing: [privilege] },
      };
      const sim = await start({ site });
      const rendered = await render();
      const module = JSON.parse(rendered.spec.forProvider.module);
      module.resource.proxmox_virtual_environment_vm.machine.timeout_clone = 20;
      const workspace = simWorkspace(sim, { ...rendered, spec: { ...rendered.spec, forProvider: { ...rendered.spec.forProvider, module: JSON.stringify(module) } } }, tree.providerConfig, tools);
      const vmid = base.spec.proxmox.vmId;
      const failed = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
      expect(failed.code).not.toBe(0);
      expect(flat(failed.output)).toContain(error);
      const state = async () => (await workspace.terraform('state', 'list')).output.trim();
      const show = async () => flat((await workspace.terraform('show', '-no-color')).output);
      expect({ vm: sim.vm(vmid) !== undefined, state: await state(), tainted: (await show()).includes('tainted') }).toEqual({ vm: true, state: 'proxmox_virtual_environment_vm.machine', tainted: true });

      sim.grant({ path: '/', role: 'FabricMissing', user });
      const again = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
      expect({ code: again.code, output: again.code === 0 ? '' : again.output }).toEqual({ code: 0, output: '' });
      expect(summary(writes(again.requests).filter((request) => request.method === 'DELETE' || request.path.endsWith('/clone'))).map((line) => line.split(' ').slice(0, 2).join(' ')))
        .toEqual([`DELETE /nodes/pve/qemu/${vmid}/?destroy-unreferenced-disks=1&purge=1`, `POST /nodes/pve/qemu/${base.spec.proxmox.templateId}/clone`]);
      expect([...sim.cluster.vms.values()].filter((vm) => vm.config.name === base.metadata.name).map((vm) => vm.vmid)).toEqual([vmid]);
      expect(sim.vm(vmid)).toMatchObject({ running: true, config: { cores: String(base.spec.cpu.cores) } });
    }, 180_000);

    test('a template without the guest agent: the Machine is created and running, the apply warns after agent.timeout, status.ipAddress stays empty, and the next plan is empty', async () => {
      const site: Site = { ...DEFAULT_SITE, templates: DEFAULT_SITE.templates!.map((template) => (template.vmid === 9000 ? { ...template, guestAgent: false } : template)) };
      const sim = await start({ site });
      const rendered = await render();
      // agent.timeout (300 s in the module) scaled down: bpg waits that long for the agent's answer.
      const module = JSON.parse(rendered.spec.forProvider.module);
      module.resource.proxmox_virtual_environment_vm.machine.agent.timeout = '4s';
      const workspace = simWorkspace(sim, { ...rendered, spec: { ...rendered.spec, forProvider: { ...rendered.spec.forProvider, module: JSON.stringify(module) } } }, tree.providerConfig, tools);
      const started = Date.now();
      const apply = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
      const seconds = (Date.now() - started) / 1000;
      expect({ code: apply.code, warned: flat(apply.output).includes('QEMU agent') }).toEqual({ code: 0, warned: true });
      expect(seconds).toBeGreaterThan(4);
      expect(sim.vm(base.spec.proxmox.vmId)).toMatchObject({ running: true });
      const outputs = JSON.parse((await workspace.terraform('output', '-json')).output);
      expect({ ip: outputs.ip_address?.value ?? null, ips: outputs.ip_addresses?.value }).toEqual({ ip: null, ips: [] });
      const plan = await run(sim, () => workspace.terraform('plan', '-detailed-exitcode'));
      expect({ code: plan.code, changes: plan.code === 2 ? plan.output : '' }).toEqual({ code: 0, changes: '' });
    }, 180_000);

    describe('the token as the docs make it: every documented privilege is needed by a named step, and the whole set suffices', () => {
      /** One Machine's life, step by step; a documented privilege removed must make exactly the named step fail. */
      type Step = 'create' | 'agent address' | 'drift check' | 'migrate back' | 'pool change' | 'delete';
      type RoleName = keyof typeof DOCUMENTED_ROLES;
      const user = 'fabric@pve';
      const pools = ['infra', 'fabric'];
      let workspaces: { initial: Record<string, any>; otherPool: Record<string, any> };

      beforeAll(async () => {
        // Without VM.Audit bpg waits for the clone it cannot see until timeout_clone: scaled down here.
        const quick = (rendered: Record<string, any>) => {
          const module = JSON.parse(rendered.spec.forProvider.module);
          module.resource.proxmox_virtual_environment_vm.machine.timeout_clone = 20;
          return { ...rendered, spec: { ...rendered.spec, forProvider: { ...rendered.spec.forProvider, module: JSON.stringify(module) } } };
        };
        workspaces = { initial: quick(await render()), otherPool: quick(await render((m) => { m.spec.proxmox.pool = 'fabric'; })) };
      }, 180_000);

      /** The `/` recipe of docs/create-template.md § 6: FabricProvisioner on `/`, the pool roles on each pool Machines use. */
      function documentedSite(major: PveMajor, without?: { role: RoleName; privilege: string }): Site {
        const privileges = (role: RoleName) => (DOCUMENTED_ROLES[role][major] ?? []).filter((name) => !(without?.role === role && without.privilege === name));
        const poolRoles = (['FabricPoolMember', 'FabricAgent'] as const).filter((role) => DOCUMENTED_ROLES[role][major]);
        return {
          ...DEFAULT_SITE,
          pveVersion: major,
          roles: Object.fromEntries(['FabricProvisioner', ...poolRoles].map((role) => [role, privileges(role as RoleName)])),
          acl: [{ path: '/', role: 'FabricProvisioner', user }, ...pools.flatMap((pool) => poolRoles.map((role) => ({ path: `/pool/${pool}`, role, user })))],
        };
      }

      /** The first step that fails, with what Terraform printed, or undefined when every step passes. */
      async function life(site: Site): Promise<{ failed?: Step; output: string; refusals: string[] }> {
        const sim = await start({ site });
        const refused = () => sim.requests.filter((request) => request.status === 403).map((request) => `${request.method} ${request.path}: ${request.message?.trim()}`);
        try {
          const workspace = simWorkspace(sim, workspaces.initial, tree.providerConfig, tools);
          const vmid = base.spec.proxmox.vmId;
          const step = async (name: Step, action: () => Promise<{ code: number; output: string }>, holds: () => boolean = () => true) => {
            const result = await run(sim, action);
            return result.code === 0 && holds() ? undefined : { failed: name, output: result.output, refusals: refused() };
          };
          const outputs = async () => JSON.parse((await workspace.terraform('output', '-json')).output);
          return await step('create', () => workspace.terraform('apply', '-auto-approve'), () => sim.vm(vmid)?.running === true)
            ?? await step('agent address', async () => ({ code: (await outputs()).ip_address?.value === base.spec.network.ip ? 0 : 1, output: 'status.ipAddress empty' }))
            ?? await step('drift check', () => workspace.terraform('plan', '-detailed-exitcode'))
            ?? await step('migrate back', () => { sim.moveVm(vmid, 'pve2'); return workspace.terraform('apply', '-auto-approve'); }, () => sim.vm(vmid)?.node === base.spec.proxmox.node)
            ?? await step('pool change', () => { workspace.update(workspaces.otherPool); return workspace.terraform('apply', '-auto-approve'); }, () => sim.vm(vmid)?.pool === 'fabric')
            ?? await step('delete', () => workspace.terraform('destroy', '-auto-approve'), () => sim.vm(vmid) === undefined)
            ?? { output: '', refusals: refused() };
        } finally {
          await sim.stop();
        }
      }

      test.each([9, 8] as const)('PVE %s: the documented roles on / and the pools pass every step', async (major) => {
        expect(await life(documentedSite(major))).toEqual({ output: '', refusals: [] });
      }, 180_000);

      // The step each documented privilege is needed by (undefined: no step needs it, which docs/apply-time.md says why).
      // A pair names what Proxmox's refusal says when it does not name the privilege (null: nothing is refused).
      const NEEDED_BY: Readonly<Record<string, Step | [Step, string | null] | undefined>> = {
        // PVE 9, FabricProvisioner on /.
        '9 FabricProvisioner Datastore.AllocateSpace': 'create',
        '9 FabricProvisioner Datastore.Audit': 'create',
        '9 FabricProvisioner SDN.Use': 'create',
        // The clone's permission is an `or` (the pool's VM.Allocate or the VMID's), refused without naming either
        // (pve-access-control RPCEnvironment.pm exec_api2_perm_check).
        '9 FabricProvisioner VM.Allocate': ['create', 'POST /nodes/pve/qemu/9000/clone: Permission check failed'],
        // bpg cannot read the clone's config, so it waits for the lock to go until timeout_clone.
        '9 FabricProvisioner VM.Audit': 'create',
        '9 FabricProvisioner VM.Clone': 'create',
        '9 FabricProvisioner VM.Config.CDROM': 'create',
        '9 FabricProvisioner VM.Config.CPU': 'create',
        '9 FabricProvisioner VM.Config.Cloudinit': 'create',
        '9 FabricProvisioner VM.Config.Disk': 'create',
        '9 FabricProvisioner VM.Config.HWType': 'create',
        '9 FabricProvisioner VM.Config.Memory': 'create',
        '9 FabricProvisioner VM.Config.Network': 'create',
        '9 FabricProvisioner VM.Config.Options': 'create',
        '9 FabricProvisioner VM.PowerMgmt': 'create',
        '9 FabricProvisioner Sys.Audit': 'migrate back',
        '9 FabricProvisioner VM.Migrate': 'migrate back',
        // The pools' ACLs (FabricPoolMember) give Pool.Audit on every pool a Machine uses; the pool-scoped recipe needs it in this role.
        '9 FabricProvisioner Pool.Audit': undefined,
        '9 FabricProvisioner VM.GuestAgent.Audit': 'agent address',
        '9 FabricPoolMember Pool.Allocate': 'pool change',
        // The pool's ACL replaces the role inherited from / on that path: without it the VM's pool is unreadable.
        // Proxmox refuses nothing: it lists only the pools the token may audit (pve-manager PVE/API2/Pool.pm:20 index,
        // PVE/API2/Cluster.pm:256 resources).
        '9 FabricPoolMember Pool.Audit': ['drift check', null],
        // PVE 8, FabricProvisioner on /.
        '8 FabricProvisioner Datastore.AllocateSpace': 'create',
        '8 FabricProvisioner Datastore.Audit': 'create',
        '8 FabricProvisioner SDN.Use': 'create',
        '8 FabricProvisioner VM.Allocate': ['create', 'POST /nodes/pve/qemu/9000/clone: Permission check failed'],
        '8 FabricProvisioner VM.Audit': 'create',
        '8 FabricProvisioner VM.Clone': 'create',
        '8 FabricProvisioner VM.Config.CDROM': 'create',
        '8 FabricProvisioner VM.Config.CPU': 'create',
        '8 FabricProvisioner VM.Config.Cloudinit': 'create',
        '8 FabricProvisioner VM.Config.Disk': 'create',
        '8 FabricProvisioner VM.Config.HWType': 'create',
        '8 FabricProvisioner VM.Config.Memory': 'create',
        '8 FabricProvisioner VM.Config.Network': 'create',
        '8 FabricProvisioner VM.Config.Options': 'create',
        '8 FabricProvisioner VM.PowerMgmt': 'create',
        '8 FabricProvisioner Sys.Audit': 'migrate back',
        '8 FabricProvisioner VM.Migrate': 'migrate back',
        // The pools' ACLs (FabricPoolMember, FabricAgent) give Pool.Audit on every pool a Machine uses; the pool-scoped recipe needs it in this role.
        '8 FabricProvisioner Pool.Audit': undefined,
        '8 FabricPoolMember Pool.Allocate': 'pool change',
        // On PVE 8 the pools also carry FabricAgent, which has Pool.Audit: either role's copy suffices, not both.
        '8 FabricPoolMember Pool.Audit': undefined,
        '8 FabricAgent Pool.Audit': undefined,
        '8 FabricAgent VM.Monitor': 'agent address',
      };
      const cases = (Object.entries(DOCUMENTED_ROLES) as Array<[RoleName, Partial<Record<PveMajor, readonly string[]>>]>)
        .filter(([role]) => role !== 'FabricAudit')
        .flatMap(([role, byMajor]) => ([9, 8] as const).flatMap((major) => (byMajor[major] ?? []).map((privilege) => [major, role, privilege] as const)));
      test.each(cases)('PVE %s, %s without %s: the named step fails', async (major, role, privilege) => {
        const key = `${major} ${role} ${privilege}`;
        const [expected, refusal = privilege] = [NEEDED_BY[key]].flat() as [Step | undefined, (string | null)?];
        const { failed, output, refusals } = await life(documentedSite(major, { role, privilege }));
        expect({ key, failed, output: failed === expected ? '' : flat(output).slice(-600) }).toEqual({ key, failed: expected, output: '' });
        // Proxmox refused a request for want of exactly that privilege (its message names it).
        if (failed && refusal === null) expect({ key, refusals }).toEqual({ key, refusals: [] });
        else if (failed) expect({ key, refusals: refusals.some((text) => text.includes(refusal as string)) ? 'names it' : refusals }).toEqual({ key, refusals: 'names it' });
      }, 180_000);
    });

    describe('create, change in place, change with a reboot, grow a disk, move, destroy', () => {
      let sim: ProxmoxSim;
      let workspace: ReturnType<typeof simWorkspace>;
      let machine: Record<string, any>;
      const vmid = () => machine.spec.proxmox.vmId as number;

      beforeAll(async () => {
        // The pool role docs/create-template.md grants on the pools Machines use.
        const site: Site = {
          ...DEFAULT_SITE,
          // The template as docs/create-template.md builds it (UEFI vars disk), on another storage than the Machine's.
          templates: DEFAULT_SITE.templates!.map((template) => (template.vmid === 9000 ? { ...template, storage: 'tank', efiDisk: true } : template)),
          roles: { ...DEFAULT_SITE.roles, FabricPoolMember: ['Pool.Allocate', 'Pool.Audit'] },
          acl: [...DEFAULT_SITE.acl!, ...['infra', 'fabric'].map((pool) => ({ path: `/pool/${pool}`, role: 'FabricPoolMember', user: 'fabric@pve' }))],
        };
        sim = await start({ site });
        machine = structuredClone(base);
        workspace = simWorkspace(sim, await render(), tree.providerConfig, tools);
      }, 180_000);

      /** Applies the Machine with one field changed; what bpg did, and what plan-effects said it would do. */
      async function change(field: string, value: unknown) {
        const keys = field.split('.');
        const before = keys.reduce<any>((node, key) => node?.[key], machine);
        const next = structuredClone(machine);
        keys.slice(0, -1).reduce<any>((node, key) => node[key], next)[keys.at(-1)!] = value;
        const told = fieldEffect(field, before, value).effect;
        workspace.update(await render((rendered) => { rendered.spec = structuredClone(next.spec); }));
        machine = next;
        const plan = await workspace.terraform('plan', '-detailed-exitcode');
        expect(plan.code).toBe(2);
        expect(plan.output).not.toMatch(/must be replaced|forces replacement/);
        const apply = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
        expect({ code: apply.code, output: apply.code === 0 ? '' : apply.output }).toEqual({ code: 0, output: '' });
        return { told, requests: apply.requests };
      }

      async function expectNoDrift() {
        const plan = await run(sim, () => workspace.terraform('plan', '-detailed-exitcode'));
        expect({ code: plan.code, changes: plan.code === 2 ? plan.output : '' }).toEqual({ code: 0, changes: '' });
      }

      test('create: the VM runs on its node, and the next plan is empty', async () => {
        const apply = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
        expect({ code: apply.code, output: apply.code === 0 ? '' : apply.output }).toEqual({ code: 0, output: '' });
        expect(sim.vm(vmid())).toMatchObject({ node: machine.spec.proxmox.node, running: true, pool: machine.spec.proxmox.pool });
        // Cloned once, straight onto the boot disk's storage (no move_disk afterwards).
        const clones = apply.requests.filter((request) => request.path.endsWith('/clone'));
        expect(clones.map((request) => [request.path, request.params.storage])).toEqual([[`/nodes/${machine.spec.proxmox.node}/qemu/${machine.spec.proxmox.templateId}/clone`, machine.spec.proxmox.storage]]);
        expect(apply.requests.filter((request) => request.path.endsWith('/move_disk'))).toEqual([]);
        // Every drive, the EFI vars too, is copied to that storage, none left on the template's.
        const vm = sim.vm(vmid())!;
        expect(Object.fromEntries(Object.entries(vm.disks).map(([option, disk]) => [option, disk.storage]))).toEqual({
          [machine.spec.disk.interface]: machine.spec.proxmox.storage, efidisk0: machine.spec.proxmox.storage, ide2: machine.spec.proxmox.storage,
        });
        await expectNoDrift();
      }, 180_000);

      test('a tag: in place, as the plan says; the VM keeps running', async () => {
        const { told, requests } = await change('spec.tags', { ...machine.spec.tags, site: 'lab' });
        expect(told).toBe(Effect.IN_PLACE);
        expect(summary(requests.filter((request) => POWER.test(request.path)))).toEqual([]);
        expect(sim.vm(vmid())!.config.tags).toBe('environment-production;role-dns;site-lab');
        await expectNoDrift();
      }, 180_000);

      test('CPU cores: applied with a reboot, as the plan says', async () => {
        const { told, requests } = await change('spec.cpu.cores', 4);
        expect(told).toBe(Effect.REBOOT);
        expect(requests.filter((request) => POWER.test(request.path)).map((request) => request.path.split('/').pop())).toEqual(['shutdown', 'start']);
        expect(sim.vm(vmid())).toMatchObject({ running: true, config: { cores: '4' }, pending: {} });
        await expectNoDrift();
      }, 180_000);

      test('a larger boot disk: grown live, as the plan says', async () => {
        const { told, requests } = await change('spec.disk.size', machine.spec.disk.size + 8);
        expect(told).toBe(Effect.IN_PLACE);
        expect(summary(requests.filter((request) => POWER.test(request.path)))).toEqual([]);
        expect(sim.vm(vmid())!.disks[machine.spec.disk.interface].sizeBytes).toBe(machine.spec.disk.size * 1024 ** 3);
        await expectNoDrift();
      }, 180_000);

      // One change per row of plan-effects' table, each held against what the plan tells the user.
      test.each(Object.entries(CHANGE_FOR_ROW).flatMap(([, scenario]) => ('path' in scenario ? [[scenario.path, scenario.value] as [string, unknown]] : [])))('%s → %j: bpg does what the plan says', async (field, value) => {
        const { told, requests } = await change(field, value);
        const power = requests.filter((request) => POWER.test(request.path)).map((request) => request.path.split('/').pop());
        const vm = sim.vm(vmid())!;
        if (told === Effect.REBOOT) expect(power).toEqual(['shutdown', 'start']);
        else expect({ told, power }).toEqual({ told, power: [] });
        // SMBIOS waits in the pending section; the hostname is the VM's name, written to cloud-init at the next start.
        if (field === 'spec.nix.flakeRef') expect(Object.keys(vm.pending)).toEqual(['smbios1']);
        else expect(vm.pending).toEqual({});
        if (field === 'spec.hostname') expect(vm.config.name).toBe(value);
        expect(vm.running).toBe(true);
        await expectNoDrift();
      }, 180_000);

      test('moved to another node in Proxmox: migrated back at the next apply, never destroyed or cloned again', async () => {
        const home = machine.spec.proxmox.node;
        const uuid = sim.vm(vmid())!.config.smbios1.match(/uuid=([^,]+)/)![1];
        const disk = sim.vm(vmid())!.disks[machine.spec.disk.interface].volid;
        sim.moveVm(vmid(), 'pve2');
        const plan = await workspace.terraform('plan', '-detailed-exitcode');
        expect(plan.code).toBe(2);
        expect(plan.output).not.toMatch(/must be replaced|forces replacement/);
        const apply = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
        expect({ code: apply.code, output: apply.code === 0 ? '' : apply.output }).toEqual({ code: 0, output: '' });
        expect(moves(apply.requests)).toEqual([`POST /nodes/pve2/qemu/${vmid()}/migrate 200`]);
        expect(apply.requests.find((request) => request.path.endsWith('/migrate'))!.params).toMatchObject({ target: home });
        const vm = sim.vm(vmid())!;
        expect(vm).toMatchObject({ node: home, running: true });
        expect(vm.config.smbios1).toContain(`uuid=${uuid}`);
        expect(vm.disks[machine.spec.disk.interface].volid).toBe(disk);
        await expectNoDrift();
      }, 180_000);

      test('another node in the Machine: a live migration, as the plan says', async () => {
        const uuid = sim.vm(vmid())!.config.smbios1;
        const { told, requests } = await change('spec.proxmox.node', 'pve2');
        expect(told).toBe(Effect.IN_PLACE);
        expect(moves(requests)).toEqual([`POST /nodes/pve/qemu/${vmid()}/migrate 200`]);
        expect(sim.vm(vmid())).toMatchObject({ node: 'pve2', running: true, config: { smbios1: uuid } });
        await expectNoDrift();
      }, 180_000);

      test('another pool: the VM moves to it in place, as the plan says, with Pool.Allocate on both pools', async () => {
        const { told, requests } = await change('spec.proxmox.pool', 'fabric');
        expect(told).toBe(Effect.IN_PLACE);
        expect(summary(requests.filter((request) => POWER.test(request.path)))).toEqual([]);
        expect(sim.vm(vmid())!.pool).toBe('fabric');
        await expectNoDrift();
      }, 180_000);

      test('destroy: the VM and its disks are gone', async () => {
        const destroy = await run(sim, () => workspace.terraform('destroy', '-auto-approve'));
        expect({ code: destroy.code, output: destroy.code === 0 ? '' : destroy.output }).toEqual({ code: 0, output: '' });
        expect(sim.vm(vmid())).toBeUndefined();
        expect([...sim.cluster.volumes.values()].filter((volume) => volume.vmid === vmid())).toEqual([]);
      }, 180_000);
    });

    describe('a template whose config is on another node than the Machine\'s', () => {
      test('without templateNode the clone is posted to the Machine\'s node, where Proxmox has no such template', async () => {
        const sim = await start();
        const workspace = simWorkspace(sim, await render((m) => { m.spec.proxmox.node = 'pve2'; }), tree.providerConfig, tools);
        const apply = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
        expect(apply.code).not.toBe(0);
        expect(flat(apply.output)).toContain("Configuration file 'nodes/pve2/qemu-server/9000.conf' does not exist");
        // One attempt, and no VM left behind.
        expect(apply.requests.filter((request) => request.path.endsWith('/clone')).length).toBe(1);
        expect(sim.vm(base.spec.proxmox.vmId)).toBeUndefined();
      }, 180_000);

      test('on local storage: cloned on the template\'s node, then migrated to the Machine\'s', async () => {
        const sim = await start();
        const workspace = simWorkspace(sim, await render((m) => { m.spec.proxmox.node = 'pve2'; m.spec.proxmox.templateNode = 'pve'; }), tree.providerConfig, tools);
        const apply = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
        expect({ code: apply.code, output: apply.code === 0 ? '' : apply.output }).toEqual({ code: 0, output: '' });
        const vmid = base.spec.proxmox.vmId;
        expect(summary(apply.requests.filter((request) => /\/(clone|migrate)$/.test(request.path))))
          .toEqual([`POST /nodes/pve/qemu/9000/clone 200`, `POST /nodes/pve/qemu/${vmid}/migrate 200`]);
        expect(sim.vm(vmid)).toMatchObject({ node: 'pve2', running: true });
        const plan = await run(sim, () => workspace.terraform('plan', '-detailed-exitcode'));
        expect({ code: plan.code, changes: plan.code === 2 ? plan.output : '' }).toEqual({ code: 0, changes: '' });
      }, 180_000);

      test('on shared storage: cloned straight to the Machine\'s node', async () => {
        const sim = await start();
        const workspace = simWorkspace(sim, await render((m) => {
          Object.assign(m.spec.proxmox, { node: 'pve', templateId: 9100, templateNode: 'pve2' });
          m.spec.disk.interface = 'virtio0';
        }), tree.providerConfig, tools);
        const apply = await run(sim, () => workspace.terraform('apply', '-auto-approve'));
        expect({ code: apply.code, output: apply.code === 0 ? '' : apply.output }).toEqual({ code: 0, output: '' });
        const clone = apply.requests.filter((request) => request.path.endsWith('/clone'));
        expect(clone.map((request) => [request.path, request.params.target])).toEqual([['/nodes/pve2/qemu/9100/clone', 'pve']]);
        expect(apply.requests.filter((request) => request.path.endsWith('/migrate'))).toEqual([]);
        expect(sim.vm(base.spec.proxmox.vmId)).toMatchObject({ node: 'pve', running: true });
      }, 180_000);
    });
  });

describeWithTools('the Proxmox API certificate from the cluster\'s own CA, trusted as the provider\'s pod is set up',
  ['crank', 'function-patch-and-transform', 'terraform-provider-proxmox', 'terraform'], (tools: Tools) => {
    let fn: RunningFunction | undefined;
    let sim: ProxmoxSim | undefined;
    afterAll(async () => { await fn?.stop(); await sim?.stop(); });

    test('the CA from the credentials Secret, mounted where SSL_CERT_DIR names it, makes the apply trust Proxmox; without it, x509 refuses', async () => {
      const tree = dnsTree();
      const runtime = YAML.parse(fs.readFileSync(path.join(tree.clusterDir, 'platform', 'packages', 'deploymentruntimeconfig.provider-terraform.yaml'), 'utf8'));
      const pod = runtime.spec.deploymentTemplate.spec.template.spec;
      const container = pod.containers.find((candidate: any) => candidate.name === 'package-runtime');
      const certDirs: string = container.env.find((variable: any) => variable.name === 'SSL_CERT_DIR').value;
      const [mount] = container.volumeMounts;
      const volume = pod.volumes.find((candidate: any) => candidate.name === mount.name);
      // The Secret the provider config reads the token from, and the key the docs tell users to add.
      expect(volume.secret).toMatchObject({ secretName: tree.providerConfig.spec.credentials[0].secretRef.name, optional: true });
      const [item] = volume.secret.items;
      expect(item.key).toBe('ca_cert');

      // The pod's filesystem, here: the Secret's key written where the volume puts it.
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-pod-'));
      const mounted = path.join(root, mount.mountPath);
      fs.mkdirSync(mounted, { recursive: true });
      sim = await startProxmoxSim();
      fs.writeFileSync(path.join(mounted, item.path), sim.ca);
      const podCertDirs = certDirs.split(':').map((dir) => (dir === mount.mountPath ? mounted : dir)).join(':');

      fn = await startFunction(tools['function-patch-and-transform']);
      const [rendered] = await renderTree(tools.crank, fn.target, { ...tree, machines: tree.machines.filter(({ machine }) => machine.metadata.name === 'dns01') });
      const untrusted = simWorkspace(sim, rendered.workspaces[0], tree.providerConfig, tools, { trust: { SSL_CERT_FILE: undefined, SSL_CERT_DIR: undefined } });
      const refused = await untrusted.terraform('apply', '-auto-approve');
      expect(refused.code).not.toBe(0);
      expect(flat(refused.output)).toContain('x509: certificate signed by unknown authority');
      expect(sim.vm(rendered.machine.spec.proxmox.vmId)).toBeUndefined();

      const trusted = simWorkspace(sim, rendered.workspaces[0], tree.providerConfig, tools, { trust: { SSL_CERT_FILE: undefined, SSL_CERT_DIR: podCertDirs } });
      const apply = await trusted.terraform('apply', '-auto-approve');
      expect({ code: apply.code, output: apply.code === 0 ? '' : apply.output }).toEqual({ code: 0, output: '' });
      expect(sim.vm(rendered.machine.spec.proxmox.vmId)).toMatchObject({ running: true });
    }, 180_000);
  });

describeWithTools('every example and fixture Machine provisions on the default site',
  ['crank', 'function-patch-and-transform', 'terraform-provider-proxmox', 'terraform'], (tools: Tools) => {
    let fn: RunningFunction | undefined;
    let sim: ProxmoxSim | undefined;
    beforeAll(async () => { fn = await startFunction(tools['function-patch-and-transform']); }, 180_000);
    afterEach(async () => { await sim?.stop(); });
    afterAll(async () => { await fn?.stop(); });

    // One cluster per tree: the two pin some of the same VMIDs.
    test.each([['claims/ (dist/)', committedTree], ['the fleet fixture', () => fleetTree()]] as const)('%s: created, running on its node, and the next plan is empty', async (_name, treeOf) => {
      const tree = treeOf();
      sim = await startProxmoxSim();
      // Pinned VMIDs first: an unpinned Machine created before a pinned one may be given its VMID by
      // /cluster/nextid (the lowest free one), and the pinned Machine's create then fails (docs/apply-time.md).
      const pinnedFirst = (await renderTree(tools.crank, fn!.target, tree))
        .sort((a, b) => Number(b.machine.spec.proxmox.vmId !== undefined) - Number(a.machine.spec.proxmox.vmId !== undefined));
      for (const rendered of pinnedFirst) {
        const workspace = simWorkspace(sim!, rendered.workspaces[0], tree.providerConfig, tools);
        const before = sim!.requests.length;
        const apply = await workspace.terraform('apply', '-auto-approve');
        expect({ machine: rendered.id, code: apply.code, output: apply.code === 0 ? '' : apply.output }).toEqual({ machine: rendered.id, code: 0, output: '' });
        const plan = await workspace.terraform('plan', '-detailed-exitcode');
        expect({ machine: rendered.id, code: plan.code, changes: plan.code === 2 ? plan.output : '' }).toEqual({ machine: rendered.id, code: 0, changes: '' });
        expect(summary(sim!.requests.slice(before).filter(unchecked))).toEqual([]);
        const outputs = JSON.parse((await workspace.terraform('output', '-json')).output);
        const spec = rendered.machine.spec;
        expect(sim!.vm(outputs.vm_id.value)).toMatchObject({ node: spec.proxmox.node, running: true, config: { name: spec.hostname ?? rendered.machine.metadata.name } });
      }
    }, 600_000);
  });

test('every row of plan-effects\' table has a change scenario (or says why not), and no scenario names a row it does not have', () => {
  const rows = FIELD_EFFECTS.map((row) => row.field as string);
  expect({ missing: rows.filter((field) => !(field in CHANGE_FOR_ROW)), extra: Object.keys(CHANGE_FOR_ROW).filter((field) => !rows.includes(field)) })
    .toEqual({ missing: [], extra: [] });
  // A scenario's path is one the row decides for (the most specific row plan-effects would pick).
  for (const [field, scenario] of Object.entries(CHANGE_FOR_ROW)) {
    if ('path' in scenario) expect({ path: scenario.path, row: FIELD_EFFECTS.find((row) => fieldEffect(scenario.path, undefined, scenario.value).why === row.why && row.field === field)?.field }).toEqual({ path: scenario.path, row: field });
  }
});
