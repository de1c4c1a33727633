/**
 * The Composition: mode Pipeline, one function-patch-and-transform step composing one provider-terraform
 * Workspace per Machine, in the Machine's namespace, named like the Machine.
 *
 * @see https://docs.crossplane.io/latest/composition/compositions/
 * @see https://github.com/crossplane-contrib/function-patch-and-transform
 */
import { Construct } from 'constructs';
import { Composition, CompositionSpecMode } from '../imports/apiextensions.crossplane.io';
import { Resources, ResourcesResourcesPatchesType as PatchType } from '../imports/pt.fn.crossplane.io';
import {
  Workspace,
  WorkspaceSpecForProviderInlineFormat,
  WorkspaceSpecForProviderSource,
} from '../imports/tf.m.upbound.io';
import { deletionPolicyPatch, stateNamePatch, statusPatches, variablePatches } from './composition-patches';
import { MACHINE_API_VERSION, MACHINE_KIND } from './machine-schema';
import { PATCH_AND_TRANSFORM_FUNCTION } from './crossplane-packages';
import { PROVIDER_CONFIG_NAME } from './provider-config';
import { proxmoxModule } from './terraform-module';

export const COMPOSITION_NAME = 'machine-proxmox-terraform';

export interface MachineCompositionProps {
  /** Accept a self-signed Proxmox API certificate. */
  readonly insecureSkipTlsVerify: boolean;
}

export class MachineComposition extends Construct {
  public readonly composition: Composition;

  constructor(scope: Construct, id: string, props: MachineCompositionProps) {
    super(scope, id);
    const workspace = Workspace.manifest({
      metadata: {},
      spec: {
        providerConfigRef: { kind: 'ClusterProviderConfig', name: PROVIDER_CONFIG_NAME },
        forProvider: {
          source: WorkspaceSpecForProviderSource.INLINE,
          inlineFormat: WorkspaceSpecForProviderInlineFormat.JSON,
          module: JSON.stringify(proxmoxModule({ insecureSkipTlsVerify: props.insecureSkipTlsVerify }), null, 2),
        },
      },
    });
    const input = Resources.manifest({
      resources: [
        {
          name: 'workspace',
          base: workspace,
          patches: [
            { type: PatchType.FROM_COMPOSITE_FIELD_PATH, fromFieldPath: 'metadata.name', toFieldPath: 'metadata.name' },
            stateNamePatch('metadata.namespace', 'metadata.name'),
            deletionPolicyPatch(),
            ...variablePatches(),
            ...statusPatches(),
          ],
        },
      ],
    });
    this.composition = new Composition(this, 'Resource', {
      metadata: { name: COMPOSITION_NAME },
      spec: {
        compositeTypeRef: { apiVersion: MACHINE_API_VERSION, kind: MACHINE_KIND },
        mode: CompositionSpecMode.PIPELINE,
        pipeline: [{ step: 'patch-and-transform', functionRef: { name: PATCH_AND_TRANSFORM_FUNCTION }, input }],
      },
    });
  }
}
