/**
 * Nothing stays OutOfSync: every field the API server would default is already written. Each object of
 * both topologies is defaulted the way the API server does (structural defaulting against its CRD's
 * schema: the upstream CRDs in ../shared/conformance/crds, the Machine's own schema and, for a legacy
 * claim, the field Crossplane's claim CRD defaults) and must come out unchanged.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { machineSchema } from '../src/machine-schema';
import { Topology } from '../src/settings';
import { CRD_DIR } from './_conformance';
import { synthTopology } from './_topologies';

type Schema = { properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean; default?: unknown };

/** Kinds whose defaults live in Go code, not in a schema; Argo CD knows them and ignores those fields. */
const BUILT_IN = new Set(['v1/Namespace', 'v1/ConfigMap']);

/** apiVersion/kind → openAPIV3Schema, of every CRD below `dir`. */
function loadCrdSchemas(dir: string): Map<string, Schema> {
  const schemas = new Map<string, Schema>();
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.ya?ml$/.test(entry.name)) {
        for (const document of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
          const crd = document.toJS() as any;
          if (crd?.kind !== 'CustomResourceDefinition') continue;
          for (const version of crd.spec.versions) schemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, version.schema.openAPIV3Schema);
        }
      }
    }
  };
  walk(dir);
  return schemas;
}

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

const suite = CRD_DIR ? describe : describe.skip;

suite('fields the API server would default', () => {
  const crds = loadCrdSchemas(CRD_DIR ?? '');

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
