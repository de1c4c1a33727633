/**
 * The rendered Workspaces as provider-terraform runs them, for upstream.test.ts: each one's module, varmap and
 * credential files go through the real `terraform plan` (which validates first) with the real bpg/proxmox
 * provider, and the planned VM is what the Machine asks for. Planning new resources needs no Proxmox: the
 * endpoint is 127.0.0.1, where nothing listens. One Terraform run plans them all, each Workspace's directory a
 * child module given its varmap (_terraform-workdir.ts planTogether); a Workspace of each module is also planned
 * alone, exactly as provider-terraform plans it, and must plan the same.
 */
import { USER_DATA_RESOURCE, VM_RESOURCE } from '../src/platform/terraform-module';
import { RenderedMachine, RenderPass, SynthesizedTree } from './_rendered-machines';
import {
  AttachedProvider, attachProvider, PlannedWorkspace, plannedResource, planTogether, planWorkspace, workspaceDir,
} from './_terraform-workdir';
import { describeWithTools, inParallel } from './_upstream-tools';

const VM_TYPE = VM_RESOURCE.split('.')[0];
const FILE_TYPE = USER_DATA_RESOURCE.split('.')[0];

/** What the VM must be for a (defaulted) Machine spec, in the plan's shape. */
function expectedVm(machine: Record<string, any>): Record<string, unknown> {
  const spec = machine.spec;
  const network = spec.network;
  const address = network?.ip !== undefined ? `${network.ip}/${network.cidr}` : (network?.dhcp === false ? undefined : 'dhcp');
  return {
    name: spec.hostname ?? machine.metadata.name,
    node_name: spec.proxmox.node,
    // Absent: Proxmox picks the next free VMID, known only after apply (see the test below).
    ...(spec.proxmox.vmId !== undefined ? { vm_id: spec.proxmox.vmId } : {}),
    pool_id: spec.proxmox.pool ?? null,
    on_boot: spec.proxmox.startOnBoot,
    clone: [expect.objectContaining({ vm_id: spec.proxmox.templateId, full: true })],
    cpu: [expect.objectContaining({ cores: spec.cpu.cores, sockets: spec.cpu.sockets, type: spec.cpu.type })],
    memory: [expect.objectContaining({ dedicated: spec.memory.size })],
    disk: [
      expect.objectContaining({ interface: spec.disk.interface, size: spec.disk.size, datastore_id: spec.disk.storage ?? spec.proxmox.storage }),
      ...(spec.dataDisks ?? []).map((disk: { size: number; storage?: string }, index: number) => expect.objectContaining({
        interface: `scsi${index + 1}`, size: disk.size, datastore_id: disk.storage ?? spec.proxmox.storage,
      })),
    ],
    network_device: [expect.objectContaining({ bridge: spec.proxmox.bridge, vlan_id: spec.proxmox.vlan ?? 0, model: 'virtio', enabled: true })],
    initialization: [expect.objectContaining({
      datastore_id: spec.proxmox.storage,
      dns: network?.dns !== undefined || network?.domain !== undefined ? [{ servers: network.dns ?? null, domain: network.domain ?? null }] : [],
      ip_config: address === undefined ? [] : [{ ipv4: [{ address, gateway: network?.gateway ?? null }], ipv6: [] }],
      user_account: spec.bootstrap ? [expect.objectContaining({ username: spec.bootstrap.adminUser, keys: spec.bootstrap.sshAuthorizedKeys })] : [],
    })],
    tags: Object.entries<string>(spec.tags ?? {}).map(([key, value]) => `${key}-${value}`).sort(),
    smbios: spec.nix?.flakeRef !== undefined ? [expect.objectContaining({ serial: spec.nix.flakeRef })] : [],
  };
}

/**
 * The Workspaces `pass` rendered for `trees` (every Machine) and for `snippetTree` (the snippet bootstrap
 * channel, whose module differs), planned by Terraform.
 */
export function terraformChecks(pass: RenderPass, trees: readonly SynthesizedTree[], snippetTree: SynthesizedTree): void {
  const cases = trees.flatMap((tree) => tree.machines.map(({ machine }) => ({
    tree: tree.name,
    id: `${machine.metadata.namespace}/${machine.metadata.name}`,
  })));

  describeWithTools('rendered Workspaces planned by Terraform with the bpg/proxmox provider',
    ['terraform-provider-proxmox', 'terraform'], (tools) => {
      let providers: AttachedProvider[] = [];
      const planned = new Map<string, { rendered: RenderedMachine } & PlannedWorkspace>();
      const snippetPlans = new Map<string, PlannedWorkspace>();
      /** The Workspaces also planned alone, as the root module, exactly as provider-terraform plans them. */
      const alone = new Map<string, { together: PlannedWorkspace; alone: PlannedWorkspace }>();

      beforeAll(async () => {
        // Two Terraform runs at a time (two cores), each on a provider of its own.
        const started = await Promise.allSettled([1, 2].map(() => attachProvider(tools['terraform-provider-proxmox'])));
        providers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
        for (const result of started) if (result.status === 'rejected') throw result.reason;
        const jobs = [...trees, snippetTree].flatMap((tree) => pass.of(tree).map((machine) => ({ tree, machine })));
        // Every Workspace is planned in one Terraform run, as a child module (a run per Workspace costs 0.7 s of
        // CPU); per module text, the Workspace with the most varmap entries is also planned alone, as the root
        // module, exactly as provider-terraform plans it, and must plan the same.
        const fullest = new Map<string, number>();
        jobs.forEach(({ machine }, index) => {
          const { module, varmap } = machine.workspaces[0].spec.forProvider;
          const best = fullest.get(module);
          if (best === undefined || Object.keys(varmap).length > Object.keys(jobs[best].machine.workspaces[0].spec.forProvider.varmap).length) fullest.set(module, index);
        });
        const [together, root] = await Promise.all([
          planTogether(tools.terraform, providers[0], jobs.map(({ tree, machine }) => ({ workspace: machine.workspaces[0], providerConfig: tree.providerConfig }))),
          inParallel([...fullest.values()], 1, (index) => planWorkspace(tools.terraform, providers[1], workspaceDir(jobs[index].machine.workspaces[0], jobs[index].tree.providerConfig))),
        ]);
        jobs.forEach(({ tree, machine }, index) => {
          if (tree.name === snippetTree.name) snippetPlans.set(machine.id, together[index]);
          else planned.set(`${tree.name} ${machine.id}`, { rendered: machine, ...together[index] });
        });
        [...fullest.values()].forEach((index, n) => alone.set(`${jobs[index].tree.name} ${jobs[index].machine.id}`, { together: together[index], alone: root[n] }));
      }, 300_000);
      afterAll(async () => { await Promise.all(providers.map((provider) => provider.stop())); });

      test('a Workspace of each module, planned alone as the root module, plans what it plans as a child module', () => {
        // The module of the default bootstrap channel and the snippet channel's.
        expect(alone.size).toBe(2);
        const comparable = ({ address, module_address, ...change }: Record<string, any>) => change;
        for (const [id, { together, alone: root }] of alone) {
          expect({ id, diagnostics: root.diagnostics }).toEqual({ id, diagnostics: [] });
          expect({ id, changes: root.plan.resource_changes.map(comparable) }).toEqual({ id, changes: together.plan.resource_changes.map(comparable) });
        }
      });

      describe('with the snippet bootstrap channel', () => {
        test.each(snippetTree.machines.map(({ machine }) => ({ machine, id: `${machine.metadata.namespace}/${machine.metadata.name}` })))(
          '$id plans its user-data snippet on the configured datastore and a VM that boots from it', ({ machine, id }) => {
            const { diagnostics, plan } = snippetPlans.get(id)!;
            expect(diagnostics).toEqual([]);
            expect(plan.resource_changes.map((change: any) => `${change.type}: ${change.change.actions.join(',')}`).sort())
              .toEqual([`${FILE_TYPE}: create`, `${VM_TYPE}: create`]);
            const file = plannedResource(plan, FILE_TYPE);
            expect(file).toMatchObject({ content_type: 'snippets', datastore_id: 'snippets-nfs', node_name: machine.spec.proxmox.node });
            expect(file.source_raw[0].file_name).toBe(`fabric.${machine.metadata.namespace}.${machine.metadata.name}.yaml`);
            expect(file.source_raw[0].data).toMatch(/^#cloud-config\n/);
            const vm = plan.resource_changes.find((change: any) => change.type === VM_TYPE).change;
            // The id bpg gives the file (file.go fileVolumeID.String: <datastore>:<content type>/<file>), known at
            // plan time, so new user-data replaces the file and never the VM.
            expect(vm.after.initialization[0].user_data_file_id).toBe(`snippets-nfs:snippets/${file.source_raw[0].file_name}`);
            expect(vm.after.initialization[0].user_account).toEqual([]);
          });
      });

      const plannedCase = (tree: string, id: string) => planned.get(`${tree} ${id}`)!;

      test('plans every Machine of claims/ and of the fleet fixture', () => {
        expect(planned.size).toBe(cases.length);
      });

      test.each(cases)('$tree $id passes the validation terraform plan runs, with no diagnostic, and plans one new VM and nothing else to change', ({ tree, id }) => {
        const { diagnostics, plan } = plannedCase(tree, id);
        expect(diagnostics).toEqual([]);
        const actions = plan.resource_changes.map((change: any) => `${change.type}: ${change.change.actions.join(',')}`);
        expect(actions).toEqual([`${VM_TYPE}: create`]);
      });

      test.each(cases)('$tree $id: the planned VM is what the Machine asks for', ({ tree, id }) => {
        const { rendered, plan } = plannedCase(tree, id);
        expect(plannedResource(plan, VM_TYPE)).toMatchObject(expectedVm(rendered.machine));
      });

      test.each(cases)('$tree $id: a VMID is pinned when the Machine pins one, else left to Proxmox', ({ tree, id }) => {
        const { rendered, plan } = plannedCase(tree, id);
        const vm = plan.resource_changes.find((change: any) => change.type === VM_TYPE).change;
        const pinned = rendered.machine.spec.proxmox.vmId;
        expect({ planned: vm.after.vm_id, unknownUntilApply: vm.after_unknown.vm_id === true })
          .toEqual(pinned !== undefined ? { planned: pinned, unknownUntilApply: false } : { planned: undefined, unknownUntilApply: true });
      });

      test('the fleet fixture\'s every-field Machine plans its values exactly', () => {
        const vm = plannedResource(plannedCase('fleet fixture', 'fleet-a/every-field').plan, VM_TYPE);
        expect(vm.name).toBe('ns-primary');
        expect(vm.vm_id).toBe(4242);
        expect(vm.on_boot).toBe(false);
        expect(vm.tags).toEqual(['environment-production', 'role-dns', 'tier-a.1_b+c']);
        expect(vm.disk.map((disk: any) => [disk.interface, disk.datastore_id, disk.size])).toEqual([
          ['virtio0', 'fast-nvme', 48], ['scsi1', 'ceph-vm', 100], ['scsi2', 'tank', 250],
        ]);
        expect(vm.initialization[0].ip_config).toEqual([{ ipv4: [{ address: '10.20.30.40/23', gateway: '10.20.31.254' }], ipv6: [] }]);
        expect(vm.network_device[0].vlan_id).toBe(30);
      });
    });
}
