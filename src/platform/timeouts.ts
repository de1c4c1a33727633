/**
 * Time budgets, in one place so they stay consistent: provider-terraform kills `terraform` (SIGTERM) when
 * one reconcile (init + plan + apply) outlives its `--timeout`, which leaves a half-created VM and possibly
 * a held state lock. Every bpg/proxmox timeout on the create path therefore adds up to well below it.
 *
 * @see https://github.com/crossplane-contrib/provider-terraform (cmd/provider/main.go: --timeout, --poll)
 * @see https://registry.terraform.io/providers/bpg/proxmox/latest/docs/resources/virtual_environment_vm
 */

/** bpg/proxmox timeouts in seconds. */
export const PROXMOX_TIMEOUTS = {
  clone: 1200,
  create: 1200,
  startVm: 300,
  stopVm: 300,
  shutdownVm: 300,
  reboot: 600,
  migrate: 1200,
  /** QEMU guest agent answer (reported addresses); a duration string for bpg. */
  agent: 300,
} as const;

/** Headroom for `terraform init` (provider download) and plan, in seconds. */
export const INIT_AND_PLAN_BUDGET = 600;

/** The longest apply: clone the template, start the VM, wait for the guest agent. */
export const CREATE_PATH_SECONDS = PROXMOX_TIMEOUTS.clone + PROXMOX_TIMEOUTS.startVm + PROXMOX_TIMEOUTS.agent;

/** provider-terraform's `--timeout`: the create path plus init/plan headroom, plus a margin. */
export const PROVIDER_TIMEOUT_MINUTES = 45;

/** provider-terraform's `--poll`: how often a Ready Workspace is re-planned to catch drift. */
export const PROVIDER_POLL_MINUTES = 10;
