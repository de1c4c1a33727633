/**
 * Validates a Machine document against the XRD's own schema with ajv (bounds, patterns, enums, required,
 * unknown fields) and applies the schema's defaults, as the API server would before CEL runs.
 */
import type { ErrorObject } from 'ajv';
import { machineDocumentValidator } from '../api/machine-defaults';
import { schemaAt } from '../api/schema-lookup';
import { StructuralSchema } from '../api/structural-schema';
import { IPV4, machineSchema, OPENSSH_PUBLIC_KEY, RFC1123_LABEL, TAG_VALUE } from '../api/machine-schema';
import { METADATA_SCHEMA } from '../api/metadata-schema';
import { didYouMean } from '../util/suggest';
import { shown } from './problem';

/** The pattern of a field of the Machine schema, so messages follow the schema when a pattern changes. */
const patternOf = (path: string): string => String(schemaAt(machineSchema, path)?.pattern);

/** What a pattern means, for messages; patterns not listed are quoted as they are. */
const PATTERN_NAMES: Record<string, string> = {
  [IPV4]: 'a dotted-quad IPv4 address without leading zeros (e.g. 10.0.1.10)',
  [OPENSSH_PUBLIC_KEY]: 'an OpenSSH public key line (supported key type, base64 key that names the same type, optional comment)',
  [RFC1123_LABEL]: 'an RFC 1123 label (lowercase letters, digits and -, starting and ending alphanumeric)',
  [TAG_VALUE]: "in Proxmox's tag alphabet (a-z 0-9 _ . + -, at most 63 characters)",
  [patternOf('spec.proxmox.node')]: 'a Proxmox node name (letters, digits and -, starting and ending alphanumeric)',
  [patternOf('spec.proxmox.storage')]: 'a Proxmox storage id (lowercase letters, digits and _ . -, starting with a letter)',
  [patternOf('spec.proxmox.bridge')]: 'a Linux bridge name (letters, digits and _ . -, starting with a letter)',
  [patternOf('spec.proxmox.pool')]: 'a Proxmox pool name (letters, digits, _ and -)',
  [patternOf('spec.cpu.type')]: 'a Proxmox CPU type (letters, digits and _ . + -, e.g. host or x86-64-v2-AES)',
  [patternOf('spec.network.domain')]: 'a lowercase DNS domain (e.g. home.arpa)',
  [patternOf('spec.nix.flakeRef')]: "a flake reference naming an output after '#' (e.g. github:owner/repo#dns01)",
  [patternOf('spec.bootstrap.adminUser')]: 'a lowercase POSIX user name (a-z 0-9 _ -, starting with a letter or _)',
};

export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
  /** The issue is the key at `path` (a field the schema does not have), not its value. */
  readonly key?: boolean;
}

/**
 * Validates `document` in place, filling defaults. Returns the issues found, empty when valid.
 */
export function validateAgainstSchema(document: unknown): SchemaIssue[] {
  const validate = machineDocumentValidator();
  if (validate(document)) return [];
  return (validate.errors ?? []).map((error) => describe(error, document));
}

function describe(error: ErrorObject, document: unknown): SchemaIssue {
  const base = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path = base.map((s, i) => (/^\d+$/.test(s) && i > 0 ? `[${s}]` : s)).join('.').replace(/\.\[/g, '[');
  const value = base.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
  const got = `, got ${shown(value)}`;
  const unit = unitOf(path);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: join(path, String(p.missingProperty)), message: 'is required' };
    case 'additionalProperties': {
      const known = Object.keys(schemaNodeFor(path)?.properties ?? {});
      return {
        path: join(path, String(p.additionalProperty)),
        key: true,
        message: `is not a field of the Machine API (the API server would silently drop it)${known.length ? `; known fields: ${known.join(', ')}${didYouMean(String(p.additionalProperty), known)}` : ''}`,
      };
    }
    case 'minimum':
      return { path, message: `must be at least ${p.limit}${unit}${got}${unitHint(path, value, 'MiB', 1024)}` };
    case 'maximum':
      return { path, message: `must be at most ${p.limit}${unit}${got}${unitHint(path, value, 'GiB', 1 / 1024)}` };
    case 'type':
      return { path, message: `must be ${article(String(p.type))}${got}${quantityHint(path, value)}` };
    case 'pattern':
      return { path, message: `must be ${PATTERN_NAMES[String(p.pattern)] ?? `a string matching ${p.pattern}`}${got}` };
    case 'enum':
      return { path, message: `must be one of ${(p.allowedValues as unknown[]).join(', ')}${got}` };
    case 'const':
      return { path, message: `must be ${shown(p.allowedValue)}${got}` };
    case 'minItems':
      return { path, message: `must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}${got}` };
    case 'maxItems':
      return { path, message: `must have at most ${p.limit} items, got ${(value as unknown[]).length}` };
    case 'maxLength':
      return { path, message: `must have at most ${p.limit} characters, got ${String(value).length}` };
    case 'maxProperties':
      return { path, message: `must have at most ${p.limit} entries, got ${Object.keys(value as object).length}` };
    default:
      return { path, message: `${error.message ?? 'is invalid'}${got}` };
  }
}

function join(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

/** The structural schema node for a document path (spec.* only). */
function schemaNodeFor(path: string): StructuralSchema | undefined {
  if (path === '') return undefined;
  if (!path.startsWith('spec')) return path === 'metadata' ? METADATA_SCHEMA : undefined;
  return path === 'spec' ? machineSchema.properties?.spec : schemaAt(machineSchema, path.replace(/\[\d+\]/g, '[]'));
}

/** " (MiB)" when the field's description states "Unit: MiB.". */
function unitOf(path: string): string {
  const unit = /Unit: (\w+)\./.exec(schemaNodeFor(path)?.description ?? '')?.[1];
  return unit ? ` (${unit})` : '';
}

/**
 * For a number off by a unit (`memory.size: 2` meant as GiB, `disk.size: 65600` meant as MiB): what the
 * field's unit is and the value converted, when the converted value is one the schema accepts.
 */
function unitHint(path: string, value: unknown, unit: string, factor: number): string {
  const node = schemaNodeFor(path);
  // Sizes typed in GiB by mistake are small numbers; 256 (MiB) is more likely a real, too-small value.
  if (typeof value !== 'number' || !node || unitOf(path) !== ` (${unit})` || (factor > 1 && value > 64) || (factor < 1 && value % 1024 !== 0)) return '';
  const converted = Math.ceil(value * factor);
  if ((node.minimum !== undefined && converted < node.minimum) || (node.maximum !== undefined && converted > node.maximum)) return '';
  const field = path.replace(/^spec\./, '');
  return factor > 1
    ? `; ${field} is in ${unit}: ${value} GiB is ${converted}`
    : `; ${field} is in ${unit}: ${value} MiB is ${converted} GiB`;
}

/** Binary multiples by their first letter, as people write sizes: 8G, 8Gi, 8GB and 8GiB all mean 8 GiB here. */
const MULTIPLES: Readonly<Record<string, number>> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };

/**
 * For a size written as a string (`"8Gi"`, `"50GB"`, `"2048"`) where the field takes a number in a unit: the
 * number to write, when it is one the schema accepts.
 */
function quantityHint(path: string, value: unknown): string {
  const node = schemaNodeFor(path);
  const unit = /Unit: (MiB|GiB)\./.exec(node?.description ?? '')?.[1];
  const quantity = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGT])i?B?)?\s*$/i.exec(value) : null;
  if (!node || !unit || !quantity) return '';
  const mib = Number(quantity[1]) * (quantity[2] ? MULTIPLES[quantity[2].toUpperCase()] : unit === 'GiB' ? 1024 : 1);
  const converted = unit === 'GiB' ? mib / 1024 : mib;
  if (!Number.isInteger(converted) || (node.minimum !== undefined && converted < node.minimum) || (node.maximum !== undefined && converted > node.maximum)) return '';
  return `; ${path.replace(/^spec\./, '')} is a number of ${unit}: write ${converted}${quantity[2] ? ` for ${JSON.stringify(value)}` : ', without quotes'}`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
