/**
 * Evaluates the XRD's own `x-kubernetes-validations` CEL rules against a (defaulted) Machine, with a real
 * CEL implementation, so synth refuses exactly what the API server would. No rule is re-written here.
 *
 * The rules use standard CEL, its macros and the strings extension (split), which cel-js provides, and
 * Kubernetes' IP and CIDR libraries and the strings extension's format, added here with the API server's
 * semantics (cel-kubernetes-net.ts, cel-strings-format.ts); integers are passed as CEL ints (BigInt), as
 * Kubernetes does for `type: integer`.
 */
import { Environment } from '@marcbachmann/cel-js';
import { StructuralSchema, ValidationRule } from '../api/structural-schema';
import { machineSchema } from '../api/machine-schema';
import { withKubernetesNetworkLibraries } from './cel-kubernetes-net';
import { withStringFormat } from './cel-strings-format';
import { shown } from './problem';
import { SchemaIssue } from './schema-validation';

type Evaluator = (context: Record<string, unknown>) => unknown;

const environment = withStringFormat(withKubernetesNetworkLibraries(new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false })));
const parsed = new Map<string, Evaluator>();

/** Rules are parsed once per process and reused for every Machine. */
function evaluator(rule: string): Evaluator {
  let compiled = parsed.get(rule);
  if (!compiled) {
    compiled = environment.parse(rule) as unknown as Evaluator;
    parsed.set(rule, compiled);
  }
  return compiled;
}

/** Runs every rule of the Machine schema (or of `schema`, e.g. one read back from a written XRD) on `document`. */
export function validateCelRules(document: Record<string, unknown>, schema: StructuralSchema = machineSchema): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  visit(schema, document, '', issues);
  return issues;
}

function visit(schema: StructuralSchema, value: unknown, path: string, issues: SchemaIssue[]): void {
  if (value === undefined || value === null) return;
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    const issue = check(rule, schema, value, path);
    if (issue) issues.push(issue);
  }
  if (schema.properties && typeof value === 'object') {
    for (const [name, child] of Object.entries(schema.properties)) {
      visit(child, (value as Record<string, unknown>)[name], path ? `${path}.${name}` : name, issues);
    }
  }
  if (schema.items && Array.isArray(value)) {
    value.forEach((item, index) => visit(schema.items!, item, `${path}[${index}]`, issues));
  }
}

function check(rule: ValidationRule, schema: StructuralSchema, value: unknown, path: string): SchemaIssue | undefined {
  const field = rule.fieldPath ? `${path}${rule.fieldPath}`.replace(/^\./, '') : path;
  // The value received: the field the rule points at, else the node the rule sits on (never the whole Machine).
  const received = rule.fieldPath
    ? rule.fieldPath.split('.').slice(1).reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value)
    : path ? value : undefined;
  const message = withoutFieldName(rule.message, field);
  try {
    const context = { self: toCel(value, schema) };
    if (evaluator(rule.rule)(context) === true) return undefined;
    return { path: field, message: `${withoutFieldName(expressedMessage(rule, context) ?? rule.message, field)}${received === undefined ? '' : `, got ${shown(received)}`}` };
  } catch (error) {
    return { path: field, message: `${message} (the rule could not be evaluated: ${(error as Error).message.split('\n')[0]})` };
  }
}

/** A rule's messageExpression, evaluated as the API server does: a string, else the static message is used. */
function expressedMessage(rule: ValidationRule, context: Record<string, unknown>): string | undefined {
  if (!rule.messageExpression) return undefined;
  try {
    const message = evaluator(rule.messageExpression)(context);
    return typeof message === 'string' && message.trim() !== '' ? message : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The API server prints a rule's message after the field path with a colon (`spec.network.gateway: Invalid
 * value: ...: gateway is required when ip is set`), so XRD messages name their field. Synth messages put the
 * path right before the message, so a leading repeat of the field's name is dropped:
 * `spec.network.gateway is required when ip is set`.
 */
function withoutFieldName(message: string, field: string): string {
  const name = field.split('.').pop() ?? '';
  return name && message.startsWith(`${name} `) ? message.slice(name.length + 1) : message;
}

/** JSON value → CEL value, typed by the schema: `integer` becomes a CEL int (BigInt). */
function toCel(value: unknown, schema: StructuralSchema | undefined): unknown {
  if (schema?.type === 'integer' && typeof value === 'number') return BigInt(value);
  if (Array.isArray(value)) return value.map((item) => toCel(item, schema?.items));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [key, toCel(child, schema?.properties?.[key] ?? schema?.additionalProperties)]),
    );
  }
  return value;
}
