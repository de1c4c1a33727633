/**
 * The pinned upstream CRDs kept by `npm run import` in imports/crds/, as ajv validators: what a clone needs,
 * with nothing beside it, to check that synthesized objects have the shape the API server accepts. The
 * shared conformance validator (test/_conformance.ts) checks more (CEL of upstream CRDs, metadata rules) and
 * runs in CI.
 */
import Ajv, { ValidateFunction } from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { REPO } from './_helpers';

export const CRD_DIR = path.join(REPO, 'imports', 'crds');

export type CrdSchema = {
  type?: string;
  properties?: Record<string, CrdSchema>;
  items?: CrdSchema;
  additionalProperties?: CrdSchema | boolean;
  default?: unknown;
  [keyword: string]: unknown;
};

const loaded = new Map<string, Map<string, CrdSchema>>();

/**
 * `group/version/Kind` → openAPIV3Schema, of every CRD in imports/crds/. Parsed once per test file (1.3 MB of
 * YAML, about 0.3 s); callers only read the schemas.
 */
export function loadCrdSchemas(dir = CRD_DIR): ReadonlyMap<string, CrdSchema> {
  if (!loaded.has(dir)) loaded.set(dir, parseCrdSchemas(dir));
  return loaded.get(dir)!;
}

function parseCrdSchemas(dir: string): Map<string, CrdSchema> {
  const schemas = new Map<string, CrdSchema>();
  for (const file of fs.readdirSync(dir).filter((name) => /\.ya?ml$/.test(name))) {
    for (const document of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const crd = document.toJS() as any;
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const version of crd.spec.versions) schemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, version.schema.openAPIV3Schema);
    }
  }
  return schemas;
}

/**
 * A Kubernetes structural schema as JSON Schema, with the API server's semantics: an object without
 * properties-or-additionalProperties and without x-kubernetes-preserve-unknown-fields is closed (the API
 * server would prune an unknown field), int-or-string accepts both, and metadata is ObjectMeta (checked
 * by the API server itself, so left open here).
 */
export function kubernetesJsonSchema(schema: CrdSchema, atRoot = true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-') || ['properties', 'items', 'additionalProperties', 'nullable', 'format'].includes(key)) continue;
    out[key] = value;
  }
  if (schema['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (schema.properties) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, child]) =>
      [name, atRoot && name === 'metadata' ? { type: 'object' } : kubernetesJsonSchema(child, false)]));
  }
  if (schema.items) out.items = kubernetesJsonSchema(schema.items, false);
  if (typeof schema.additionalProperties === 'object') out.additionalProperties = kubernetesJsonSchema(schema.additionalProperties, false);
  else if (schema.type === 'object' && !schema['x-kubernetes-preserve-unknown-fields'] && !schema['x-kubernetes-embedded-resource']) {
    out.additionalProperties = false;
  }
  if (schema.nullable) return { anyOf: [out, { type: 'null' }] };
  return out;
}

/**
 * CRD patterns are Go RE2, whose inline `(?i)` JavaScript lacks (prometheus-operator's PrometheusRule has
 * `^(?i)(abort|warn)?$`): one at the start, after an optional `^`, becomes the `i` flag.
 */
const re2Prefix = Object.assign((pattern: string, flags: string) => {
  const insensitive = /^(\^?)\(\?i\)/.exec(pattern);
  return insensitive ? new RegExp(insensitive[1] + pattern.slice(insensitive[0].length), `${flags}i`) : new RegExp(pattern, flags);
}, { code: 'RegExp' });
const ajv = new Ajv({ allErrors: true, strict: false, code: { regExp: re2Prefix } });
const compiled = new Map<string, ValidateFunction>();

/**
 * What the pinned upstream CRD refuses in `object`, as `path: message` lines; undefined when no pinned CRD
 * serves its apiVersion and kind.
 */
export function crdProblems(object: Record<string, any>, schemas: ReadonlyMap<string, CrdSchema>): string[] | undefined {
  const key = `${object.apiVersion}/${object.kind}`;
  const schema = schemas.get(key);
  if (!schema) return undefined;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(kubernetesJsonSchema(schema));
    compiled.set(key, validate);
  }
  if (validate(object)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.message}${error.params && 'additionalProperty' in error.params ? ` "${error.params.additionalProperty}"` : ''}`);
}
