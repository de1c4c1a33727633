/**
 * Dotted paths into a Machine, as types: a path the Machine API does not have does not compile. The spec's
 * paths come from its generated type; the status's from the schema's own status section.
 */
import type { MachineSpec } from '../../imports/fabric.kubelize.io';
import type { MACHINE_STATUS_SCHEMA } from './machine-schema';

/** The dotted paths of an object type's fields, down to lists and maps (which are taken whole). */
type FieldPaths<T> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends readonly unknown[] | Record<string, string>
    ? K
    : NonNullable<T[K]> extends object ? K | `${K}.${FieldPaths<NonNullable<T[K]>>}` : K;
}[keyof T & string];

/** The same, with a list's items as `list[]` and their fields as `list[].field`. */
type ItemPaths<T> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends ReadonlyArray<infer I>
    ? K | `${K}[]` | (I extends object ? `${K}[].${ItemPaths<I>}` : never)
    : NonNullable<T[K]> extends Record<string, string>
      ? K
      : NonNullable<T[K]> extends object ? K | `${K}.${ItemPaths<NonNullable<T[K]>>}` : K;
}[keyof T & string];

/** The dotted paths of a structural schema's properties, down to lists. */
type SchemaPaths<S> = S extends { readonly properties: infer P }
  ? { [K in keyof P & string]: K | `${K}.${SchemaPaths<P[K]>}` }[keyof P & string]
  : never;

/** A field of a Machine's spec, e.g. `spec.proxmox.node`. */
export type SpecPath = `spec.${FieldPaths<MachineSpec>}`;

/** A field of a Machine's spec, or of a list item in it, e.g. `spec.dataDisks[].size`. */
export type SpecItemPath = 'spec' | `spec.${ItemPaths<MachineSpec>}`;

/** A field of a Machine's status, e.g. `status.vmId`. */
export type StatusPath = `status.${SchemaPaths<typeof MACHINE_STATUS_SCHEMA>}`;

/** A Machine field: its name and namespace, or a spec path. */
export type MachineFieldPath = 'metadata.name' | 'metadata.namespace' | SpecPath;

/** The path as it is, checked by the compiler. */
export const specPath = (path: SpecPath): SpecPath => path;
export const statusPath = (path: StatusPath): StatusPath => path;
