/**
 * The cluster's state: nodes, storages and their volumes, VMs with their config files, and pools. Rules cite
 * qemu-server 9.1.9 (6bdc5547), pve-guest-common 6.0.2 (73531017), pve-storage 9.1.2 (e26583a0),
 * pve-cluster 9.1.2 (6338ff2f) and pve-access-control 9.0.7 (4858e4a5).
 */
import { createHash, randomBytes, randomUUID } from 'crypto';
import { Died } from './access';
import { parseVolumeId } from './formats';
import { parsePropertyString, parseSize, printPropertyString, PropertyFormat, Value } from './json-schema';
import { methodSchema } from './schema';
import type { Site, StorageSpec, VmSpec } from './site';

export interface Storage {
  readonly id: string;
  readonly type: string;
  readonly content: ReadonlySet<string>;
  readonly nodes?: ReadonlySet<string>;
  readonly shared: boolean;
  readonly totalBytes: number;
}

export interface Volume {
  readonly volid: string;
  readonly storage: string;
  /** The node holding it, for storage that is not shared. */
  node?: string;
  readonly vmid: number;
  sizeBytes: number;
  readonly format: string;
}

export type AgentMode = 'ready' | 'absent' | 'slow';

export interface Vm {
  readonly vmid: number;
  node: string;
  /** The config file's current section: option → value as Proxmox writes it. */
  config: Record<string, string>;
  /** The [PENDING] section. */
  pending: Record<string, string>;
  /** Pending deletions, with their force flag (`delete: opt,!opt`). */
  pendingDelete: Map<string, boolean>;
  running: boolean;
  startedAt?: number;
  /** The guest's QEMU agent: answering, never running, or answering `agentDelayMs` after each start. */
  agent: AgentMode;
  agentDelayMs: number;
  /** Whether the guest ignores an ACPI shutdown request (a shutdown then times out). */
  ignoresShutdown: boolean;
  /** The cloud-init data last written to the drive, for inspection: what the guest would read at boot. */
  cloudinitApplied?: Record<string, string>;
}

const SHARED_TYPES = new Set(['nfs', 'cifs', 'rbd', 'cephfs', 'glusterfs', 'iscsi', 'pbs']);
const FILE_TYPES = new Set(['dir', 'nfs', 'cifs', 'cephfs', 'glusterfs', 'btrfs']);

/** The drive and net option formats, from the schema of `POST /nodes/{node}/qemu/{vmid}/config`. */
function optionFormat(option: string): PropertyFormat | undefined {
  const properties = methodSchema('POST /nodes/{node}/qemu/{vmid}/config').parameters.properties!;
  const indexed = /^([a-z]+)\d+$/.exec(option);
  const schema = properties[option] ?? (indexed ? properties[`${indexed[1]}[n]`] : undefined);
  return schema && typeof schema.format === 'object' ? schema.format as PropertyFormat : undefined;
}

/** qemu-server src/PVE/QemuServer/Drive.pm:785 parse_drive: the drive's options, `size` in bytes. */
export function parseDrive(option: string, value: string): Record<string, Value> {
  const format = optionFormat(/^unused\d+$/.test(option) ? 'unused0' : option);
  if (!format) throw new Error(`no drive format for ${option}`);
  const drive = parsePropertyString(format, value);
  if (typeof drive.size === 'string') drive.size = parseSize(drive.size) ?? drive.size;
  return drive;
}

/** qemu-server src/PVE/QemuServer/Drive.pm:860 print_drive. */
export function printDrive(option: string, drive: Record<string, Value>): string {
  return printPropertyString(drive, optionFormat(option)!, ['index', 'interface']);
}

/** qemu-server src/PVE/QemuServer/Network.pm:185 parse_net (without the MAC generation) and :235 print_net. */
export function parseNet(value: string): Record<string, Value> {
  return parsePropertyString(optionFormat('net0')!, value);
}

export function printNet(net: Record<string, Value>): string {
  return printPropertyString(net, optionFormat('net0')!);
}

/** qemu-server src/PVE/QemuServer/Drive.pm:756 drive_is_cloudinit. */
export const isCloudinitDrive = (drive: Record<string, Value>) => /[:/](?:vm-\d+-)?cloudinit(?:\.(raw|qcow2|vmdk|cloop|cow|qcow|qed|vmdk))?$/.test(String(drive.file));

/** qemu-server src/PVE/QemuServer/Drive.pm:761 drive_is_cdrom: media=cdrom (a cloud-init drive counts unless excluded). */
export const isCdromDrive = (drive: Record<string, Value>, excludeCloudinit = false) => drive.media === 'cdrom' && !(excludeCloudinit && isCloudinitDrive(drive));

/** PVE::Tools::random_ether_addr with Proxmox's default prefix BC:24:11 (pve-common src/PVE/Tools.pm:1060). */
export function randomMac(): string {
  const bytes = randomBytes(3);
  return ['BC', '24', '11', ...[...bytes].map((byte) => byte.toString(16).toUpperCase().padStart(2, '0'))].join(':');
}

export class Cluster {
  readonly nodes: string[];
  readonly bridges = new Map<string, Set<string>>();
  readonly storages = new Map<string, Storage>();
  readonly volumes = new Map<string, Volume>();
  readonly vms = new Map<number, Vm>();
  readonly pools = new Map<string, { comment?: string; vms: Set<number>; storage: Set<string> }>();
  /** user.cfg's `vms` map: VMID → its pool (pve-access-control AccessControl.pm:1941 add_vm_to_pool). */
  readonly vmPool = new Map<number, string>();

  constructor(site: Site) {
    this.nodes = site.nodes.map((node) => node.name);
    for (const node of site.nodes) this.bridges.set(node.name, new Set(node.bridges ?? ['vmbr0']));
    for (const storage of site.storages) this.addStorage(storage);
    for (const pool of site.pools ?? []) {
      this.pools.set(pool.id, { comment: pool.comment, vms: new Set(), storage: new Set(pool.storage ?? []) });
      for (const vmid of pool.vms ?? []) this.addToPool(vmid, pool.id);
    }
    for (const template of site.templates ?? []) {
      const vm = this.createVm(template.vmid, template.node, template.storage, template.diskGiB ?? 4, template.diskInterface ?? 'scsi0', {
        name: template.name ?? `template-${template.vmid}`, template: '1', ...(template.guestAgent === false ? {} : { agent: 'enabled=1' }),
        ...template.config,
      }, true);
      vm.agent = template.guestAgent === false ? 'absent' : 'ready';
      if (template.efiDisk) {
        // What `qm config` shows for a 4m OVMF vars disk made with `--efidisk0 <storage>:1,efitype=4m`.
        vm.config.bios = 'ovmf';
        vm.config.efidisk0 = `${this.allocate(template.storage, template.node, template.vmid, 528 * 1024, 'base')},efitype=4m,pre-enrolled-keys=0,size=528K`;
      }
    }
    for (const spec of site.vms ?? []) this.addVm(spec);
  }

  /** A VM someone else created: a config like a clone's, its disk on the given (or first) storage. */
  addVm(spec: VmSpec): Vm {
    const vm = this.createVm(spec.vmid, spec.node, spec.storage ?? this.firstImageStorage(spec.node), 8, 'scsi0', { name: spec.name ?? `vm-${spec.vmid}`, ...spec.config }, false);
    vm.running = spec.running ?? false;
    if (vm.running) vm.startedAt = Date.now();
    if (spec.pool) this.addToPool(spec.vmid, spec.pool);
    return vm;
  }

  private addStorage(spec: StorageSpec): void {
    for (const node of spec.nodes ?? []) if (!this.nodes.includes(node)) throw new Error(`storage ${spec.id}: no node ${node}`);
    this.storages.set(spec.id, {
      id: spec.id,
      type: spec.type,
      content: new Set(spec.content ?? ['images', 'rootdir']),
      nodes: spec.nodes ? new Set(spec.nodes) : undefined,
      shared: spec.shared ?? SHARED_TYPES.has(spec.type),
      totalBytes: (spec.sizeGiB ?? 1024) * 1024 ** 3,
    });
  }

  private firstImageStorage(node: string): string {
    const storage = [...this.storages.values()].find((candidate) => candidate.content.has('images') && this.storageOnNode(candidate.id, node));
    if (!storage) throw new Error(`no storage for VM images on node ${node}`);
    return storage.id;
  }

  /** A template or existing VM as a typical cloud-init-ready NixOS template's config (`qm config`). */
  private createVm(vmid: number, node: string, storage: string, diskGiB: number, diskInterface: string, extra: Record<string, string>, template: boolean): Vm {
    if (!/^(scsi|virtio|sata|ide)\d+$/.test(diskInterface)) throw new Error(`VM ${vmid}: no disk interface ${diskInterface}`);
    if (!this.nodes.includes(node)) throw new Error(`VM ${vmid}: no node ${node}`);
    if (this.vms.has(vmid)) throw new Error(`VM ${vmid} is defined twice`);
    const disk = this.allocate(storage, node, vmid, diskGiB * 1024 ** 3, template ? 'base' : 'disk');
    const cloudinit = this.allocate(storage, node, vmid, 4 * 1024 ** 2, 'cloudinit');
    const bridge = [...this.bridges.get(node)!][0];
    const config: Record<string, string> = {
      boot: `order=${diskInterface};net0`, cores: '2', cpu: 'x86-64-v2-AES', ide2: `${cloudinit},media=cdrom`, memory: '2048',
      meta: `creation-qemu=9.2.0,ctime=${Math.floor(Date.now() / 1000)}`, net0: printNet({ model: 'virtio', macaddr: randomMac(), bridge }),
      numa: '0', ostype: 'l26', [diskInterface]: `${disk},size=${diskGiB}G`, scsihw: 'virtio-scsi-single', serial0: 'socket', sockets: '1',
      smbios1: `uuid=${randomUUID()}`, vga: 'serial0', vmgenid: randomUUID(),
      ...extra,
    };
    const vm: Vm = { vmid, node, config, pending: {}, pendingDelete: new Map(), running: false, agent: 'ready', agentDelayMs: 0, ignoresShutdown: false };
    this.vms.set(vmid, vm);
    return vm;
  }

  storageOnNode(storage: string, node: string): boolean {
    const spec = this.storages.get(storage);
    return spec !== undefined && (spec.nodes === undefined || spec.nodes.has(node));
  }

  /**
   * Allocates a volume as the storage plugins name them: `<sid>:vm-<vmid>-disk-<n>` (`base-` for a template's
   * disk) on block storage, `<sid>:<vmid>/vm-<vmid>-disk-<n>.raw` on file storage (pve-storage
   * src/PVE/Storage/Plugin.pm:992 find_free_diskname, :1049 alloc_image; raw is the API default format), and
   * `vm-<vmid>-cloudinit` for a cloud-init drive (qemu-server src/PVE/QemuServer/Cloudinit.pm).
   */
  allocate(storage: string, node: string, vmid: number, sizeBytes: number, kind: 'disk' | 'base' | 'cloudinit'): string {
    return this.allocateVolume(storage, node, vmid, sizeBytes, kind);
  }

  /**
   * A linked clone of a template's base volume, named as the storage plugins do (`<base>/vm-<vmid>-disk-<n>`,
   * pve-storage src/PVE/Storage/ZFSPoolPlugin.pm, LvmThinPlugin.pm, RBDPlugin.pm clone_image); storage
   * without the `clone` feature refuses it (qemu-server src/PVE/API2/Qemu.pm:4487-4498).
   */
  linkedClone(baseVolid: string, node: string, vmid: number, option: string): string {
    const [storage, volname] = parseVolumeId(baseVolid);
    const spec = this.storages.get(storage);
    const base = this.volume(baseVolid, node);
    if (!spec || !base || !['zfspool', 'lvmthin', 'rbd'].includes(spec.type) || !volname.startsWith('base-')) {
      throw new Died(`Linked clone feature is not supported for '${baseVolid}' (${option})\n`);
    }
    let index = 0;
    while (this.volume(`${baseVolid}/vm-${vmid}-disk-${index}`, node) || this.volume(`${storage}:vm-${vmid}-disk-${index}`, node)) index++;
    const volid = `${baseVolid}/vm-${vmid}-disk-${index}`;
    this.volumes.set(volid + (spec.shared ? '' : `@${node}`), { volid, storage, node: spec.shared ? undefined : node, vmid, sizeBytes: base.sizeBytes, format: 'raw' });
    return volid;
  }

  private allocateVolume(storage: string, node: string, vmid: number, sizeBytes: number, kind: 'disk' | 'base' | 'cloudinit'): string {
    const spec = this.storages.get(storage);
    if (!spec) throw new Died(`storage '${storage}' does not exist\n`);
    if (!this.storageOnNode(storage, node)) throw new Died(`storage '${storage}' is not available on node '${node}'\n`);
    const file = FILE_TYPES.has(spec.type);
    const name = (base: string) => (file ? `${storage}:${vmid}/${base}.${kind === 'cloudinit' ? 'qcow2' : 'raw'}` : `${storage}:${base}`);
    let volid: string;
    if (kind === 'cloudinit') {
      volid = name(`vm-${vmid}-cloudinit`);
      if (this.volume(volid, node)) throw new Died(`volume '${volid}' already exists\n`);
    } else {
      let index = 0;
      while ([`vm-${vmid}-disk-${index}`, `base-${vmid}-disk-${index}`].some((base) => this.volume(name(base), node))) index++;
      volid = name(`${kind === 'base' ? 'base' : 'vm'}-${vmid}-disk-${index}`);
    }
    this.volumes.set(volid + (spec.shared ? '' : `@${node}`), { volid, storage, node: spec.shared ? undefined : node, vmid, sizeBytes, format: file && kind === 'cloudinit' ? 'qcow2' : 'raw' });
    return volid;
  }

  /** A volume as the node sees it: local storage holds a different volume of the same name on each node. */
  volume(volid: string, node: string): Volume | undefined {
    return this.volumes.get(volid) ?? this.volumes.get(`${volid}@${node}`);
  }

  free(volid: string, node: string): void {
    if (!this.volumes.delete(volid)) this.volumes.delete(`${volid}@${node}`);
  }

  usedBytes(storage: string, node: string): number {
    let used = 0;
    for (const volume of this.volumes.values()) if (volume.storage === storage && (volume.node === undefined || volume.node === node)) used += volume.sizeBytes;
    return used;
  }

  /**
   * pve-guest-common src/PVE/AbstractConfig.pm:50 load_config: a VM's config lives in its node's directory,
   * nodes/<node>/qemu-server/<vmid>.conf, and a request to another node does not find it.
   */
  loadConfig(vmid: number, node: string): Vm {
    const vm = this.vms.get(vmid);
    if (!vm || vm.node !== node) throw new Died(`Configuration file 'nodes/${node}/qemu-server/${vmid}.conf' does not exist\n`);
    return vm;
  }

  /** pve-guest-common src/PVE/AbstractConfig.pm:336 check_lock. */
  checkLock(vm: Vm): void {
    if (vm.config.lock) throw new Died(`VM is locked (${vm.config.lock})\n`);
  }

  /**
   * The config file as qemu-server writes it (src/PVE/QemuServer.pm write_vm_config): the description as
   * `#` comment lines, the options sorted, then a [PENDING] section with its `delete:` list.
   */
  configText(vm: Vm): string {
    const section = (config: Record<string, string>) => {
      const lines: string[] = [];
      if (config.description !== undefined) for (const line of config.description.split('\n')) lines.push(`#${encodeURI(line).replace(/%20/g, ' ')}`);
      for (const key of Object.keys(config).sort()) if (key !== 'description') lines.push(`${key}: ${config[key]}`);
      return lines;
    };
    const lines = section(vm.config);
    if (Object.keys(vm.pending).length > 0 || vm.pendingDelete.size > 0) {
      lines.push('', '[PENDING]', ...section(vm.pending));
      if (vm.pendingDelete.size > 0) lines.push(`delete: ${[...vm.pendingDelete].map(([key, force]) => (force ? `!${key}` : key)).join(',')}`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** The config's digest (qemu-server src/PVE/QemuServer.pm:1897 parse_vm_config: SHA1 of the raw file). */
  digest(vm: Vm): string {
    return createHash('sha1').update(this.configText(vm)).digest('hex');
  }

  /** pve-access-control src/PVE/AccessControl.pm:1941 add_vm_to_pool. */
  addToPool(vmid: number, pool: string): void {
    const spec = this.pools.get(pool);
    if (!spec) return;
    spec.vms.add(vmid);
    this.vmPool.set(vmid, pool);
  }

  /** pve-access-control src/PVE/AccessControl.pm:1894 remove_vm_access: a destroyed VM leaves its pool. */
  removeFromPool(vmid: number): void {
    const pool = this.vmPool.get(vmid);
    if (pool !== undefined) this.pools.get(pool)?.vms.delete(vmid);
    this.vmPool.delete(vmid);
  }

  /** The storages a VM's drives use (volumes only, not passthrough paths). */
  driveStorages(config: Record<string, string>): string[] {
    const storages = new Set<string>();
    for (const [key, value] of Object.entries(config)) {
      if (!/^(ide|scsi|virtio|sata)\d+$|^efidisk0$|^tpmstate0$/.test(key)) continue;
      const file = String(parseDrive(key, value).file);
      if (file === 'none' || file === 'cdrom' || file.startsWith('/')) continue;
      storages.add(parseVolumeId(file)[0]);
    }
    return [...storages];
  }
}
