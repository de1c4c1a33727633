// Fabric's public API: the constructs, their props, and the types users write. The Machine's generated
// binding is not exported as a class (the Machine construct is the one Machine); its spec types are.
export type {
  MachineSpec,
  MachineSpecBootstrap,
  MachineSpecCpu,
  MachineSpecDataDisks,
  MachineSpecDisk,
  MachineSpecMemory,
  MachineSpecNetwork,
  MachineSpecNix,
  MachineSpecProxmox,
} from '../imports/fabric.kubelize.io';
export { MachineSpecDeletionPolicy as DeletionPolicy, MachineSpecDiskInterface as DiskInterface } from '../imports/fabric.kubelize.io';
export { defineMachine, DEFAULT_MACHINE_NAMESPACE } from './api/machine-claim';
export type { MachineClaim, MachineMetadata, ResolvedMachine } from './api/machine-claim';
export { Topology } from './api/topology';
export { BootstrapChannel } from './nixos/bootstrap-channel';
export type { SecretReference } from './platform/proxmox-credentials';
export { PROVIDER_RUNTIME_DEFAULTS } from './platform/provider-runtime';
export type { ProviderRuntimeSettings } from './platform/provider-runtime';
export type { Problem } from './validation/problem';
export { FabricError } from './util/errors';

export * from './constructs/machine';
export * from './constructs/platform';
export * from './constructs/machine-api';
export * from './constructs/machine-definition';
export * from './constructs/machine-composition';
export * from './constructs/crossplane-packages';
export * from './constructs/provider-config';
export * from './constructs/argocd';
export * from './constructs/flux';
export { FLUX_STAGES, fluxStageOf } from './gitops/flux';
export type { FluxStage } from './gitops/flux';
export * from './constructs/configuration-package';
