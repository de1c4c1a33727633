/**
 * The Machine CompositeResourceDefinition: the API users write. Namespaced topology: an
 * apiextensions.crossplane.io/v2 XRD whose composite is the namespaced Machine. Legacy topology: an
 * apiextensions.crossplane.io/v1 XRD of scope LegacyCluster whose composite is XMachine and whose claim is
 * the same namespaced Machine. Both carry the one schema (src/api/machine-schema.ts) and write out the fields the
 * API server would otherwise default, so ArgoCD never sees a difference.
 *
 * @see https://docs.crossplane.io/latest/composition/composite-resource-definitions/
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CompositeResourceDefinition,
  CompositeResourceDefinitionSpecDefaultCompositionUpdatePolicy as UpdatePolicy,
  CompositeResourceDefinitionSpecScope,
  CompositeResourceDefinitionV2,
  CompositeResourceDefinitionV2SpecDefaultCompositionUpdatePolicy as UpdatePolicyV2,
  CompositeResourceDefinitionV2SpecScope,
} from '../../imports/apiextensions.crossplane.io';
import { MACHINE_GROUP, MACHINE_KIND, MACHINE_PLURAL, MACHINE_VERSION, machineSchema } from '../api/machine-schema';
import { specPath, statusPath } from '../api/field-paths';
import { CLAIM_COMPOSITE_DELETE_POLICY, Topology, TOPOLOGY_SHAPES } from '../api/topology';

/** The namespaced topology's XRD name (src/api/topology.ts has both). */
export const XRD_NAME = TOPOLOGY_SHAPES[Topology.NAMESPACED].xrdName;

/** Columns `kubectl get machines` shows besides Crossplane's own SYNCED, READY, COMPOSITION and AGE. */
export const PRINTER_COLUMNS = [
  { name: 'NODE', type: 'string', jsonPath: `.${specPath('spec.proxmox.node')}` },
  { name: 'VMID', type: 'integer', jsonPath: `.${statusPath('status.vmId')}` },
  { name: 'IP', type: 'string', jsonPath: `.${statusPath('status.ipAddress')}` },
];

export interface MachineDefinitionProps {
  /** @default Topology.NAMESPACED */
  readonly topology?: Topology;
}

export class MachineDefinition extends Construct {
  /** The CompositeResourceDefinition object. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: MachineDefinitionProps = {}) {
    super(scope, id);
    const shape = TOPOLOGY_SHAPES[props.topology ?? Topology.NAMESPACED];
    const names = (kind: string, plural: string) => ({ kind, plural, singular: kind.toLowerCase(), categories: ['fabric'] });
    const versions = [
      {
        name: MACHINE_VERSION,
        served: true,
        referenceable: true,
        additionalPrinterColumns: PRINTER_COLUMNS,
        schema: { openApiv3Schema: machineSchema },
      },
    ];
    if (props.topology === Topology.LEGACY) {
      this.apiObject = new CompositeResourceDefinition(this, 'Resource', {
        metadata: { name: shape.xrdName },
        spec: {
          group: MACHINE_GROUP,
          scope: CompositeResourceDefinitionSpecScope.LEGACY_CLUSTER,
          names: names(shape.compositeKind, shape.compositePlural),
          claimNames: names(MACHINE_KIND, MACHINE_PLURAL),
          defaultCompositionRef: { name: shape.compositionName },
          defaultCompositeDeletePolicy: CLAIM_COMPOSITE_DELETE_POLICY,
          defaultCompositionUpdatePolicy: UpdatePolicy.AUTOMATIC,
          versions,
        },
      });
      return;
    }
    this.apiObject = new CompositeResourceDefinitionV2(this, 'Resource', {
      metadata: { name: shape.xrdName },
      spec: {
        group: MACHINE_GROUP,
        scope: CompositeResourceDefinitionV2SpecScope.NAMESPACED,
        names: names(shape.compositeKind, shape.compositePlural),
        defaultCompositionRef: { name: shape.compositionName },
        defaultCompositionUpdatePolicy: UpdatePolicyV2.AUTOMATIC,
        versions,
      },
    });
  }
}
