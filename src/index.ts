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
export * from './constructs/monitoring';
export { MACHINE_SCRAPE_JOB, fileSdJson, machineAddress, machineTargets, tagLabel } from './monitoring/scrape-targets';
export type { MachineTarget } from './monitoring/scrape-targets';
export { machineAlertRules, NOT_READY_FOR_MINUTES } from './monitoring/alert-rules';
export type { AlertRule, RuleGroup } from './monitoring/alert-rules';
export { MACHINE_METRIC_PREFIX, MACHINE_METRICS_CONFIG_KEY, machineMetricsConfig } from './monitoring/machine-metrics';
export { fleetDashboard } from './monitoring/dashboard';
export { DEFAULT_MONITORING_NAMESPACE } from './monitoring/settings';
export type { MonitoringSettings } from './monitoring/settings';
export { isMonitored, MONITORING_OFF, MONITORING_TAG, NODE_EXPORTER_PORT } from './nixos/node-exporter';
export type { NodeExporterSettings } from './nixos/node-exporter';
