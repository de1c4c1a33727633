/**
 * What differs between the two topologies the whole output can take (package.json `fabric.topology`),
 * in one table, so the XRD, the Composition and the provider config take the topology as a prop instead
 * of existing twice.
 *
 * - namespaced (Crossplane v2): the Machine is itself the composite resource, namespaced, and composes a
 *   namespaced tf.m.upbound.io Workspace beside it.
 * - legacy (the original project's): an apiextensions.crossplane.io/v1 XRD of scope LegacyCluster; a
 *   namespaced Machine is a claim for a cluster-scoped XMachine, which composes a cluster-scoped
 *   tf.upbound.io Workspace. Crossplane records the claim on the XMachine as `spec.claimRef`.
 *
 * @see https://docs.crossplane.io/latest/composition/composite-resource-definitions/
 * @see https://docs.crossplane.io/v1.20/concepts/claims/
 */
import { MACHINE_GROUP, MACHINE_KIND, MACHINE_PLURAL } from './machine-schema';
import { Topology } from '../synth/settings';

export interface TopologyShape {
  /** The composite resource kind: the Machine itself, or the XMachine behind a Machine claim. */
  readonly compositeKind: string;
  readonly compositePlural: string;
  /** `<plural>.<group>` of the composite, as Crossplane requires. */
  readonly xrdName: string;
  /** Distinct per topology: compositeTypeRef is immutable, so a topology switch must not reuse the name. */
  readonly compositionName: string;
  /** Field paths, on the composite, of the name and namespace the user gave the Machine. */
  readonly machineName: string;
  readonly machineNamespace: string;
}

export const TOPOLOGY_SHAPES: Readonly<Record<Topology, TopologyShape>> = {
  [Topology.NAMESPACED]: {
    compositeKind: MACHINE_KIND,
    compositePlural: MACHINE_PLURAL,
    xrdName: `${MACHINE_PLURAL}.${MACHINE_GROUP}`,
    compositionName: 'machine-proxmox-terraform',
    machineName: 'metadata.name',
    machineNamespace: 'metadata.namespace',
  },
  [Topology.LEGACY]: {
    compositeKind: `X${MACHINE_KIND}`,
    compositePlural: `x${MACHINE_PLURAL}`,
    xrdName: `x${MACHINE_PLURAL}.${MACHINE_GROUP}`,
    compositionName: 'xmachine-proxmox-terraform',
    machineName: 'spec.claimRef.name',
    machineNamespace: 'spec.claimRef.namespace',
  },
};
