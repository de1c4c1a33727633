/**
 * Time budgets, in one place so they stay consistent: provider-terraform kills `terraform` (SIGTERM) when
 * one reconcile (init + plan + apply) outlives its `--timeout`, which leaves a half-created VM and possibly
 * a held state lock. Every bpg/proxmox timeout on the create path therefore adds up to well below it.
 *
 * @see https://github.com/crossplane-contrib/provider-terraform (cmd/provider/main.go: --timeout, --poll)
 * @see https://registry.terraform.io/providers/bpg/proxmox/latest/docs/resources/virtual_environment_vm
 */

/** Copying the template's disks in a full clone, in seconds. */
export const CLONE_COPY_SECONDS = 1200;
const START_VM_SECONDS = 300;
const AGENT_SECONDS = 300;

/** bpg/proxmox timeouts in seconds. */
export const PROXMOX_TIMEOUTS = {
  /**
   * The whole create of a cloned VM, not the clone alone: bpg v0.111.1 puts timeout_clone on the context of
   * all of vmCreateClone (proxmoxtf/resource/vm/vm.go:2321-2325): the clone task, the config updates, disk
   * moves and resizes, the start and the guest agent wait, each nested deadline shorter (vm.go:1988-2002,
   * proxmox/nodes/vms/vms.go:574). So it holds the copy plus the start and agent budgets.
   */
  clone: CLONE_COPY_SECONDS + START_VM_SECONDS + AGENT_SECONDS,
  /** Only for a VM created without a clone (vm.go:3017): never used by Fabric's module. */
  create: 1200,
  startVm: START_VM_SECONDS,
  stopVm: 300,
  shutdownVm: 300,
  reboot: 600,
  migrate: 1200,
  /** QEMU guest agent answer (reported addresses); a duration string for bpg. */
  agent: AGENT_SECONDS,
} as const;

/** Headroom for `terraform init` (provider download) and plan, in seconds. */
export const INIT_AND_PLAN_BUDGET = 600;

/** The longest apply: bpg's timeout_clone bounds the whole create (see PROXMOX_TIMEOUTS.clone). */
export const CREATE_PATH_SECONDS = PROXMOX_TIMEOUTS.clone;

/** provider-terraform's `--timeout`: the create path plus init/plan headroom, plus a margin. */
export const PROVIDER_TIMEOUT_MINUTES = 45;

/** provider-terraform's `--poll`: how often a Ready Workspace is re-planned to catch drift. */
export const PROVIDER_POLL_MINUTES = 10;
