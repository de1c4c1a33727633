/**
 * Fabric's output run by the code that runs it in the cluster. Every Machine in claims/ (the committed dist/) and
 * every Machine of the fleet fixture (test/fixtures/fleet.yaml, which uses every field of the API) is rendered
 * through the synthesized Composition by the real `crank render` and function-patch-and-transform
 * (_upstream-render-checks.ts), and the Workspaces it renders are planned by the real Terraform with the real
 * bpg/proxmox provider (_upstream-terraform-checks.ts). One suite, so each tree is synthesized and each
 * Machine rendered once for both.
 */
import { fixtureChecks, renderChecks } from './_upstream-render-checks';
import { terraformChecks } from './_upstream-terraform-checks';
import { committedTree, fleetTree, RenderedMachine, renderTree, SynthesizedTree } from './_rendered-machines';
import { describeWithTools, RunningFunction, startFunction } from './_upstream-tools';

const committed = committedTree();
const fleet = fleetTree();
/** The same fleet in the legacy topology: Machine claims for cluster-scoped XMachines. */
const legacyFleet = fleetTree({ topology: 'legacy' }, 'legacy fleet fixture');
const snippetFleet = fleetTree({ bootstrap: 'snippet', snippetDatastore: 'snippets-nfs' }, 'fleet fixture (snippet channel)');
/** The snippet channel changes the module, not the variables: the fullest and the smallest Machine plan it. */
const snippetTree: SynthesizedTree = {
  ...snippetFleet,
  machines: snippetFleet.machines.filter(({ machine }) => ['every-field', 'smallest'].includes(machine.metadata.name)),
};

fixtureChecks(committed, fleet);

describeWithTools('Machines rendered by crank render with function-patch-and-transform', ['crank', 'function-patch-and-transform'], (tools) => {
  let fn: RunningFunction | undefined;
  const rendered = new Map<SynthesizedTree, RenderedMachine[]>();

  beforeAll(async () => {
    fn = await startFunction(tools['function-patch-and-transform']);
    for (const tree of [committed, fleet, legacyFleet, snippetTree]) rendered.set(tree, await renderTree(tools.crank, fn.target, tree));
  }, 120_000);
  afterAll(async () => fn?.stop());

  const pass = { crank: tools.crank, target: () => fn!.target, of: (tree: SynthesizedTree) => rendered.get(tree)! };
  renderChecks(pass, committed, fleet, legacyFleet);
  terraformChecks(pass, [committed, fleet], snippetTree);
});
