/**
 * The Machine API on a real control plane: etcd, kube-apiserver and Crossplane core built from their pinned Go
 * modules (_control-plane.ts), at Kubernetes 1.34 and at 1.32, the oldest minor Crossplane v2.2.0 supports.
 * Only the real API server estimates the cost of CEL rules and refuses a CRD over budget, and only Crossplane
 * derives the Machine CRD from the XRD: no other check in the suite would see the XRD refused.
 *
 * Each Kubernetes version gets Crossplane's CRDs (from its Go module), the pinned provider CRDs
 * (imports/crds/) and a synthesized platform, once per topology, and must then:
 * - establish the XRD and serve the CRD Crossplane derives from it, with every CEL rule of the schema;
 * - accept every example Machine (dist/) and every fleet fixture Machine as synth wrote it, storing exactly
 *   that (no default of the API server that synth left out, which Argo CD would show as drift);
 * - refuse every bad Machine of the validation table at the field synth names, and for each CEL rule with
 *   the message synth gives;
 * - refuse a CRD whose CEL is over budget (the rule Fabric carried until issue 30);
 * - compose each Machine's Workspace live: Crossplane calls function-patch-and-transform, run as a local
 *   process it reaches over mTLS (the harness's serveFunction), and the Workspace is what `crank render` gives;
 * - with the Workspace's status written as provider-terraform writes it, make the Machine Ready with its VMID
 *   and address, which Argo CD's health check (the committed argocd-cm, in gopher-lua) calls Healthy, and
 *   Degraded with Terraform's message after a failed apply.
 * And synth's CEL IP/CIDR functions must give the API server's verdict on a table of cases.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import * as zlib from 'zlib';
import { StructuralSchema, ValidationRule } from '../src/api/structural-schema';
import { machineCustomResourceDefinition } from '../src/api/machine-crd';
import { machineSchema } from '../src/api/machine-schema';
import { MACHINE_HEALTH_EXPR } from '../src/gitops/flux';
import { validateCelRules } from '../src/validation/cel-validation';
import { validateAgainstSchema } from '../src/validation/schema-validation';
import {
  ApiError, conditionOf, ControlPlane, crossplaneCrdFiles, KUBE_APISERVER_TOOLS, KubernetesObject, KubernetesVersion,
  objectsIn, providerCrdFiles, startControlPlane, yamlFiles,
} from './_control-plane';
import { REPO } from './_helpers';
import { committedTree, fleetTree, RenderedMachine, renderTree, SynthesizedTree } from './_rendered-machines';
import { describeWithTools, RunningFunction, startFunction } from './_upstream-tools';
import { startFluxHealth } from './_flux';
import { HealthCheck, startHealthChecks } from './_argocd-lua';
import { BAD_CASES, Doc, fullMachine, GOOD_CASES } from './_validation-cases';

const VERSIONS = Object.keys(KUBE_APISERVER_TOOLS) as KubernetesVersion[];

jest.setTimeout(180_000);

/** Every CEL rule of a schema, wherever it sits. */
function rulesOf(schema: StructuralSchema): ValidationRule[] {
  return [
    ...(schema['x-kubernetes-validations'] ?? []),
    ...Object.values(schema.properties ?? {}).flatMap(rulesOf),
    ...(schema.items ? rulesOf(schema.items) : []),
    ...(schema.additionalProperties ? rulesOf(schema.additionalProperties) : []),
  ];
}

/** A copy of `schema` that carries `rule` and no other CEL rule. */
function onlyRule(schema: StructuralSchema, rule: ValidationRule): StructuralSchema {
  const copy = (node: StructuralSchema): StructuralSchema => ({
    ...node,
    'x-kubernetes-validations': (node['x-kubernetes-validations'] ?? []).filter((r) => r === rule),
    ...(node.properties ? { properties: Object.fromEntries(Object.entries(node.properties).map(([key, child]) => [key, copy(child)])) } : {}),
    ...(node.items ? { items: copy(node.items) } : {}),
    ...(node.additionalProperties ? { additionalProperties: copy(node.additionalProperties) } : {}),
  });
  return copy(schema);
}

/** Applies objects in order; one whose kind is not served yet (a CRD still being established) is retried. */
async function applyInOrder(plane: ControlPlane, objects: readonly KubernetesObject[]): Promise<void> {
  for (const object of objects) {
    await plane.waitFor(`${object.kind} ${object.metadata.name} applied`, async () => {
      try {
        await plane.apply([object]);
        return true;
      } catch (error) {
        if (/serves no /.test((error as Error).message)) return false;
        throw error;
      }
    }, { timeoutMs: 30_000 });
  }
}

async function established(plane: ControlPlane, crd: string): Promise<KubernetesObject> {
  return plane.waitFor(`CRD ${crd} Established`, async () => {
    const object = await plane.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', crd);
    return conditionOf(object, 'Established')?.status === 'True' && object;
  }, { timeoutMs: 60_000 });
}

/** Namespaces first, then the rest of the platform (a folder per Flux stage) as its file names sort. */
function platformObjects(tree: SynthesizedTree): KubernetesObject[] {
  const platform = path.join(tree.clusterDir, 'platform');
  const stages = fs.readdirSync(platform, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => path.join(platform, entry.name));
  const files = stages.flatMap((stage) => yamlFiles(stage)).sort((a, b) => path.basename(a).localeCompare(path.basename(b)));
  const objects = files.flatMap(objectsIn);
  return [...objects.filter((object) => object.kind === 'Namespace'), ...objects.filter((object) => object.kind !== 'Namespace')];
}

interface MachineApi {
  readonly plane: () => ControlPlane;
  readonly xrd: () => KubernetesObject;
}

/**
 * A control plane at `version` running the platform of `trees` (the first one's XRD): started before the
 * block's tests, stopped after them.
 */
function machineApiOn(version: KubernetesVersion, tools: Record<string, string>, trees: readonly SynthesizedTree[]): MachineApi {
  let plane: ControlPlane | undefined;
  let xrd: KubernetesObject | undefined;
  beforeAll(async () => {
    plane = await startControlPlane({ binaries: { etcd: tools.etcd, kubeApiserver: tools[KUBE_APISERVER_TOOLS[version]] } });
    const crds = [...crossplaneCrdFiles(), ...providerCrdFiles()].flatMap(objectsIn).filter((object) => object.kind === 'CustomResourceDefinition');
    await plane.apply(crds);
    for (const crd of crds) await established(plane, crd.metadata.name);
    await plane.startCrossplane(tools.crossplane);
    // The Composition's function, served by the pinned build as Crossplane would run its package.
    const fn = YAML.parse(fs.readFileSync(trees[0].function, 'utf8'));
    await plane.serveFunction(tools['function-patch-and-transform'], fn.metadata.name, fn.spec.package);
    await plane.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CASES_NAMESPACE } }]);
    const objects = trees.flatMap(platformObjects);
    await applyInOrder(plane, objects.filter((object, index) => objects.findIndex((o) => o.kind === object.kind && o.metadata.name === object.metadata.name) === index));
    const { apiVersion, metadata: { name } } = YAML.parse(fs.readFileSync(trees[0].xrd, 'utf8'));
    const xrdOf = () => plane!.get(apiVersion, 'CompositeResourceDefinition', name);
    // Crossplane reports a CRD the API server refused on the XRD's conditions: the failure names it.
    xrd = await plane.waitFor(`XRD ${name} Established`, async () => {
      const object = await xrdOf();
      return conditionOf(object, 'Established')?.status === 'True' && object;
    }, {
      timeoutMs: 90_000,
      describe: async () => `conditions ${JSON.stringify((await xrdOf())?.status?.conditions ?? [])}; events:\n${(await plane!.events(name)).join('\n')}`,
    });
  });
  afterAll(async () => plane?.stop());
  return { plane: () => plane!, xrd: () => xrd! };
}

/** The CRD Crossplane derived for a kind of the XRD, and the CEL rules its version carries. */
async function derivedCrd(plane: ControlPlane, plural: string): Promise<{ crd: KubernetesObject; rules: string[] }> {
  const crd = await established(plane, `${plural}.fabric.kubelize.io`);
  const schema = crd.spec.versions.find((v: any) => v.name === 'v1alpha1').schema.openAPIV3Schema;
  const rules = (node: any): string[] => [
    ...(node?.['x-kubernetes-validations'] ?? []).map((rule: ValidationRule) => rule.rule),
    ...Object.values(node?.properties ?? {}).flatMap(rules),
    ...(node?.items ? rules(node.items) : []),
    ...(node?.additionalProperties && typeof node.additionalProperties === 'object' ? rules(node.additionalProperties) : []),
  ];
  return { crd, rules: rules(schema) };
}

/** The parts of a stored object a user wrote: what Argo CD compares with git. */
function asWritten(stored: KubernetesObject, written: KubernetesObject): KubernetesObject {
  return {
    apiVersion: stored.apiVersion,
    kind: stored.kind,
    metadata: Object.fromEntries(Object.keys(written.metadata).map((key) => [key, stored.metadata[key]])),
    spec: stored.spec,
  };
}

/** Where the validation cases run: a namespace of their own, so a dry run never meets a Machine created for real. */
const CASES_NAMESPACE = 'validation-cases';

function validationCase(mutate: (machine: Doc) => void): Doc {
  const machine = fullMachine();
  mutate(machine);
  machine.metadata.namespace = CASES_NAMESPACE;
  return machine;
}

/** A cause's field as synth names it: the root is '' (the API server may say <nil>). */
function fieldOf(cause: { field: string }): string {
  return cause.field === '<nil>' ? '' : cause.field;
}

/**
 * The fields an answer refuses: its causes, and for strict field validation (kubectl's default) each
 * `unknown field "<path>"` of the message.
 */
function fieldsOf(answer: ApiError): string[] {
  const unknown = [...(answer.body?.message ?? '').matchAll(/unknown field "([^"]+)"/g)].map((match) => match[1]);
  return [...answer.causes.map(fieldOf), ...unknown];
}

/** The API server's text for a field error, without its `Invalid value: ...: ` / `Required value: ` lead. */
function serverMessage(cause: { message: string }): string {
  return cause.message.replace(/^(Invalid value: (".*?"|[^:]*): |Required value: |Forbidden: )/, '');
}

/**
 * Expressions of Kubernetes' IP and CIDR libraries (and format) with inputs `a`, `b`: synth's evaluator
 * (cel-kubernetes-net.ts) must give the API server's verdict on each: true, false, or an evaluation error.
 */
const NETWORK_LIBRARY_CASES: ReadonlyArray<readonly [expression: string, a: string, b?: string]> = [
  ['isIP(self.a)', '10.0.1.1'], ['isIP(self.a)', '10.0.1.256'], ['isIP(self.a)', '10.0.1.010'], ['isIP(self.a)', '1.2.3'],
  ['isIP(self.a)', ''], ['isIP(self.a)', '::1'], ['isIP(self.a)', '2001:db8::1'], ['isIP(self.a)', '::ffff:1.2.3.4'],
  ['isIP(self.a)', 'fe80::1%eth0'], ['isIP(self.a)', '1:2:3:4:5:6:7:8:9'], ['isIP(self.a)', '1::2::3'], ['isIP(self.a)', '64:ff9b::1.2.3.4'],
  ['isIP(self.a)', '1:2:3:4:5:6:7::'], ['isIP(self.a)', ':1::2'], ['isIP(self.a)', '12345::1'],
  ['isCIDR(self.a)', '10.0.0.0/8'], ['isCIDR(self.a)', '10.0.1.10/24'], ['isCIDR(self.a)', '10.0.0.0/33'], ['isCIDR(self.a)', '10.0.0.0/08'],
  ['isCIDR(self.a)', '10.0.0.0'], ['isCIDR(self.a)', '::/0'], ['isCIDR(self.a)', '2001:db8::/129'], ['isCIDR(self.a)', '::ffff:1.2.3.0/120'],
  ['isCIDR(self.a)', '10.0.0.0/-1'], ['isCIDR(self.a)', '10.0.0.0/+8'],
  ['string(ip(self.a)) == self.b', '2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['string(ip(self.a)) == self.b', '0:0:0:0:0:0:0:1', '::1'],
  ['string(ip(self.a)) == self.b', '1:0:0:2:0:0:0:3', '1:0:0:2::3'], ['string(ip(self.a)) == self.b', '2001:db8::', '2001:db8::'],
  ['string(ip(self.a)) == self.b', '1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
  ['ip(self.a).family() == 6', '::1'], ['ip(self.a).family() == 6', '10.0.0.1'], ['ip(self.a).family() == 6', 'not-an-ip'],
  ['ip(self.a).isLoopback()', '127.0.0.5'], ['ip(self.a).isLoopback()', '::1'], ['ip(self.a).isLoopback()', '::2'],
  ['ip(self.a).isUnspecified()', '0.0.0.0'], ['ip(self.a).isUnspecified()', '::'], ['ip(self.a).isUnspecified()', '0.0.0.1'],
  ['ip(self.a).isLinkLocalUnicast()', '169.254.1.1'], ['ip(self.a).isLinkLocalUnicast()', 'febf::1'], ['ip(self.a).isLinkLocalUnicast()', 'fec0::1'],
  ['ip(self.a).isLinkLocalMulticast()', '224.0.0.5'], ['ip(self.a).isLinkLocalMulticast()', 'ff12::1'], ['ip(self.a).isLinkLocalMulticast()', 'ff05::1'],
  ['ip(self.a).isGlobalUnicast()', '10.0.0.1'], ['ip(self.a).isGlobalUnicast()', '255.255.255.255'], ['ip(self.a).isGlobalUnicast()', '224.0.0.1'],
  ['ip(self.a).isGlobalUnicast()', 'ff00::1'], ['ip(self.a).isGlobalUnicast()', '2001:db8::1'], ['ip(self.a).isGlobalUnicast()', 'fe80::1'],
  ['cidr(self.a).containsIP(self.b)', '10.0.1.10/24', '10.0.1.1'], ['cidr(self.a).containsIP(self.b)', '10.0.1.10/24', '10.0.2.1'],
  ['cidr(self.a).containsIP(self.b)', '10.0.0.0/8', '::1'], ['cidr(self.a).containsIP(self.b)', '::/0', '10.0.0.1'],
  ['cidr(self.a).containsIP(self.b)', '10.0.1.0/24', 'bad'], ['cidr(self.a).containsIP(self.b)', '10.0.1.0/33', '10.0.1.1'],
  ['cidr(self.a).containsIP(ip(self.b))', '200.0.0.1/1', '128.0.0.1'], ['cidr(self.a).containsIP(ip(self.b))', '200.0.0.1/1', '127.255.255.255'],
  ['cidr(self.a).containsCIDR(self.b)', '10.0.0.0/8', '10.1.0.0/16'], ['cidr(self.a).containsCIDR(self.b)', '10.1.0.0/16', '10.0.0.0/8'],
  ['cidr(self.a).containsCIDR(cidr(self.b))', '10.0.0.1/8', '10.200.0.0/16'], ['cidr(self.a).containsCIDR(self.b)', '2001:db8::/32', '2001:db8:1::/48'],
  ['string(cidr(self.a).masked()) == self.b', '10.0.1.10/24', '10.0.1.0/24'], ['string(cidr(self.a).masked()) == self.b', '2001:db8::1/32', '2001:db8::/32'],
  ['string(cidr(self.a).masked()) == self.b', '10.0.1.10/0', '0.0.0.0/0'], ['string(cidr(self.a)) == self.b', '10.0.1.10/24', '10.0.1.10/24'],
  ['cidr(self.a).prefixLength() == 24', '10.0.1.10/24'], ['string(cidr(self.a).ip()) == self.b', '10.0.1.10/24', '10.0.1.10'],
  ['cidr(self.a) == cidr(self.b)', '10.0.1.0/24', '10.0.1.0/24'], ['cidr(self.a) == cidr(self.b)', '10.0.1.10/24', '10.0.1.0/24'],
  ['ip(self.a) == ip(self.b)', '::1', '0::1'], ['ip(self.a) == ip(self.b)', '10.0.0.1', '10.0.0.2'],
  ["'%s/%d'.format([self.a, 24]) == self.b", '10.0.0.0', '10.0.0.0/24'], ["'100%% %s'.format([self.a]) == self.b", 'sure', '100% sure'],
];

const NETWORK_EXPRESSIONS = [...new Set(NETWORK_LIBRARY_CASES.map(([expression]) => expression))];

/** A CRD whose rule i is the i-th expression, checked when `spec.rule` is i. */
function networkProbeSchema(): StructuralSchema {
  return {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['rule', 'a', 'b'],
        properties: { rule: { type: 'integer' }, a: { type: 'string', maxLength: 64 }, b: { type: 'string', maxLength: 64 } },
        'x-kubernetes-validations': NETWORK_EXPRESSIONS.map((expression, index) => ({ rule: `self.rule != ${index} || ${expression}`, message: `rule ${index} is false` })),
      },
    },
  };
}

type Verdict = 'true' | 'false' | 'error';

const committed = committedTree();
const fleet = fleetTree();
const legacyFleet = fleetTree({ topology: 'legacy' }, 'legacy fleet fixture');
/** `<tree>/<namespace>/<name>` of every Machine of the trees: the keys of their crank renders. */
const composedMachinesOf = (...trees: SynthesizedTree[]) => trees.flatMap((tree) => tree.machines.map(({ machine }) => [`${tree.name}/${machine.metadata.namespace}/${machine.metadata.name}`] as const));
const machinesOf = (...trees: SynthesizedTree[]) => trees.flatMap((tree) => tree.machines.map(({ file, machine }) => [`${tree.name}: ${path.basename(file)}`, machine] as const));

for (const version of VERSIONS) {
  const tools = ['etcd', 'crossplane', KUBE_APISERVER_TOOLS[version], 'function-patch-and-transform', 'crank', 'argocd-lua', 'flux-health'] as const;
  describeWithTools(`The Machine API on Kubernetes ${version}`, tools, (tools) => {
    describe('namespaced topology', () => {
      const api = machineApiOn(version, tools, [committed, fleet]);

      test('the API server is the pinned release', () => {
        expect(api.plane().gitVersion).toMatch(new RegExp(`^v${version.replace('.', '\\.')}\\.`));
      });

      test('the XRD is Established, and the CRD Crossplane derives carries every CEL rule of the schema', async () => {
        expect(conditionOf(api.xrd(), 'Established')?.status).toBe('True');
        const { rules } = await derivedCrd(api.plane(), 'machines');
        expect(rules).toEqual(expect.arrayContaining(rulesOf(machineSchema).map((rule) => rule.rule)));
      });

      test.each(machinesOf(committed, fleet))('accepts %s and stores it as synth wrote it', async (_, machine) => {
        const stored = await api.plane().create(machine);
        if (stored instanceof ApiError) throw stored;
        expect(asWritten(stored, machine)).toEqual(machine);
      });

      describe('composed live by Crossplane calling function-patch-and-transform', () => {
        let crankFunction: RunningFunction | undefined;
        const rendered = new Map<string, RenderedMachine>();
        beforeAll(async () => {
          // The Machines, as the tests above created them (applied again, so this block also runs alone).
          await api.plane().apply(machinesOf(committed, fleet).map(([, machine]) => machine));
          crankFunction = await startFunction(tools['function-patch-and-transform']);
          for (const tree of [committed, fleet]) {
            for (const machine of await renderTree(tools.crank, crankFunction.target, tree)) rendered.set(`${tree.name}/${machine.id}`, machine);
          }
        });
        afterAll(async () => crankFunction?.stop());

        test.each(composedMachinesOf(committed, fleet))('%s: its Workspace appears, as crank render gives it', async (key) => {
          const { machine, workspaces: [expected] } = rendered.get(key)!;
          const { namespace, name } = machine.metadata;
          const workspace = await api.plane().waitFor(`the Workspace of ${namespace}/${name}`, () =>
            api.plane().get(expected.apiVersion, expected.kind, expected.metadata.name, expected.metadata.namespace), {
            timeoutMs: 60_000,
            describe: async () => (await api.plane().events(name)).join('\n'),
          });
          // crank renders without the Workspace CRD's defaults (spec.forProvider.entrypoint: ""): the API server
          // fills them in a dry run of what crank rendered. crank leaves the owner's uid empty.
          const { ownerReferences, ...renderedMetadata } = expected.metadata;
          const defaulted = await api.plane().create({ ...expected, metadata: { ...renderedMetadata, name: `${expected.metadata.name}-rendered` } }, { dryRun: true });
          if (defaulted instanceof ApiError) throw defaulted;
          expect(workspace.spec).toEqual(defaulted.spec);
          const owner = await api.plane().get(machine.apiVersion, machine.kind, name, namespace);
          expect(workspace.metadata).toMatchObject({
            ...renderedMetadata,
            labels: expect.objectContaining(renderedMetadata.labels ?? {}),
            annotations: expect.objectContaining(renderedMetadata.annotations ?? {}),
            ownerReferences: (ownerReferences ?? []).map((reference: KubernetesObject) => ({ ...reference, uid: owner!.metadata.uid })),
          });
        });

        /**
         * A Workspace's status as provider-terraform writes it (upbound/provider-terraform v1.0.0
         * internal/controller/namespaced/workspace/workspace.go, Observe and generateWorkspaceObservation: each
         * non-sensitive output as its JSON value under status.atProvider.outputs, Ready=True Available once the
         * plan shows no difference; crossplane-runtime's managed reconciler adds Synced). Provider-terraform is
         * not served as a Go module, so the test writes what it would.
         */
        async function writeWorkspaceStatus(workspace: KubernetesObject, status: KubernetesObject): Promise<void> {
          const { apiVersion, metadata: { namespace, name } } = workspace;
          const answer = await api.plane().request('PATCH', `/apis/${apiVersion}/namespaces/${namespace}/workspaces/${name}/status`, { status }, 'application/merge-patch+json');
          if (answer.status >= 300) throw new ApiError(answer.status, answer.body, `status of Workspace ${name}`);
        }
        const condition = (type: string, status: string, reason: string, message?: string) =>
          ({ type, status, reason, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), ...(message ? { message } : {}) });

        /** The Machine health check exactly as the committed argocd-cm ships it. */
        function machineHealthCheck(): HealthCheck {
          const [configMap] = objectsIn(path.join(committed.clusterDir, '..', 'argocd', 'configmap.argocd.argocd-cm.yaml'));
          const groupKind = 'fabric.kubelize.io_Machine';
          return { script: configMap.data[`resource.customizations.health.${groupKind}`], openLibs: configMap.data[`resource.customizations.useOpenLibs.${groupKind}`] === 'true' };
        }

        /** What Flux's health check (the Machine expressions synth writes with the Flux engine) makes of `machine`. */
        async function fluxHealthOf(machine: KubernetesObject): Promise<string> {
          const flux = startFluxHealth(tools['flux-health']);
          try {
            return (await flux.check([MACHINE_HEALTH_EXPR], machine)).status;
          } finally {
            await flux.stop();
          }
        }

        async function liveMachine(key: string, until: (machine: KubernetesObject) => boolean, what: string): Promise<KubernetesObject> {
          const { machine } = rendered.get(key)!;
          const get = () => api.plane().get(machine.apiVersion, machine.kind, machine.metadata.name, machine.metadata.namespace);
          return api.plane().waitFor(what, async () => { const live = await get(); return live && until(live) && live; }, {
            timeoutMs: 60_000,
            describe: async () => JSON.stringify((await get())?.status),
          });
        }

        test('a Workspace Terraform applied makes its Machine Ready with its VMID and address: Argo CD calls it Healthy, Flux Current', async () => {
          const key = composedMachinesOf(fleet)[0][0];
          const [workspace] = rendered.get(key)!.workspaces;
          await writeWorkspaceStatus(workspace, {
            atProvider: { outputs: { vm_id: 120, node: 'pve', ip_address: '10.0.1.10', ip_addresses: ['10.0.1.10', '192.168.7.10'] } },
            conditions: [condition('Ready', 'True', 'Available'), condition('Synced', 'True', 'ReconcileSuccess')],
          });
          const machine = await liveMachine(key, (live) => conditionOf(live, 'Ready')?.status === 'True', `${key} Ready`);
          expect(machine.status).toMatchObject({ vmId: 120, node: 'pve', ipAddress: '10.0.1.10', ipAddresses: ['10.0.1.10', '192.168.7.10'] });
          const checks = startHealthChecks(tools['argocd-lua']);
          try {
            expect(await checks.run(machineHealthCheck(), machine)).toEqual({ status: 'Healthy', message: 'VM 120 is ready at 10.0.1.10' });
          } finally {
            await checks.stop();
          }
          expect(await fluxHealthOf(machine)).toBe('Current');
        });

        test('a failed terraform apply makes Argo CD call the Machine Degraded, with Terraform\'s message, and Flux Failed', async () => {
          const key = composedMachinesOf(fleet)[1][0];
          const [workspace] = rendered.get(key)!.workspaces;
          // provider-terraform v1.0.0 internal/terraform/terraform.go Classify, wrapped by workspace.go errApply and
          // crossplane-runtime's errReconcileCreate; the Workspace stays Creating.
          const stderr = 'Error: error waiting for VM clone: unable to find configuration file for VM 9000 on node \'pve\'\n';
          const failure = `create failed: cannot apply Terraform configuration: Terraform encountered an error. Summary: error waiting for VM clone: unable to find configuration file for VM 9000 on node 'pve'. To see the full error run: echo "${zlib.gzipSync(stderr).toString('base64')}" | base64 -d | gunzip`;
          await writeWorkspaceStatus(workspace, { conditions: [condition('Ready', 'False', 'Creating'), condition('Synced', 'False', 'ReconcileError', failure)] });
          const machine = await liveMachine(key, (live) => conditionOf({ status: live.status?.workspace }, 'Synced')?.status === 'False', `${key} carrying its Workspace's failure`);
          expect(conditionOf(machine, 'Ready')?.status).toBe('False');
          const checks = startHealthChecks(tools['argocd-lua']);
          try {
            expect(await checks.run(machineHealthCheck(), machine)).toEqual({ status: 'Degraded', message: `Workspace: ${failure}` });
          } finally {
            await checks.stop();
          }
          expect(await fluxHealthOf(machine)).toBe('Failed');
        });
      });

      test.each(GOOD_CASES)('accepts the good case: %s', async (_, mutate) => {
        const stored = await api.plane().create(validationCase(mutate), { dryRun: true });
        if (stored instanceof ApiError) throw stored;
      });

      const refused = BAD_CASES.filter((bad) => bad.xrdPath !== null);
      test.each(refused.map((bad) => [bad.reason, bad] as const))('refuses the bad case at the field synth names: %s', async (_, bad) => {
        const answer = await api.plane().create(validationCase(bad.mutate), { dryRun: true });
        expect(answer).toBeInstanceOf(ApiError);
        expect(fieldsOf(answer as ApiError)).toContain(bad.xrdPath);
      });

      /** The bad cases synth refuses with one of the XRD's own CEL rules: the Machine (defaults filled) and synth's issue. */
      const celCases = refused.flatMap((bad) => {
        const machine = validationCase(bad.mutate);
        const defaulted = structuredClone(machine);
        // Synth's schema also checks metadata.name, which a CRD schema cannot: there the root CEL rule does.
        if (validateAgainstSchema(defaulted).some((issue) => issue.path !== 'metadata.name')) return [];
        const issues = validateCelRules(defaulted);
        return issues.length === 1 ? [[bad.reason, machine, defaulted, issues[0].path, issues[0].message] as const] : [];
      });

      test('every CEL rule of the schema refuses one of the bad cases', () => {
        // A rule without one would go untried on the API server.
        for (const rule of rulesOf(machineSchema)) {
          const alone = onlyRule(machineSchema, rule);
          const refuses = celCases.filter(([, , defaulted]) => validateCelRules(defaulted, alone).length > 0).map(([reason]) => reason);
          expect({ rule: rule.message, refuses: refuses.length > 0 }).toEqual({ rule: rule.message, refuses: true });
        }
      });

      test.each(celCases)('a CEL rule refuses %s with the message synth gives', async (_, machine, __, field, synthSays) => {
        const answer = await api.plane().create(machine, { dryRun: true });
        expect(answer).toBeInstanceOf(ApiError);
        const cause = (answer as ApiError).causes.find((c) => fieldOf(c) === field);
        expect(cause).toBeDefined();
        // The API server prints `<field>: <reason>: <message>` with the rule's own wording; synth prints the path,
        // then the message less a leading repeat of the field's name, then the value it got.
        const name = field.split('.').pop()!;
        const server = serverMessage(cause!);
        expect(server).toMatch(/\w+ \w+/);
        expect([synthSays, `${name} ${synthSays}`].some((said) => said.startsWith(server))).toBe(true);
      });

      describe("Kubernetes' IP and CIDR libraries", () => {
        const schema = networkProbeSchema();
        beforeAll(async () => {
          await api.plane().apply([{
            apiVersion: 'apiextensions.k8s.io/v1',
            kind: 'CustomResourceDefinition',
            metadata: { name: 'probes.cel.fabric.test' },
            spec: {
              group: 'cel.fabric.test',
              scope: 'Cluster',
              names: { kind: 'Probe', plural: 'probes' },
              versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }],
            },
          }]);
          await established(api.plane(), 'probes.cel.fabric.test');
        });

        test.each(NETWORK_LIBRARY_CASES)('synth gives the API server\'s verdict on %s for %j, %j', async (expression, a, b = '') => {
          const spec = { rule: NETWORK_EXPRESSIONS.indexOf(expression as string), a, b };
          const object = { apiVersion: 'cel.fabric.test/v1', kind: 'Probe', metadata: { name: 'probe' }, spec };
          const answer = await api.plane().create(object, { dryRun: true });
          // A false rule says its message alone; an evaluation error says the error, then `evaluating rule:` or
          // `for rule:` and the message.
          const server: Verdict = !(answer instanceof ApiError) ? 'true' : answer.message.endsWith(`spec: Invalid value: "object": rule ${spec.rule} is false`) ? 'false' : 'error';
          const issues = validateCelRules({ spec }, schema);
          const synth: Verdict = issues.length === 0 ? 'true' : issues[0].message.includes('could not be evaluated') ? 'error' : 'false';
          const said = answer instanceof ApiError ? answer.message : 'accepted';
          expect({ synth, server, said }).toEqual({ synth: server, server, said });
        });
      });

      test('refuses a CRD with a CEL rule over the cost budget: the rule Fabric carried until issue 30', async () => {
        const overBudget = YAML.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'over-budget-rule.yaml'), 'utf8'));
        // A copy: the CRD holds the schema module's own objects.
        const crd = structuredClone(machineCustomResourceDefinition()) as KubernetesObject;
        crd.metadata.name = 'budgets.fabric.kubelize.io';
        crd.spec.names = { kind: 'Budget', plural: 'budgets' };
        const schema = crd.spec.versions[0].schema.openAPIV3Schema;
        schema.properties.spec.properties.network['x-kubernetes-validations'] = [...rulesOf(schema.properties.spec.properties.network), overBudget];
        const answer = await api.plane().create(crd, { dryRun: true });
        expect(answer).toBeInstanceOf(ApiError);
        expect((answer as ApiError).message).toMatch(/x-kubernetes-validations\[\d+\]\.messageExpression: Forbidden: estimated messageExpression cost exceeds budget by factor of/);
      });
    });

    describe('legacy topology', () => {
      const api = machineApiOn(version, tools, [legacyFleet]);

      test('the XRD is Established, and both CRDs Crossplane derives carry every CEL rule of the schema', async () => {
        expect(conditionOf(api.xrd(), 'Established')?.status).toBe('True');
        for (const plural of ['xmachines', 'machines']) {
          const { rules } = await derivedCrd(api.plane(), plural);
          expect({ plural, missing: rulesOf(machineSchema).map((rule) => rule.rule).filter((rule) => !rules.includes(rule)) }).toEqual({ plural, missing: [] });
        }
      });

      test.each(machinesOf(legacyFleet))('accepts the claim %s and stores it as synth wrote it', async (_, machine) => {
        const stored = await api.plane().create(machine);
        if (stored instanceof ApiError) throw stored;
        expect(asWritten(stored, machine)).toEqual(machine);
      });
    });
  });
}
