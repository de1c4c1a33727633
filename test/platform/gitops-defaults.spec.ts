/**
 * Nothing stays OutOfSync: every field the API server would default is already written. Each object of
 * both topologies is defaulted the way the API server does (structural defaulting against its CRD's
 * schema: the pinned upstream CRDs in imports/crds/, the Machine's own schema and, for a legacy
 * claim, the field Crossplane's claim CRD defaults) and must come out unchanged.
 */
import { machineSchema } from '../../src/api/machine-schema';
import { Topology } from '../../src/api/topology';
import { CrdSchema, loadCrdSchemas } from '../_crd-schemas';
import { synthTopology } from '../_topologies';

type Schema = CrdSchema;

/** Kinds whose defaults live in Go code, not in a schema; Argo CD knows them and ignores those fields. */
const BUILT_IN = new Set(['v1/Namespace', 'v1/ConfigMap']);

/**
 * The paths the API server would add: a property with a default is set where its parent exists and it
 * does not, and defaulting continues into what it set (apiextensions-apiserver structuraldefaulting).
 */
function missingDefaults(schema: Schema | undefined, value: unknown, at = ''): string[] {
  if (!schema || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => missingDefaults(schema.items, item, `${at}[${index}]`));
  const object = value as Record<string, unknown>;
  const missing: string[] = [];
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (object[key] === undefined && property.default !== undefined) {
      missing.push(`${at}.${key} = ${JSON.stringify(property.default)}`);
      missing.push(...missingDefaults(property, structuredClone(property.default), `${at}.${key}`));
    } else {
      missing.push(...missingDefaults(property, object[key], `${at}.${key}`));
    }
  }
  if (typeof schema.additionalProperties === 'object') {
    for (const [key, item] of Object.entries(object)) {
      if (!schema.properties?.[key]) missing.push(...missingDefaults(schema.additionalProperties, item, `${at}[${key}]`));
    }
  }
  return missing;
}

describe('fields the API server would default', () => {
  const crds = loadCrdSchemas();

  /** The schema the API server defaults an object with. */
  function schemaOf(object: Record<string, any>, objects: Array<Record<string, any>>): Schema | undefined {
    if (object.kind !== 'Machine') return crds.get(`${object.apiVersion}/${object.kind}`);
    const xrd = objects.find((o) => o.kind === 'CompositeResourceDefinition');
    // A claim's CRD adds compositeDeletePolicy, defaulted from the XRD (crossplane-runtime pkg/xcrd).
    const claimFields: Record<string, Schema> = xrd?.spec.claimNames ? { compositeDeletePolicy: { default: xrd.spec.defaultCompositeDeletePolicy ?? 'Background' } } : {};
    const spec = machineSchema.properties!.spec as Schema;
    return { properties: { spec: { ...spec, properties: { ...spec.properties, ...claimFields } } } };
  }

  test('the check finds a default that is missing', () => {
    const provider = { apiVersion: 'pkg.crossplane.io/v1', kind: 'Provider', metadata: { name: 'p' }, spec: { package: 'xpkg.example/org/p:v1' } };
    expect(missingDefaults(schemaOf(provider, []), provider)).toEqual(
      expect.arrayContaining(['.spec.revisionHistoryLimit = 1', '.spec.runtimeConfigRef = {"name":"default"}', '.spec.runtimeConfigRef.kind = "DeploymentRuntimeConfig"']),
    );
  });

  test.each([Topology.NAMESPACED, Topology.LEGACY])('are written on every object the %s topology ships', (topology) => {
    const tree = synthTopology(topology);
    const objects = [...tree.objectsIn('cluster/'), ...tree.objectsIn('argocd/')];
    const unchecked: string[] = [];
    const missing: string[] = [];
    for (const object of objects) {
      const kind = `${object.apiVersion}/${object.kind}`;
      if (BUILT_IN.has(kind)) continue;
      const schema = schemaOf(object, objects);
      if (!schema) unchecked.push(kind);
      else missing.push(...missingDefaults(schema, object).map((field) => `${object.kind} ${object.metadata.name}: ${field}`));
    }
    expect(unchecked).toEqual([]);
    expect(missing).toEqual([]);
  });
});
