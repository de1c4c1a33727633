/**
 * test/proxmox-sim/: the Proxmox VE API simulator (src/proxmox-sim), driven over HTTPS as a client would:
 * Proxmox's schema and its refusals, tokens and ACLs, tasks, clone, pending changes, resize, pools, the agent,
 * the command line, and the real Terraform with the real bpg/proxmox provider applying a Workspace to it.
 */
import * as path from 'path';
import { runSpecs } from './_spec-suite';

runSpecs(path.join(__dirname, 'proxmox-sim'));
