/**
 * Finding the Machines of an app without importing the Machine construct (which refers to the Platform that
 * checks them): a Machine marks itself with a symbol that every copy of this package shares.
 */
import { IConstruct } from 'constructs';
import type { Topology } from '../api/topology';
import type { ResolvedMachine } from '../api/machine-claim';
import type { Problem } from '../validation/problem';

export const MACHINE_MARK = Symbol.for('@kubelize/fabric.Machine');

/** What the Platform reads of each Machine of its app. */
export interface FleetMachine extends ResolvedMachine, IConstruct {
  /** The topology the Machine was written for. */
  readonly topology: Topology;
  /** Whether the Machine was given a Platform. */
  readonly hasPlatform: boolean;
  /** The Machine's own problems (not the fleet's). */
  problems(): readonly Problem[];
}

export function isFleetMachine(x: unknown): x is FleetMachine {
  return x !== null && typeof x === 'object' && MACHINE_MARK in x;
}

/** Every Machine below `scope`, in construct order. */
export function machinesIn(scope: IConstruct): FleetMachine[] {
  return scope.node.findAll().filter(isFleetMachine);
}
