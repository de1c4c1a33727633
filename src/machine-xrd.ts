/**
 * The Machine CompositeResourceDefinition (Crossplane v2, namespaced): the API users write.
 *
 * @see https://docs.crossplane.io/latest/composition/composite-resource-definitions/
 */
import { Construct } from 'constructs';
import { CompositeResourceDefinitionV2, CompositeResourceDefinitionV2SpecScope } from '../imports/apiextensions.crossplane.io';
import { COMPOSITION_NAME } from './composition';
import { MACHINE_GROUP, MACHINE_KIND, MACHINE_PLURAL, MACHINE_VERSION, machineSchema } from './machine-schema';

export const XRD_NAME = `${MACHINE_PLURAL}.${MACHINE_GROUP}`;

/** Columns `kubectl get machines` shows besides Crossplane's own SYNCED, READY, COMPOSITION and AGE. */
export const PRINTER_COLUMNS = [
  { name: 'NODE', type: 'string', jsonPath: '.spec.proxmox.node' },
  { name: 'VMID', type: 'integer', jsonPath: '.status.vmId' },
  { name: 'IP', type: 'string', jsonPath: '.status.ipAddress' },
];

export class MachineDefinition extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new CompositeResourceDefinitionV2(this, 'Resource', {
      metadata: { name: XRD_NAME },
      spec: {
        group: MACHINE_GROUP,
        scope: CompositeResourceDefinitionV2SpecScope.NAMESPACED,
        names: { kind: MACHINE_KIND, plural: MACHINE_PLURAL, singular: MACHINE_KIND.toLowerCase(), categories: ['fabric'] },
        defaultCompositionRef: { name: COMPOSITION_NAME },
        versions: [
          {
            name: MACHINE_VERSION,
            served: true,
            referenceable: true,
            additionalPrinterColumns: PRINTER_COLUMNS,
            schema: { openApiv3Schema: machineSchema },
          },
        ],
      },
    });
  }
}
