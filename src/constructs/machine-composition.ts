/**
 * The Composition: mode Pipeline, one function-patch-and-transform step composing one provider-terraform
 * Workspace per Machine: in the namespaced topology a tf.m.upbound.io Workspace in the Machine's namespace,
 * named like the Machine; in the legacy topology a cluster-scoped tf.upbound.io Workspace for the XMachine
 * behind a Machine claim, named `<namespace>.<name>`. One patch table serves both (src/platform/composition-patches.ts).
 *
 * @see https://docs.crossplane.io/latest/composition/compositions/
 * @see https://github.com/crossplane-contrib/function-patch-and-transform
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Composition, CompositionSpecMode } from '../../imports/apiextensions.crossplane.io';
import { Resources } from '../../imports/pt.fn.crossplane.io';
import * as tf from '../../imports/tf.upbound.io';
import * as tfm from '../../imports/tf.m.upbound.io';
import {
  deletionPolicyPatch,
  managedDeletionPolicyPatch,
  stateNamePatch,
  statusPatches,
  variablePatches,
  workspaceNamePatch,
} from '../platform/composition-patches';
import { MACHINE_API_VERSION } from '../api/machine-schema';
import { Topology, TOPOLOGY_SHAPES } from '../api/topology';
import { PATCH_AND_TRANSFORM_FUNCTION } from '../platform/crossplane-packages';
import { PROVIDER_CONFIG_NAME } from '../platform/provider-config';
import type { ProxmoxProviderConfig } from './provider-config';

import { proxmoxModule, ProxmoxModuleOptions } from '../platform/terraform-module';

/** The namespaced topology's Composition name (src/api/topology.ts has both). */
export const COMPOSITION_NAME = TOPOLOGY_SHAPES[Topology.NAMESPACED].compositionName;

/** The module's options (TLS, bootstrap channel) plus the topology. */
export interface MachineCompositionProps extends ProxmoxModuleOptions {
  /** @default Topology.NAMESPACED */
  readonly topology?: Topology;
  /**
   * The provider config the Workspaces use.
   * @default - the one named 'fabric-proxmox' (what ProxmoxProviderConfig is named unless told)
   */
  readonly providerConfig?: ProxmoxProviderConfig;
}

export class MachineComposition extends Construct {
  /** The Composition object. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: MachineCompositionProps) {
    super(scope, id);
    const topology = props.topology ?? Topology.NAMESPACED;
    const shape = TOPOLOGY_SHAPES[topology];
    const legacy = topology === Topology.LEGACY;
    const module = JSON.stringify(proxmoxModule(props), null, 2);
    const providerConfigName = props.providerConfig?.name ?? PROVIDER_CONFIG_NAME;
    const workspace = legacy
      ? tf.Workspace.manifest({
        metadata: {},
        spec: {
          providerConfigRef: { name: providerConfigName },
          forProvider: { source: tf.WorkspaceSpecForProviderSource.INLINE, inlineFormat: tf.WorkspaceSpecForProviderInlineFormat.JSON, module },
        },
      })
      : tfm.Workspace.manifest({
        metadata: {},
        spec: {
          providerConfigRef: { kind: 'ClusterProviderConfig', name: providerConfigName },
          forProvider: { source: tfm.WorkspaceSpecForProviderSource.INLINE, inlineFormat: tfm.WorkspaceSpecForProviderInlineFormat.JSON, module },
        },
      });
    const input = Resources.manifest({
      resources: [
        {
          name: 'workspace',
          base: workspace,
          patches: [
            workspaceNamePatch(shape.machineName, legacy ? shape.machineNamespace : undefined),
            stateNamePatch(shape.machineNamespace, shape.machineName),
            deletionPolicyPatch(),
            ...(legacy ? [managedDeletionPolicyPatch()] : []),
            ...variablePatches({ 'metadata.name': shape.machineName, 'metadata.namespace': shape.machineNamespace }),
            ...statusPatches(),
          ],
        },
      ],
    });
    this.apiObject = new Composition(this, 'Resource', {
      metadata: { name: shape.compositionName },
      spec: {
        compositeTypeRef: { apiVersion: MACHINE_API_VERSION, kind: shape.compositeKind },
        mode: CompositionSpecMode.PIPELINE,
        pipeline: [{ step: 'patch-and-transform', functionRef: { name: PATCH_AND_TRANSFORM_FUNCTION }, input }],
      },
    });
  }
}
