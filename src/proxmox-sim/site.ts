/**
 * The site a simulator serves: its nodes, storages, templates, pools, users, tokens, roles and ACLs, read from
 * a YAML file (README.md documents it) or given as an object. DEFAULT_SITE is a cluster on which the
 * repository's example fleet (claims/ and test/fixtures/fleet.yaml) provisions.
 */
import * as fs from 'fs';
import * as YAML from 'yaml';
import { privilegeSet, type AclEntry, type PveMajor, type UserSpec } from './access';

export interface StorageSpec {
  readonly id: string;
  /** zfspool, lvmthin, lvm, dir, nfs, cifs, rbd, cephfs: decides volume names and whether it is shared. */
  readonly type: string;
  readonly content?: readonly string[];
  /** The nodes that have it; all when absent (pve-storage storage.cfg `nodes`). */
  readonly nodes?: readonly string[];
  /** Defaults by type: nfs, cifs, rbd and cephfs are shared. */
  readonly shared?: boolean;
  readonly sizeGiB?: number;
}

export interface NodeSpec {
  readonly name: string;
  readonly bridges?: readonly string[];
}

export interface TemplateSpec {
  readonly vmid: number;
  /** The node whose config directory holds the template (nodes/<node>/qemu-server/<vmid>.conf). */
  readonly node: string;
  readonly name?: string;
  readonly storage: string;
  readonly diskGiB?: number;
  /** The boot disk's interface (a Machine's `disk.interface` must name it): scsi0 unless given. */
  readonly diskInterface?: string;
  /** Whether the template's guest runs the QEMU guest agent (its clones inherit it). */
  readonly guestAgent?: boolean;
  /** UEFI with an EFI vars disk on the template's storage (`bios: ovmf`, `efidisk0`), as docs/create-template.md builds it. */
  readonly efiDisk?: boolean;
  /** Config keys added to, or replacing, the template's generated ones. */
  readonly config?: Readonly<Record<string, string>>;
}

/** A VM already on the cluster (one Fabric did not create). */
export interface VmSpec {
  readonly vmid: number;
  readonly node: string;
  readonly name?: string;
  readonly storage?: string;
  readonly running?: boolean;
  readonly pool?: string;
  readonly config?: Readonly<Record<string, string>>;
}

export interface Site {
  /** The Proxmox VE major release whose privilege names the site uses: 9 (default) or 8. */
  readonly pveVersion?: PveMajor;
  readonly nodes: readonly NodeSpec[];
  readonly storages: readonly StorageSpec[];
  readonly templates?: readonly TemplateSpec[];
  readonly vms?: readonly VmSpec[];
  readonly pools?: ReadonlyArray<{ readonly id: string; readonly comment?: string; readonly vms?: readonly number[]; readonly storage?: readonly string[] }>;
  readonly groups?: ReadonlyArray<{ readonly id: string }>;
  readonly roles?: Readonly<Record<string, readonly string[]>>;
  readonly users?: readonly UserSpec[];
  readonly acl?: readonly AclEntry[];
}

/**
 * The roles README.md and docs/create-template.md § 6 have users create (`pveum role add <role> -privs "..."`),
 * per Proxmox VE major release: the docs' commands are checked against this table
 * (test/proxmox-sim/documented-token.spec.ts), and the lifecycle scenarios remove each privilege in turn
 * (test/proxmox-sim/lifecycle.spec.ts), so the list is both what the docs say and what applies need.
 */
const FABRIC_PROVISIONER_PVE9: readonly string[] = ['Datastore.AllocateSpace', 'Datastore.Audit', 'Pool.Audit', 'SDN.Use', 'Sys.Audit',
  'VM.Allocate', 'VM.Audit', 'VM.Clone', 'VM.Config.CDROM', 'VM.Config.CPU', 'VM.Config.Cloudinit', 'VM.Config.Disk', 'VM.Config.HWType',
  'VM.Config.Memory', 'VM.Config.Network', 'VM.Config.Options', 'VM.GuestAgent.Audit', 'VM.Migrate', 'VM.PowerMgmt'];

export const DOCUMENTED_ROLES: Readonly<Record<'FabricProvisioner' | 'FabricAgent' | 'FabricPoolMember' | 'FabricAudit', Readonly<Partial<Record<PveMajor, readonly string[]>>>>> = {
  /** On `/` (or, pool-scoped, on the pool, its storage, its SDN zone and its node). */
  FabricProvisioner: {
    9: FABRIC_PROVISIONER_PVE9,
    // "On Proxmox VE 8 leave VM.GuestAgent.Audit out": the names PVE 8 does not have (AccessControl.pm 8.2.2).
    8: FABRIC_PROVISIONER_PVE9.filter((privilege) => privilegeSet(8).valid.has(privilege)),
  },
  /** PVE 8 only, on the pools Machines use: the guest's addresses (VM.Monitor there, never on `/`). */
  FabricAgent: { 8: ['VM.Monitor', 'Pool.Audit'] },
  /** On the pools Machines use: moving a VM between pools. */
  FabricPoolMember: { 9: ['Pool.Allocate', 'Pool.Audit'], 8: ['Pool.Allocate', 'Pool.Audit'] },
  /** Pool-scoped recipe only, on `/` without propagation: bpg's HA lookup before a migration. */
  FabricAudit: { 9: ['Sys.Audit'], 8: ['Sys.Audit'] },
};

/** The role README.md and docs/create-template.md have users create (`pveum role add FabricProvisioner`), on PVE 9. */
export const FABRIC_PROVISIONER_PRIVILEGES: readonly string[] = FABRIC_PROVISIONER_PVE9;

/**
 * Three nodes with the storages, bridges, templates and pools the example Machines name (template 9100 boots from
 * virtio0, as the fleet fixture's Machine on it asks), and the token README.md creates (FabricProvisioner on `/`,
 * not privilege-separated).
 */
export const DEFAULT_SITE: Site = {
  pveVersion: 9,
  nodes: [
    { name: 'pve', bridges: ['vmbr0', 'vmbr1'] },
    { name: 'pve2', bridges: ['vmbr0', 'vmbr1'] },
    { name: 'pve3', bridges: ['vmbr0', 'vmbr1'] },
  ],
  storages: [
    { id: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup', 'snippets'] },
    { id: 'local-zfs', type: 'zfspool', content: ['images', 'rootdir'] },
    { id: 'tank', type: 'zfspool', content: ['images', 'rootdir'] },
    { id: 'fast-nvme', type: 'lvmthin', content: ['images', 'rootdir'] },
    { id: 'ceph-vm', type: 'rbd', content: ['images', 'rootdir'] },
    { id: 'snippets-nfs', type: 'nfs', content: ['snippets', 'iso'] },
  ],
  templates: [
    { vmid: 9000, node: 'pve', name: 'nixos-template', storage: 'local-zfs', guestAgent: true },
    { vmid: 9100, node: 'pve2', name: 'nixos-template-ceph', storage: 'ceph-vm', diskInterface: 'virtio0', guestAgent: true },
    { vmid: 100, node: 'pve3', name: 'nixos-template-pve3', storage: 'local-zfs', guestAgent: true },
  ],
  pools: [{ id: 'infra' }, { id: 'fabric', comment: 'VMs managed by Fabric' }],
  roles: { FabricProvisioner: FABRIC_PROVISIONER_PRIVILEGES },
  users: [{ id: 'fabric@pve', tokens: [{ id: 'crossplane', secret: '00000000-0000-4000-8000-000000000000', privsep: false }] }],
  acl: [{ path: '/', role: 'FabricProvisioner', user: 'fabric@pve' }],
};

/** Reads a site file (YAML). Unknown top-level keys are refused, so a misspelt key is not silently ignored. */
export function loadSite(file: string): Site {
  const site = YAML.parse(fs.readFileSync(file, 'utf8')) as Site;
  const known = ['pveVersion', 'nodes', 'storages', 'templates', 'vms', 'pools', 'groups', 'roles', 'users', 'acl'];
  const unknown = Object.keys(site ?? {}).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new Error(`${file}: unknown site key(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  if (!Array.isArray(site.nodes) || site.nodes.length === 0) throw new Error(`${file}: a site needs at least one node`);
  if (!Array.isArray(site.storages)) throw new Error(`${file}: a site needs its storages`);
  return site;
}
