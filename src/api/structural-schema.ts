/**
 * The subset of Kubernetes' JSONSchemaProps that a structural CRD schema uses.
 *
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
export interface StructuralSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly description?: string;
  readonly properties?: Record<string, StructuralSchema>;
  readonly additionalProperties?: StructuralSchema;
  readonly items?: StructuralSchema;
  readonly required?: readonly string[];
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly maxProperties?: number;
  readonly pattern?: string;
  readonly enum?: readonly unknown[];
  readonly format?: string;
  readonly 'x-kubernetes-validations'?: readonly ValidationRule[];
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
}

/** A CEL rule (`x-kubernetes-validations` entry). */
export interface ValidationRule {
  readonly rule: string;
  readonly message: string;
  /** CEL for a message naming the values involved; `message` is the fallback when it cannot be evaluated. */
  readonly messageExpression?: string;
  /** JSONPath-like path relative to the node the rule sits on, e.g. `.gateway`. */
  readonly fieldPath?: string;
  readonly reason?: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueForbidden' | 'FieldValueDuplicate';
}
