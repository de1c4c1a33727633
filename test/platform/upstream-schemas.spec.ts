/**
 * Every object synth writes has the shape the API server accepts: each one, and each resource embedded in
 * the Composition, is validated against its pinned upstream CRD (imports/crds/, kept by `npm run import`)
 * with ajv and Kubernetes' pruning semantics, and each Machine against the XRD synth wrote. This runs on a
 * clone with nothing beside it; the shared conformance validator adds upstream CEL and metadata rules in CI.
 */
import { renderPackage } from '../../src/synth/configuration-package';
import { Topology } from '../../src/api/topology';
import { resolveSettings } from '../../src/synth/settings';
import { toJsonSchema } from '../../src/validation/_to-json-schema';
import { crdProblems, loadCrdSchemas } from '../_crd-schemas';
import { objectsOf, TEST_REPO_URL } from '../_helpers';
import { synthTopology } from '../_topologies';
import Ajv from 'ajv';

const schemas = loadCrdSchemas();

/** Kubernetes' own kinds: the API server's Go types, not a CRD. */
const BUILT_IN = new Set(['v1/Namespace', 'v1/ConfigMap', 'v1/Secret']);

/** What the pinned CRDs refuse in `objects`, and the kinds no pinned CRD serves. */
function check(objects: Array<Record<string, any>>): { problems: string[]; unchecked: string[] } {
  const problems: string[] = [];
  const unchecked: string[] = [];
  for (const object of objects) {
    const kind = `${object.apiVersion}/${object.kind}`;
    if (BUILT_IN.has(kind)) continue;
    const found = crdProblems(object, schemas);
    if (found === undefined) unchecked.push(kind);
    else problems.push(...found.map((line) => `${object.kind} ${object.metadata?.name}: ${line}`));
  }
  return { problems, unchecked };
}

/** The function input and the resources a Pipeline Composition embeds. */
function embedded(objects: Array<Record<string, any>>): Array<Record<string, any>> {
  const composition = objects.find((o) => o.kind === 'Composition')!;
  const inputs = composition.spec.pipeline.map((step: any) => step.input);
  return [...inputs, ...inputs.flatMap((input: any) => (input.resources ?? []).map((resource: any) => ({ metadata: { name: resource.name }, ...resource.base })))];
}

describe.each([Topology.NAMESPACED, Topology.LEGACY])('the %s topology, checked against the pinned upstream CRDs', (topology) => {
  const tree = synthTopology(topology);
  const objects = [...tree.objectsIn('cluster/'), ...tree.objectsIn('argocd/')];
  const xrd = objects.find((o) => o.kind === 'CompositeResourceDefinition')!;

  test('every platform object is accepted by its CRD, and every kind has one', () => {
    const { problems, unchecked } = check(objects.filter((o) => o.apiVersion !== xrd.spec.group + '/v1alpha1'));
    expect(problems).toEqual([]);
    expect(unchecked).toEqual([]);
  });

  test('the function input and the resources embedded in the Composition are accepted by their CRDs', () => {
    const inner = embedded(objects);
    expect(inner.map((o) => o.kind)).toEqual(expect.arrayContaining(['Resources', 'Workspace']));
    const { problems, unchecked } = check(inner);
    expect(problems).toEqual([]);
    expect(unchecked).toEqual([]);
  });

  test('every Machine is accepted by the XRD synth wrote', () => {
    const machines = objects.filter((o) => o.apiVersion.startsWith(`${xrd.spec.group}/`));
    expect(machines.length).toBeGreaterThan(0);
    const spec = toJsonSchema(xrd.spec.versions[0].schema.openAPIV3Schema.properties.spec) as { properties: object };
    // A claim's CRD adds compositeDeletePolicy to the XRD's spec (crossplane pkg/xcrd).
    if (xrd.spec.claimNames) spec.properties = { ...spec.properties, compositeDeletePolicy: { type: 'string', enum: ['Background', 'Foreground'] } };
    const validate = new Ajv({ allErrors: true, strict: false }).compile({ type: 'object', properties: { spec } });
    const refused = machines.filter((machine) => !validate(machine)).map((machine: Record<string, any>) => `${machine.metadata.name}: ${JSON.stringify(validate.errors)}`);
    expect(refused).toEqual([]);
  });
});

describe('the package', () => {
  test.each([Topology.NAMESPACED, Topology.LEGACY])('%s: its XRD and Composition are accepted by their CRDs', (topology) => {
    const objects = objectsOf(renderPackage(resolveSettings({ topology, gitops: { repoURL: TEST_REPO_URL } }))).filter((o) => o.kind !== 'Configuration');
    expect(check(objects)).toEqual({ problems: [], unchecked: [] });
  });
});

describe('the check itself', () => {
  const provider = { apiVersion: 'pkg.crossplane.io/v1', kind: 'Provider', metadata: { name: 'p' }, spec: { package: 'xpkg.example/org/p:v1' } };

  test('refuses a field the API server would prune, naming it', () => {
    expect(crdProblems({ ...provider, spec: { ...provider.spec, packag: 'x' } }, schemas)).toEqual(['/spec: must NOT have additional properties "packag"']);
  });

  test('refuses a wrong type and a missing required field', () => {
    expect(crdProblems({ ...provider, spec: { revisionHistoryLimit: 'one' } }, schemas)).toEqual(
      expect.arrayContaining(["/spec: must have required property 'package'", '/spec/revisionHistoryLimit: must be integer']),
    );
  });

  test('knows no kind without a pinned CRD', () => {
    expect(crdProblems({ apiVersion: 'example.org/v1', kind: 'Thing' }, schemas)).toBeUndefined();
  });
});
