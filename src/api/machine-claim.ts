/**
 * A Machine as users write it in claims/: the wire format of the Machine API, typed by
 * the binding generated from the XRD schema, so a misspelled field in a TypeScript claim does not compile.
 */
import { MachineSpec } from '../../imports/fabric.kubelize.io';

/** The namespace Machines land in when a claim names none. */
export const DEFAULT_MACHINE_NAMESPACE = 'infra-machines';

export interface MachineMetadata {
  /** RFC 1123 label; also the default hostname. Renaming a Machine replaces its VM. */
  readonly name: string;
  /** @default 'infra-machines' */
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface MachineDefinition {
  readonly metadata: MachineMetadata;
  readonly spec: MachineSpec;
}

/**
 * Declares a Machine in a claim module: `export default defineMachine({ metadata: {...}, spec: {...} })`.
 * Identity only; it exists so the object literal is checked against the Machine types.
 */
export function defineMachine(definition: MachineDefinition): MachineDefinition {
  return definition;
}
