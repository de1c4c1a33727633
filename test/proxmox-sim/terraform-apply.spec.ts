/**
 * The first lifecycle scenario: the Workspace the real `crank render` makes for an example Machine
 * (test/fixtures/dns01.yaml, as the example fleet's claims/dns01.ts), applied by the real Terraform with the real bpg/proxmox provider v0.111.1 to the simulator
 * over HTTPS (_terraform.ts says how the provider is given and how it trusts the simulator's CA). Every request
 * bpg makes is checked against the Proxmox schema; one the schema refuses, or the simulator cannot check, fails
 * the test that made it.
 */
import { startProxmoxSim, type ProxmoxSim, type RequestRecord } from '../../src/proxmox-sim';
import { dnsTree, RenderedMachine, renderTree } from '../_rendered-machines';
import { describeWithTools, RunningFunction, startFunction } from '../_upstream-tools';
import { SimWorkspace, simWorkspace } from './_terraform';

describeWithTools('the real Terraform and bpg/proxmox apply a rendered Workspace to the simulator',
  ['crank', 'function-patch-and-transform', 'terraform-provider-proxmox', 'terraform'], (tools) => {
    let sim: ProxmoxSim;
    let fn: RunningFunction | undefined;
    let rendered: RenderedMachine;
    let workspace: SimWorkspace;
    const terraform = (...args: string[]) => workspace.terraform(...args);
    /** The requests of the current test, so its own refusals fail it. */
    let seen = 0;

    beforeAll(async () => {
      const tree = dnsTree();
      fn = await startFunction(tools['function-patch-and-transform']);
      [rendered] = await renderTree(tools.crank, fn.target, { ...tree, machines: tree.machines.filter(({ machine }) => machine.metadata.name === 'dns01') });
      sim = await startProxmoxSim();
      workspace = simWorkspace(sim, rendered.workspaces[0], tree.providerConfig, tools);
    }, 180_000);
    afterAll(async () => { await fn?.stop(); await sim?.stop(); });
    beforeEach(() => { seen = sim.requests.length; });
    afterEach(() => {
      const mine = sim.requests.slice(seen);
      const unchecked = (request: RequestRecord) => request.outcome === 'schema' || request.outcome === 'unmodelled' || request.outcome === 'internal';
      expect(mine.filter(unchecked).map(({ method, path: where, status, message, errors }) => ({ method, where, status, message, errors }))).toEqual([]);
    });

    test('apply creates the VM the Machine describes, running, in its pool, and outputs what the Composition copies', async () => {
      const apply = await terraform('apply', '-auto-approve');
      expect({ code: apply.code, output: apply.code === 0 ? '' : apply.output }).toEqual({ code: 0, output: '' });
      const spec = rendered.machine.spec;
      const vm = sim.vm(spec.proxmox.vmId)!;
      expect(vm).toMatchObject({ node: spec.proxmox.node, running: true, pool: spec.proxmox.pool });
      expect(vm.config).toMatchObject({
        name: rendered.machine.metadata.name,
        cores: String(spec.cpu.cores), sockets: String(spec.cpu.sockets), cpu: spec.cpu.type, memory: String(spec.memory.size),
        onboot: '1', ciuser: spec.bootstrap.adminUser, sshkeys: encodeURIComponent(spec.bootstrap.sshAuthorizedKeys.join('\n')),
        ipconfig0: `gw=${spec.network.gateway},ip=${spec.network.ip}/${spec.network.cidr}`,
        nameserver: spec.network.dns.join(' '), searchdomain: spec.network.domain,
        tags: Object.entries<string>(spec.tags).map(([key, value]) => `${key}-${value}`).sort().join(';'),
      });
      expect(vm.config.agent).toMatch(/^enabled=1(,|$)/);
      expect(vm.config.net0).toMatch(new RegExp(`^virtio=[0-9A-F:]{17},bridge=${spec.proxmox.bridge},firewall=0,tag=${spec.proxmox.vlan}$`));
      const smbios = Object.fromEntries(vm.config.smbios1.split(',').map((part) => part.split('=', 2)));
      expect(Buffer.from(smbios.serial, 'base64').toString()).toBe(spec.nix.flakeRef);
      expect(vm.disks[spec.disk.interface]).toMatchObject({ sizeBytes: spec.disk.size * 1024 ** 3, storage: spec.proxmox.storage });
      // Written to the cloud-init drive at the start.
      expect(vm.cloudinit).toMatchObject({ hostname: rendered.machine.metadata.name, ciuser: spec.bootstrap.adminUser });
      // The module's outputs, which the Composition patches into the Machine's status.
      const outputs = JSON.parse((await terraform('output', '-json')).output);
      expect(Object.fromEntries(Object.entries<any>(outputs).map(([key, output]) => [key, output.value]))).toEqual({
        vm_id: spec.proxmox.vmId, node: spec.proxmox.node, ip_address: spec.network.ip, ip_addresses: [spec.network.ip],
      });
    }, 180_000);

    test('the plan right after the apply is empty: nothing drifts', async () => {
      const plan = await terraform('plan', '-detailed-exitcode');
      expect({ code: plan.code, changes: plan.code === 2 ? plan.output : '' }).toEqual({ code: 0, changes: '' });
    }, 180_000);

    test('destroy stops and removes the VM and its disks', async () => {
      const vmid = rendered.machine.spec.proxmox.vmId;
      const destroy = await terraform('destroy', '-auto-approve');
      expect({ code: destroy.code, output: destroy.code === 0 ? '' : destroy.output }).toEqual({ code: 0, output: '' });
      expect(sim.vm(vmid)).toBeUndefined();
      expect([...sim.cluster.volumes.values()].filter((volume) => volume.vmid === vmid)).toEqual([]);
    }, 180_000);
  });
