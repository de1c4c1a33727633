/**
 * A Machine as users write it, in a claim under claims/ or as the props of the Machine construct: the wire
 * format of the Machine API, typed by the binding generated from the XRD schema, so a misspelled field in a
 * TypeScript claim does not compile.
 */
import { ApiObjectMetadata } from 'cdk8s';
import { MachineSpec } from '../../imports/fabric.kubelize.io';

/** The namespace a Machine lands in when neither it nor its chart names one. */
export const DEFAULT_MACHINE_NAMESPACE = 'infra-machines';

/** The metadata a Machine carries: cdk8s's own, limited to what a Machine may set. */
export type MachineMetadata = Pick<ApiObjectMetadata, 'name' | 'namespace' | 'labels' | 'annotations'>;

/** A Machine in a claim module: its name is required there, as it is the Machine's identity. */
export interface MachineClaim {
  /** `name` is an RFC 1123 label and the default hostname; renaming a Machine replaces its VM. */
  readonly metadata: MachineMetadata & { readonly name: string };
  readonly spec: MachineSpec;
}

/**
 * Declares a Machine in a claim module: `export default defineMachine({ metadata: {...}, spec: {...} })`.
 * Identity only; it exists so the object literal is checked against the Machine types.
 */
export function defineMachine(claim: MachineClaim): MachineClaim {
  return claim;
}

/** A Machine as Fabric's checks and derivations see it: where it lives, and its spec with defaults filled in. */
export interface ResolvedMachine {
  readonly name: string;
  readonly namespace: string;
  /** The spec with the schema's defaults filled in. */
  readonly spec: MachineSpec;
  /** Where it was declared, named in messages: a claim file, or a construct path. */
  readonly source: string;
}

/** `namespace/name`: how messages and the plan name a Machine. */
export function machineId(machine: { readonly name: string; readonly namespace: string }): string {
  return `${machine.namespace}/${machine.name}`;
}
