/**
 * Converts the structural (Kubernetes) schema into a JSON Schema for ajv, with Kubernetes' semantics:
 * every object without additionalProperties is closed, because the API server prunes unknown fields
 * silently and synth must refuse them instead. x-kubernetes-* keywords are dropped (CEL runs separately).
 */
import { StructuralSchema } from '../api/structural-schema';

export type JsonSchema = Record<string, unknown>;

export function toJsonSchema(schema: StructuralSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-') || key === 'properties' || key === 'items' || key === 'additionalProperties') continue;
    out[key] = value;
  }
  if (schema.properties) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, child]) => [name, toJsonSchema(child)]));
  }
  if (schema.items) out.items = toJsonSchema(schema.items);
  if (schema.additionalProperties) out.additionalProperties = toJsonSchema(schema.additionalProperties);
  else if (schema.type === 'object') out.additionalProperties = false;
  return out;
}
