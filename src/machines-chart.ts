/**
 * The Machines themselves, as ArgoCD applies them: one object per validated claim, with the schema's
 * defaults written out so the live object never differs from git. In the legacy topology a Machine is a
 * claim, whose CRD also defaults `compositeDeletePolicy`; that is written out too.
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Machine } from '../imports/fabric.kubelize.io';
import { LoadedMachine } from './claims';
import { CLAIM_COMPOSITE_DELETE_POLICY } from './machine-xrd';
import { Topology } from './settings';

/** Fields a legacy Machine claim carries besides the Machine API's own (Crossplane's claim fields). */
export const CLAIM_SPEC_FIELDS = ['compositeDeletePolicy'] as const;

/** A Machine's spec as written to dist/, back to the Machine API's own fields (for the plan). */
export function machineSpecOf<T extends object>(spec: T): T {
  const own = { ...spec } as Record<string, unknown>;
  for (const field of CLAIM_SPEC_FIELDS) delete own[field];
  return own as T;
}

export interface MachinesChartProps {
  readonly machines: readonly LoadedMachine[];
  /** @default Topology.NAMESPACED */
  readonly topology?: Topology;
}

export class MachinesChart extends Chart {
  constructor(scope: Construct, id: string, props: MachinesChartProps) {
    super(scope, id);
    for (const machine of props.machines) {
      const id = machine.id.replace('/', '.');
      const machineProps = { metadata: { ...machine.metadata, name: machine.name, namespace: machine.namespace }, spec: machine.spec };
      if (props.topology === Topology.LEGACY) {
        // The generated binding knows the Machine API only; the claim's own field is added to its manifest.
        const manifest = Machine.manifest(machineProps);
        new ApiObject(this, id, { ...manifest, spec: { ...manifest.spec, compositeDeletePolicy: CLAIM_COMPOSITE_DELETE_POLICY } });
      } else {
        new Machine(this, id, machineProps);
      }
    }
  }
}
