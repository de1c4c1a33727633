/**
 * Proxmox's parameter verification, ported from pve-common's PVE::JSONSchema (9.1.11, commit 92ce4e4a;
 * src/PVE/JSONSchema.pm): the same checks in the same order, and the same messages, so a refusal reads
 * exactly as Proxmox's. Formats are looked up in formats.ts.
 */

/** A property schema as the API dump holds it: `optional` and booleans are 0/1, formats named or inline. */
/**
 * A format's refusal. `proxmoxText` is what Perl's `$@` holds, which check_prop puts after "invalid format - ":
 * a plain die's message with its newline, or PVE::Exception's stringify (pve-common src/PVE/Exception.pm:98)
 * of parse_property_string's "format error" with one `path: message` line per error.
 */
export class FormatError extends Error {
  readonly proxmoxText: string;
  constructor(message: string, readonly errors?: Record<string, string>) {
    super(message);
    this.proxmoxText = `${message}\n${Object.entries(errors ?? {}).map(([key, text]) => `${key}: ${text}\n`).join('')}`;
  }
}

/** A registered Proxmox format the simulator has no implementation of. */
export class UnmodelledFormat extends Error {
  constructor(readonly format: string) {
    super(`format '${format}' is not modelled by the simulator`);
  }
}

/** Checks a value against a named format: formats.ts registers the implementation when it is loaded. */
export type NamedFormatChecker = (name: string, value: string, pathOfValue: string) => unknown;

let checkNamedFormat: NamedFormatChecker = (name) => { throw new UnmodelledFormat(name); };

/** Installs the named formats (formats.ts calls it as it loads, as a Perl module calls register_format). */
export function registerNamedFormats(checker: NamedFormatChecker): void {
  checkNamedFormat = checker;
}

export interface PropertySchema {
  type?: string | string[];
  optional?: number | boolean;
  format?: string | PropertyFormat;
  pattern?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  default_key?: number | boolean;
  alias?: string;
  keyAlias?: string;
  requires?: string;
  properties?: Record<string, PropertySchema>;
  additionalProperties?: number | boolean | PropertySchema;
  items?: PropertySchema;
  [other: string]: unknown;
}

/** An inline property-string format: key → schema (JSONSchema.pm parse_property_string). */
export type PropertyFormat = Record<string, PropertySchema>;

export type Errors = Record<string, string>;

/** JSONSchema.pm:1122 add_error: a second message for a path is joined with a literal `\n`. */
function addError(errors: Errors, path: string | undefined, message: string): void {
  const key = path || '_root';
  errors[key] = errors[key] ? `${errors[key]}\\n${message}` : message;
}

/** JSONSchema.pm:1134 is_number and :1141 is_integer. */
export const isNumber = (value: string): boolean => /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/.test(value);
export const isInteger = (value: string): boolean => /^[+-]?\d+$/.test(value);

/** JSONSchema.pm:1032 parse_boolean. */
export function parseBoolean(value: string): 0 | 1 | undefined {
  if (/^(1|on|yes|true)$/i.test(value)) return 1;
  if (/^(0|off|no|false)$/i.test(value)) return 0;
  return undefined;
}

/** Values arrive as strings (form-encoded), arrays (a repeated key) or JSON values. */
export type Value = string | number | boolean | Value[] | { [key: string]: Value } | null | undefined;

function scalarText(value: Value): string {
  return typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
}

/** JSONSchema.pm:1147 check_type (scalars: strings, JSON numbers and booleans; Perl's ref types as JS types). */
function checkType(path: string, type: string | string[] | undefined, value: Value, errors: Errors): boolean {
  if (!type) return true;
  if (Array.isArray(type)) {
    for (const candidate of type) if (checkType(path, candidate, value, {})) return true;
    addError(errors, path, `type check ('${type.join('|')}') failed`);
    return false;
  }
  if (type === 'any') return true;
  if (type === 'null') {
    if (value !== null && value !== undefined) { addError(errors, path, `type check ('${type}') failed - value is not null`); return false; }
    return true;
  }
  const isArray = Array.isArray(value);
  const isObject = value !== null && typeof value === 'object' && !isArray;
  if (type === 'array') {
    if (!isArray) { addError(errors, path, `type check ('${type}') failed`); return false; }
    return true;
  }
  if (type === 'object') {
    if (!isObject) { addError(errors, path, `type check ('${type}') failed`); return false; }
    return true;
  }
  if (isArray || isObject) {
    // Perl prints the reference type: ARRAY or HASH.
    addError(errors, path, `type check ('${type}') failed - got ${isArray ? 'ARRAY' : 'HASH'}`);
    return false;
  }
  if (typeof value === 'boolean' && type === 'boolean') return true; // JSON::is_bool
  const text = scalarText(value);
  if (type === 'string') return true;
  if (type === 'boolean') {
    if (text === '1' || text === '0') return true;
    addError(errors, path, `type check ('${type}') failed - got '${text}'`);
    return false;
  }
  if (type === 'integer') {
    if (!isInteger(text)) { addError(errors, path, `type check ('${type}') failed - got '${text}'`); return false; }
    return true;
  }
  if (type === 'number') {
    if (!isNumber(text)) { addError(errors, path, `type check ('${type}') failed - got '${text}'`); return false; }
    return true;
  }
  return true;
}

/**
 * JSONSchema.pm:1265 check_object. Aliased keys are remapped to their target first (as Proxmox does, so the
 * handler sees canonical names): `value` is changed in place.
 */
export function checkObject(path: string, schema: Record<string, PropertySchema>, value: Record<string, Value>,
  additionalProperties: PropertySchema['additionalProperties'], errors: Errors): void {
  for (const key of Object.keys(value)) {
    const alias = schema[key]?.alias;
    if (alias === undefined) continue;
    if (value[alias] !== undefined) addError(errors, path ? `${path}.${key}` : key, `cannot set both '${key}' and its alias target '${alias}'`);
    else { value[alias] = value[key]; delete value[key]; }
  }
  for (const key of Object.keys(schema)) checkProp(value[key], schema[key], path ? `${path}.${key}` : key, errors);
  for (const key of Object.keys(value)) {
    const newPath = path ? `${path}.${key}` : key;
    const subschema = schema[key];
    if (subschema) {
      const requires = subschema.requires;
      if (requires !== undefined && value[requires] === undefined) addError(errors, path ? `${path}.${requires}` : requires, `missing property required by '${newPath}'`);
      continue;
    }
    if (additionalProperties !== undefined && !additionalProperties) {
      addError(errors, newPath, 'property is not defined in schema and the schema does not allow additional properties');
      continue;
    }
    if (typeof additionalProperties === 'object') checkProp(value[key], additionalProperties, newPath, errors);
  }
}

/** JSONSchema.pm:1366 check_prop, for the schema features the dump's parameters use (no oneOf among them). */
export function checkProp(value: Value, schema: PropertySchema, path: string, errors: Errors): void {
  if (schema.alias) return;
  if (value === undefined || value === null) {
    if (schema.type === 'null') return;
    if (!schema.optional) addError(errors, path, 'property is missing and it is not optional');
    return;
  }
  if (!checkType(path, schema.type, value, errors)) return;
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((element, index) => checkProp(element, schema.items!, `${path}[${index}]`, errors));
    return;
  }
  if (typeof value === 'object') {
    if (schema.properties || schema.additionalProperties) checkObject(path, schema.properties ?? {}, value, schema.additionalProperties, errors);
    return;
  }
  const text = scalarText(value);
  if (schema.format !== undefined) {
    try {
      checkFormat(schema.format, text, path);
    } catch (error) {
      if (error instanceof UnmodelledFormat) throw error;
      addError(errors, path, `invalid format - ${formatErrorText(error)}`);
      return;
    }
  }
  if (schema.pattern !== undefined && !new RegExp(`^(?:${perlRegex(schema.pattern)})$`).test(text)) {
    addError(errors, path, 'value does not match the regex pattern');
    return;
  }
  if (schema.maxLength !== undefined && [...text].length > schema.maxLength) {
    addError(errors, path, `value may only be ${schema.maxLength} characters long`);
    return;
  }
  if (schema.minLength !== undefined && [...text].length < schema.minLength) {
    addError(errors, path, `value must be at least ${schema.minLength} characters long`);
    return;
  }
  if (isNumber(text)) {
    if (schema.maximum !== undefined && Number(text) > Number(schema.maximum)) {
      addError(errors, path, `value must have a maximum value of ${schema.maximum}`);
      return;
    }
    if (schema.minimum !== undefined && Number(text) < Number(schema.minimum)) {
      addError(errors, path, `value must have a minimum value of ${schema.minimum}`);
      return;
    }
  }
  if (schema.enum && !schema.enum.includes(text)) {
    addError(errors, path, `value '${text}' does not have a value in the enumeration '${schema.enum.join(', ')}'`);
  }
}

/**
 * Perl's `m/^$pattern$/` as a JavaScript RegExp source. The dump holds qr// patterns stringified as
 * `(?^:...)` or `(?^i:...)` (api_dump_remove_refs, RESTHandler.pm:203); the rest are plain.
 */
export function perlRegex(pattern: string): string {
  return pattern.replace(/\(\?\^[a-z]*:/g, '(?:');
}

/** Perl's `$@` after a format check died: the die text with its newline (FormatError.proxmoxText). */
function formatErrorText(error: unknown): string {
  if (error instanceof FormatError) return error.proxmoxText;
  throw error;
}

/**
 * JSONSchema.pm:946 check_format: an inline format parses as a property string; a named one is looked up,
 * with its `-list` and `-opt` variants (split_list: commas, semicolons and spaces separate).
 */
export function checkFormat(format: string | PropertyFormat, value: string, path: string): unknown {
  if (typeof format === 'object') return parsePropertyString(format, value, path);
  if (format === 'regex') return undefined;
  const [, name, variant] = /^(.*?)(?:-(list|opt))?$/.exec(format)!;
  if (variant === 'list') return splitList(value).map((item) => checkNamedFormat(name, item, path));
  if (variant === 'opt') return value ? checkNamedFormat(name, value, path) : undefined;
  return checkNamedFormat(name, value, path);
}

/** pve-common src/PVE/Tools.pm:650 split_list. */
export function splitList(text: string): string[] {
  if (text.includes('\0')) return text.split('\0');
  return text.replace(/[,;]/g, ' ').replace(/^\s+/, '').split(/\s+/).filter((item) => item !== '');
}

/**
 * JSONSchema.pm:1039 parse_property_string: `key=value` parts and at most one value for the default key;
 * errors as Proxmox words them ("format error" with a per-key list).
 */
export function parsePropertyString(format: PropertyFormat, data: string, path = ''): Record<string, Value> {
  const result: Record<string, Value> = {};
  let defaultKey: string | undefined;
  for (const part of data.split(',')) {
    if (/^\s*$/.test(part)) continue;
    const keyed = /^([^=]+)=(.+)$/s.exec(part);
    if (keyed) {
      let [, key, value] = keyed;
      if (result[key] !== undefined) throw new FormatError(`duplicate key in comma-separated list property: ${key}`);
      let schema = format[key];
      if (schema?.alias) {
        if (schema.keyAlias) {
          if (result[schema.keyAlias] !== undefined) throw new FormatError(`key alias '${schema.keyAlias}' is already defined`);
          result[schema.keyAlias] = key;
        }
        key = schema.alias;
        schema = format[key];
        if (result[key] !== undefined) throw new FormatError(`key '${key}' is already defined (via alias)`);
      }
      if (!schema) throw new FormatError(`invalid key in comma-separated list property: ${key}`);
      if (schema.type === 'boolean') value = String(parseBoolean(value) ?? value);
      result[key] = value;
    } else if (!part.includes('=')) {
      if (defaultKey) throw new FormatError(`duplicate key in comma-separated list property: ${defaultKey}`);
      for (const [key, schema] of Object.entries(format)) {
        if (!schema.default_key) continue;
        defaultKey = key;
        if (result[key]) throw new FormatError(`duplicate key in comma-separated list property: ${key}`);
        result[key] = schema.type === 'boolean' ? String(parseBoolean(part) ?? part) : part;
        break;
      }
      if (!defaultKey) throw new FormatError('value without key, but schema does not define a default key');
    } else {
      throw new FormatError('missing key in comma-separated list property');
    }
  }
  const errors: Errors = {};
  checkObject(path, format, result, 0, errors);
  if (Object.keys(errors).length > 0) throw new FormatError('format error', errors);
  return result;
}

/** JSONSchema.pm:1012 format_size. */
export function formatSize(bytes: number): string {
  const size = Math.trunc(bytes);
  const kb = Math.trunc(size / 1024);
  if (kb * 1024 !== size) return String(size);
  const mb = Math.trunc(kb / 1024);
  if (mb * 1024 !== kb) return `${kb}K`;
  const gb = Math.trunc(mb / 1024);
  if (gb * 1024 !== mb) return `${mb}M`;
  const tb = Math.trunc(gb / 1024);
  if (tb * 1024 !== gb) return `${gb}G`;
  return `${tb}T`;
}

/** JSONSchema.pm:993 parse_size: bytes, or undefined when the text is no size. */
export function parseSize(value: string): number | undefined {
  const match = /^(\d+(\.\d+)?)([KMGT](?:iB)?)?$/.exec(value);
  if (!match) return undefined;
  const units: Record<string, number> = { K: 1, M: 2, G: 3, T: 4 };
  const unit = match[3] ? units[match[3][0]] : 0;
  return Math.trunc(Number(match[1]) * 1024 ** unit);
}

/**
 * JSONSchema.pm:2411 print_property_string: the default key's bare value first, then the keys that are not
 * optional, then the rest in sorted order; a keyAlias pair (net's `model=macaddr`) prints as one part.
 */
export function printPropertyString(data: Record<string, Value>, format: PropertyFormat, skip: readonly string[] = []): string {
  const defaultKey = Object.keys(format).find((key) => format[key].default_key);
  const keyAliases: Record<string, string> = {};
  for (const schema of Object.values(format)) if (schema.alias && schema.keyAlias) keyAliases[schema.keyAlias] = schema.alias;
  const done = new Set(skip);
  const parts: string[] = [];
  const text = (key: string, value: Value) => {
    const schema = format[key];
    return schema?.format === 'disk-size' ? formatSize(Number(value)) : scalarText(value);
  };
  const add = (key: string, isDefault = false) => {
    if (done.has(key)) return;
    done.add(key);
    const value = data[key];
    if (value === undefined || value === null) return;
    const combine = keyAliases[key];
    if (combine !== undefined && data[combine] !== undefined) {
      parts.push(`${text(key, value)}=${text(combine, data[combine])}`);
      done.add(combine);
      return;
    }
    parts.push(isDefault ? text(key, value) : `${key}=${text(key, value)}`);
  };
  if (defaultKey !== undefined) add(defaultKey, true);
  const keys = Object.keys(data).sort();
  for (const key of keys) if (format[key] && !format[key].optional) add(key);
  for (const key of keys) add(key);
  return parts.join(',');
}
