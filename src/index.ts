// Fabric's public API. Generated bindings are exported under namespaces so they never clash with
// hand-written names (the generated Machine class versus the MachineDefinition claims use).
export * as fabric from '../imports/fabric.kubelize.io';
export * as tf from '../imports/tf.m.upbound.io';
export * from './api/machine-claim';
export * from './constructs/machine';
export * from './constructs/platform';
export * from './constructs/argocd-application';
export { ValidationError, formatProblem } from './validation/problem';
export type { Problem } from './validation/problem';
export * from './synth/settings';
export * from './synth/synthesize';
export * from './synth/plan';
export * from './platform/provider-runtime';
export { sshPublicKeyProblem, SSH_KEY_TYPES } from './validation/ssh-public-key';
export { MachineSpecDeletionPolicy as DeletionPolicy, MachineSpecDiskInterface as DiskInterface } from '../imports/fabric.kubelize.io';
