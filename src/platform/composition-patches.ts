/**
 * The function-patch-and-transform patches that wire a Machine to its Workspace and back.
 * Every variable of the table reaches the module by name; outputs return to the Machine's status.
 */
import {
  ResourcesResourcesPatches as Patch,
  ResourcesResourcesPatchesCombineStrategy as CombineStrategy,
  ResourcesResourcesPatchesTransformsStringConvert as Convert,
  ResourcesResourcesPatchesTransformsStringType as StringTransform,
  ResourcesResourcesPatchesTransformsType as TransformType,
  ResourcesResourcesPatchesType as PatchType,
} from '../../imports/pt.fn.crossplane.io';
import { StatusPath, statusPath } from '../api/field-paths';
import { MODULE_OUTPUTS } from './terraform-module';
import { MODULE_VARIABLES } from './terraform-variables';

/** Workspace management policies per Machine deletionPolicy: Orphan drops Delete, so the VM survives. */
export const MANAGEMENT_POLICIES: Record<'Delete' | 'Orphan', string[]> = {
  Delete: ['*'],
  Orphan: ['Observe', 'Create', 'Update', 'LateInitialize'],
};

/** Machine status field ← module output. */
export const STATUS_FROM_OUTPUTS: Readonly<Partial<Record<StatusPath, keyof typeof MODULE_OUTPUTS>>> = {
  'status.vmId': 'vm_id',
  'status.node': 'node',
  'status.ipAddress': 'ip_address',
  'status.ipAddresses': 'ip_addresses',
};

export const VARMAP_PATH = 'spec.forProvider.varmap';

/**
 * One patch per row of the variable table: Machine field → varmap[name]. `rebase` moves a row's source
 * where the composite keeps it elsewhere (the legacy XMachine holds the Machine's name in spec.claimRef).
 */
export function variablePatches(rebase: Readonly<Record<string, string>> = {}): Patch[] {
  return MODULE_VARIABLES.map((variable) => ({
    type: PatchType.FROM_COMPOSITE_FIELD_PATH,
    fromFieldPath: rebase[variable.from] ?? variable.from,
    toFieldPath: `${VARMAP_PATH}.${variable.name}`,
  }));
}

/**
 * The Workspace's name. A namespaced Workspace sits beside its Machine and takes its name; a cluster-scoped
 * one (legacy) is named `<namespace>.<name>`, unique cluster-wide because neither part may hold a dot.
 */
export function workspaceNamePatch(namePath: string, namespacePath?: string): Patch {
  if (namespacePath === undefined) {
    return { type: PatchType.FROM_COMPOSITE_FIELD_PATH, fromFieldPath: namePath, toFieldPath: 'metadata.name' };
  }
  return combineNamespaceAndName(namespacePath, namePath, '%s.%s', 'metadata.name');
}

/** deletionPolicy → the Workspace's managementPolicies. */
export function deletionPolicyPatch(): Patch {
  return {
    type: PatchType.FROM_COMPOSITE_FIELD_PATH,
    fromFieldPath: 'spec.deletionPolicy',
    toFieldPath: 'spec.managementPolicies',
    transforms: [{ type: TransformType.MAP, map: MANAGEMENT_POLICIES }],
  };
}

/**
 * deletionPolicy → the legacy managed resource's own spec.deletionPolicy (Delete or Orphan, the same
 * words). Cluster-scoped managed resources still honour it, also when the provider runs without
 * management policies, so the VM survives either way.
 */
export function managedDeletionPolicyPatch(): Patch {
  return { type: PatchType.FROM_COMPOSITE_FIELD_PATH, fromFieldPath: 'spec.deletionPolicy', toFieldPath: 'spec.deletionPolicy' };
}

/**
 * The Terraform workspace name (the Workspace's external name) as sha1("namespace/name"): provider-terraform
 * names state after the external name alone, so two Machines of one name in different namespaces would
 * otherwise share state. A hash fits the 63-character label the kubernetes backend puts it in.
 */
export function stateNamePatch(namespacePath: string, namePath: string): Patch {
  return {
    ...combineNamespaceAndName(namespacePath, namePath, '%s/%s', 'metadata.annotations[crossplane.io/external-name]'),
    transforms: [{ type: TransformType.STRING, string: { type: StringTransform.CONVERT, convert: Convert.TO_SHA1 } }],
  };
}

/** The Machine's namespace and name joined by `fmt` into `toFieldPath`. */
function combineNamespaceAndName(namespacePath: string, namePath: string, fmt: string, toFieldPath: string): Patch {
  return {
    type: PatchType.COMBINE_FROM_COMPOSITE,
    combine: {
      strategy: CombineStrategy.STRING,
      variables: [{ fromFieldPath: namespacePath }, { fromFieldPath: namePath }],
      string: { fmt },
    },
    toFieldPath,
  };
}

/**
 * Where the Workspace's conditions land on the Machine. Crossplane's composite reconciler marks the Machine
 * Ready=False Creating ("Unready resources: workspace") however Terraform fails, and keeps Synced=True; the
 * Workspace's own Synced=False ReconcileError carries Terraform's error, so it is copied for the health check.
 */
export const WORKSPACE_CONDITIONS_PATH = statusPath('status.workspace.conditions');

/** Module outputs and the Workspace's conditions → Machine status. */
export function statusPatches(): Patch[] {
  return [
    ...Object.entries(STATUS_FROM_OUTPUTS).map(([field, output]) => ({
      type: PatchType.TO_COMPOSITE_FIELD_PATH,
      fromFieldPath: `status.atProvider.outputs.${output}`,
      toFieldPath: field,
    })),
    { type: PatchType.TO_COMPOSITE_FIELD_PATH, fromFieldPath: 'status.conditions', toFieldPath: WORKSPACE_CONDITIONS_PATH },
  ];
}
