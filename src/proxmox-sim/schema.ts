/**
 * Proxmox's API schema (api-schema.json, the subset of pve-docs' apidata.js that extract-api-schema.ts keeps):
 * finding the method a request names, and verifying its parameters as PVE::RESTHandler::handle does.
 */
import apiSchema from './api-schema.json';
import { checkObject, Errors, PropertySchema, Value } from './json-schema';
// Loaded for its named formats, which it registers with json-schema.ts.
import './formats';

/** A permission check as the schema states it (pve-access-control src/PVE/RPCEnvironment.pm:459). */
export type PermissionCheck = [string, ...unknown[]];

export interface Permissions {
  check?: PermissionCheck;
  user?: 'all' | 'world';
  description?: string;
}

export interface MethodSchema {
  readonly parameters: PropertySchema;
  readonly permissions?: Permissions;
  readonly allowtoken?: number;
  readonly protected?: number;
  readonly proxyto?: string;
}

/** Where the schema came from: pve-docs repository, path, commit and the release it describes. */
export const SCHEMA_SOURCE: Readonly<Record<string, string>> = apiSchema.source;

const MODELLED = apiSchema.methods as unknown as Record<string, MethodSchema>;
const OTHERS = new Set<string>(apiSchema.otherMethods);

/**
 * How many of each indexed option exist. The dump writes `net0`..`net31` as one `net[n]`
 * (pve-common src/PVE/RESTHandler.pm:61 api_clone_schema), so the counts come from qemu-server:
 * src/PVE/QemuServer.pm:859-861 ($MAX_NETS, serial, parallel; ipconfig follows net, :871),
 * src/PVE/QemuServer/Drive.pm:154-158 (ide, scsi, virtio, sata, unused), src/PVE/QemuServer/PCI.pm:25,
 * src/PVE/QemuServer/USB.pm:19, src/PVE/QemuServer/Memory.pm:20 (numa), src/PVE/QemuServer/Virtiofs.pm:23.
 */
export const INDEXED_COUNTS: Readonly<Record<string, number>> = {
  net: 32, ipconfig: 32, serial: 4, parallel: 3, ide: 4, scsi: 31, virtio: 16, sata: 6, unused: 256,
  hostpci: 16, usb: 14, numa: 8, virtiofs: 10,
};

export type Lookup =
  | { readonly kind: 'modelled'; readonly name: string; readonly uriParams: Record<string, string>; readonly schema: MethodSchema }
  /** Proxmox has this method; the simulator does not model it. */
  | { readonly kind: 'unmodelled'; readonly name: string }
  /** Proxmox has no such method: pve-manager PVE/HTTPServer.pm:149 answers 501. */
  | { readonly kind: 'none' };

interface Route { readonly template: string; readonly segments: readonly string[] }

const routes: Route[] = [...new Set([...Object.keys(MODELLED), ...OTHERS].map((name) => name.slice(name.indexOf(' ') + 1)))]
  .map((template) => ({ template, segments: template.split('/').filter(Boolean) }));

/**
 * The path template a request path matches, with the values of its `{name}` segments. A literal segment
 * wins over a `{name}` one, as PVE::RESTHandler's path lookup holds either folders or one regex per level.
 */
function matchPath(requestPath: string): { template: string; uriParams: Record<string, string> } | undefined {
  const segments = requestPath.split('/').filter(Boolean).map((segment) => decodeURIComponent(segment));
  let candidates = routes.filter((route) => route.segments.length === segments.length);
  for (let index = 0; index < segments.length && candidates.length > 0; index++) {
    const literal = candidates.filter((route) => route.segments[index] === segments[index]);
    candidates = literal.length > 0 ? literal : candidates.filter((route) => /^\{.+\}$/.test(route.segments[index]));
  }
  if (candidates.length === 0) return undefined;
  const route = candidates[0];
  const uriParams: Record<string, string> = {};
  route.segments.forEach((segment, index) => {
    const name = /^\{(.+)\}$/.exec(segment)?.[1];
    if (name !== undefined) uriParams[name] = segments[index];
  });
  return { template: route.template, uriParams };
}

export function lookupMethod(method: string, requestPath: string): Lookup {
  const matched = matchPath(requestPath);
  if (!matched) return { kind: 'none' };
  const name = `${method} ${matched.template}`;
  const schema = MODELLED[name];
  if (schema) return { kind: 'modelled', name, uriParams: matched.uriParams, schema };
  return OTHERS.has(name) ? { kind: 'unmodelled', name } : { kind: 'none' };
}

export function methodSchema(name: string): MethodSchema {
  const schema = MODELLED[name];
  if (!schema) throw new Error(`no modelled method ${name}`);
  return schema;
}

const expanded = new Map<PropertySchema, Record<string, PropertySchema>>();

/** A method's properties with every `name[n]` spelled out as name0, name1, ... as Proxmox registers them. */
export function expandedProperties(parameters: PropertySchema): Record<string, PropertySchema> {
  let properties = expanded.get(parameters);
  if (!properties) {
    properties = {};
    for (const [key, schema] of Object.entries(parameters.properties ?? {})) {
      const indexed = /^([a-z]+)\[n\]$/.exec(key);
      if (!indexed) { properties[key] = schema; continue; }
      const count = INDEXED_COUNTS[indexed[1]];
      if (count === undefined) throw new Error(`the simulator knows no count for the indexed option ${key}`);
      for (let index = 0; index < count; index++) properties[`${indexed[1]}${index}`] = schema;
    }
    expanded.set(parameters, properties);
  }
  return properties;
}

/**
 * PVE::RESTHandler::handle (pve-common src/PVE/RESTHandler.pm:486): legacy list/array normalisation (:464),
 * then PVE::JSONSchema::validate (src/PVE/JSONSchema.pm:1554) of all parameters, URI ones included.
 * Returns the per-parameter errors of a "Parameter verification failed." refusal, or none; aliases in
 * `params` are renamed to their targets in place, as Proxmox hands them to the method.
 */
export function verifyParameters(schema: MethodSchema, params: Record<string, Value>): Errors {
  const properties = expandedProperties(schema.parameters);
  for (const [key, property] of Object.entries(properties)) {
    const value = params[key];
    if (!value) continue;
    const format = typeof property.format === 'string' ? property.format : '';
    if (Array.isArray(value) && property.type === 'string' && /-list$/.test(format)) params[key] = value.join(',');
    else if (!Array.isArray(value) && property.type === 'array') params[key] = [value];
  }
  const errors: Errors = {};
  checkObject('', properties, params as Record<string, Value>, schema.parameters.additionalProperties, errors);
  return errors;
}
