/**
 * proxmox-sim: a Proxmox VE API simulator for tests and for trying Machines without a Proxmox host.
 * Self-contained (it imports nothing from the rest of Fabric); README.md beside this file describes it.
 *
 *   const sim = await startProxmoxSim({ site: DEFAULT_SITE });
 *   // sim.endpoint, sim.caFile, sim.token for the client; sim.vm(vmid), sim.requests to inspect
 *   await sim.stop();
 */
import { ProxmoxSim, type ProxmoxSimOptions } from './server';

export { privilegeSet } from './access';
export type { AclEntry, PveMajor, TokenSpec, UserSpec } from './access';
export { DEFAULT_SITE, DOCUMENTED_ROLES, FABRIC_PROVISIONER_PRIVILEGES, loadSite } from './site';
export type { NodeSpec, Site, StorageSpec, TemplateSpec, VmSpec } from './site';
export { ProxmoxSim } from './server';
export type { ProxmoxSimOptions, RequestRecord, VmView } from './server';
export { SCHEMA_SOURCE } from './schema';
export type { TaskRecord } from './tasks';

/** Starts a simulator on 127.0.0.1 (any free port unless `port` is given) with its own CA. */
export function startProxmoxSim(options: ProxmoxSimOptions = {}): Promise<ProxmoxSim> {
  return ProxmoxSim.start(options);
}
