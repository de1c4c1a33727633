/**
 * The Machine schema as a plain CustomResourceDefinition. Nothing applies it: it is the input from which
 * `npm run import` generates the Machine's TypeScript binding (cdk8s import, which runs json2jsii).
 */
import { MACHINE_GROUP, MACHINE_KIND, MACHINE_PLURAL, MACHINE_VERSION, machineSchema } from './machine-schema';

export function machineCustomResourceDefinition(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${MACHINE_PLURAL}.${MACHINE_GROUP}` },
    spec: {
      group: MACHINE_GROUP,
      scope: 'Namespaced',
      names: { kind: MACHINE_KIND, plural: MACHINE_PLURAL },
      versions: [{ name: MACHINE_VERSION, served: true, storage: true, schema: { openAPIV3Schema: machineSchema } }],
    },
  };
}
