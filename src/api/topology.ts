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
import { CompositeResourceDefinitionSpecDefaultCompositeDeletePolicy as CompositeDeletePolicy } from '../../imports/apiextensions.crossplane.io';
import { MACHINE_GROUP, MACHINE_KIND, MACHINE_PLURAL } from './machine-schema';

/** Which Crossplane topology the Machine API takes. */
export enum Topology {
  /** Crossplane v2: namespaced Machines composing namespaced tf.m.upbound.io Workspaces. */
  NAMESPACED = 'namespaced',
  /** The original project's: a v1 XRD with XMachine composites and Machine claims, cluster-scoped tf.upbound.io Workspaces. */
  LEGACY = 'legacy',
}

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
  /** Fields a Machine carries in its spec besides the Machine API's own (a legacy claim's). */
  readonly claimSpecFields: readonly string[];
}

export const TOPOLOGY_SHAPES: Readonly<Record<Topology, TopologyShape>> = {
  [Topology.NAMESPACED]: {
    compositeKind: MACHINE_KIND,
    compositePlural: MACHINE_PLURAL,
    xrdName: `${MACHINE_PLURAL}.${MACHINE_GROUP}`,
    compositionName: 'machine-proxmox-terraform',
    machineName: 'metadata.name',
    machineNamespace: 'metadata.namespace',
    claimSpecFields: [],
  },
  [Topology.LEGACY]: {
    compositeKind: `X${MACHINE_KIND}`,
    compositePlural: `x${MACHINE_PLURAL}`,
    xrdName: `x${MACHINE_PLURAL}.${MACHINE_GROUP}`,
    compositionName: 'xmachine-proxmox-terraform',
    machineName: 'spec.claimRef.name',
    machineNamespace: 'spec.claimRef.namespace',
    // Crossplane's claim field, which the claim CRD defaults: written out so git holds what the cluster does.
    claimSpecFields: ['compositeDeletePolicy'],
  },
};

/**
 * What deleting a Machine claim does to its XMachine (legacy): Crossplane's default, written on the XRD
 * and on every claim because the claim CRD defaults it.
 */
export const CLAIM_COMPOSITE_DELETE_POLICY = CompositeDeletePolicy.BACKGROUND;

/** A Machine's spec as written to dist/ in either topology, back to the Machine API's own fields (for the plan). */
export function machineApiSpecOf<T extends object>(spec: T): T {
  const own = { ...spec } as Record<string, unknown>;
  for (const shape of Object.values(TOPOLOGY_SHAPES)) for (const field of shape.claimSpecFields) delete own[field];
  return own as T;
}
