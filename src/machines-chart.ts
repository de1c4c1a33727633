/**
 * The Machines themselves, as ArgoCD applies them: one object per validated claim, with the schema's
 * defaults written out so the live object never differs from git.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Machine } from '../imports/fabric.kubelize.io';
import { LoadedMachine } from './claims';

export interface MachinesChartProps {
  readonly machines: readonly LoadedMachine[];
}

export class MachinesChart extends Chart {
  constructor(scope: Construct, id: string, props: MachinesChartProps) {
    super(scope, id);
    for (const machine of props.machines) {
      new Machine(this, machine.id.replace('/', '.'), {
        metadata: { ...machine.metadata, name: machine.name, namespace: machine.namespace },
        spec: machine.spec,
      });
    }
  }
}
