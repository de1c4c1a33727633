/**
 * The VM methods (`/nodes/{node}/qemu/...`) as qemu-server 9.1.9 (commit 6bdc5547) implements them in
 * src/PVE/API2/Qemu.pm and src/PVE/QemuServer.pm; each rule cites its lines. What runs before
 * fork_worker fails the request itself (HTTP 500 with the die message); what runs in the worker fails the
 * task (its exit status).
 */
import { randomUUID } from 'crypto';
import { Died, ProxmoxError } from './access';
import {
  Cluster, isCdromDrive, isCloudinitDrive, parseDrive, parseNet, printDrive, printNet, randomMac, Vm,
} from './cluster';
import { isValidDriveName, parseVolumeId, validateSshPublicKeys } from './formats';
import { splitList, Value } from './json-schema';
import { expandedProperties, methodSchema } from './schema';
import type { Handler, RequestContext } from './api';

const NEW_DISK = /^(([^/:\s]+):)?(\d+(\.\d+)?)$/; // qemu-server src/PVE/QemuServer/Drive.pm:159 $NEW_DISK_RE
const GiB = 1024 ** 3;

const param = (ctx: RequestContext, name: string): string | undefined => (ctx.params[name] === undefined ? undefined : String(ctx.params[name]));
const flag = (ctx: RequestContext, name: string): boolean => ['1', 'true'].includes(String(ctx.params[name] ?? '0'));
const die = (message: string): never => { throw new Died(`${message}\n`); };
const paramError = (errors: Record<string, string>): never => { throw new ProxmoxError(400, 'Parameter verification failed.\n', errors); };

/** Every configurable option (qemu-server QemuServer.pm option_exists): the config method's parameters. */
function optionExists(option: string): boolean {
  const properties = expandedProperties(methodSchema('POST /nodes/{node}/qemu/{vmid}/config').parameters);
  return option in properties && !['node', 'vmid', 'delete', 'revert', 'digest', 'force', 'skiplock', 'background_delay', 'import-working-storage'].includes(option);
}

// qemu-server src/PVE/API2/Qemu.pm:763-836: which privilege an option needs.
const CPU_OPTIONS = new Set(['cores', 'cpu', 'runningcpu', 'cpulimit', 'cpuunits', 'numa', 'smp', 'sockets', 'vcpus']);
const MEMORY_OPTIONS = new Set(['memory', 'balloon', 'shares', 'allow-ksm']);
const HWTYPE_OPTIONS = new Set(['acpi', 'hotplug', 'kvm', 'machine', 'runningmachine', 'scsihw', 'smbios1', 'tablet', 'vga', 'watchdog', 'audio0', 'rng0']);
const GENERAL_OPTIONS = new Set(['agent', 'autostart', 'bios', 'description', 'keyboard', 'localtime', 'migrate_downtime', 'migrate_speed', 'name', 'onboot',
  'ostype', 'protection', 'reboot', 'startdate', 'startup', 'tdf', 'template']);
const DISK_OPTIONS = new Set(['boot', 'bootdisk', 'vmstatestorage']);
const CLOUDINIT_OPTIONS = new Set(['cicustom', 'cipassword', 'citype', 'ciuser', 'ciupgrade', 'nameserver', 'searchdomain', 'sshkeys']);

/** qemu-server src/PVE/API2/Qemu.pm:965 $check_vm_modify_config_perm. */
function checkModifyConfigPermission(ctx: RequestContext, vmid: number, options: readonly string[]): void {
  const { access } = ctx.sim;
  for (const option of options) {
    if (isValidDriveName(option) || option === 'cdrom' || /^(?:unused|serial|usb|hostpci|virtiofs)\d+$/.test(option) || option === 'tags') continue;
    if (CPU_OPTIONS.has(option) || /^numa\d+$/.test(option)) access.checkVm(ctx.user, vmid, undefined, ['VM.Config.CPU']);
    else if (MEMORY_OPTIONS.has(option)) access.checkVm(ctx.user, vmid, undefined, ['VM.Config.Memory']);
    else if (HWTYPE_OPTIONS.has(option)) access.checkVm(ctx.user, vmid, undefined, ['VM.Config.HWType']);
    else if (GENERAL_OPTIONS.has(option)) {
      access.checkVm(ctx.user, vmid, undefined, ['VM.Config.Options']);
      if (option === 'startup') access.check(ctx.user, '/', ['Sys.Modify']);
    } else if (option === 'freeze') access.checkVm(ctx.user, vmid, undefined, ['VM.PowerMgmt']);
    else if (DISK_OPTIONS.has(option)) access.checkVm(ctx.user, vmid, undefined, ['VM.Config.Disk']);
    else if (/^net\d+$/.test(option)) access.checkVm(ctx.user, vmid, undefined, ['VM.Config.Network']);
    else if (CLOUDINIT_OPTIONS.has(option) || /^ipconfig\d+$/.test(option)) access.checkVm(ctx.user, vmid, undefined, ['VM.Config.Cloudinit', 'VM.Config.Network'], true);
    else if (option === 'vmstate') access.checkVm(ctx.user, vmid, undefined, ['VM.Config.Disk', 'VM.PowerMgmt']);
    else if (ctx.user !== 'root@pam') die(`only root can set '${option}' config`);
  }
}

/** pve-guest-common src/PVE/GuestHelpers.pm:397 check_vnet_access, via qemu-server QemuServer.pm:6354 check_bridge_access. */
function checkBridgeAccess(ctx: RequestContext, config: Record<string, Value>): void {
  if (ctx.user === 'root@pam') return;
  for (const key of Object.keys(config).sort()) {
    if (!/^net\d+$/.test(key)) continue;
    const net = parseNet(String(config[key]));
    if (net.bridge === undefined) continue;
    const zone = `/sdn/zones/localnetwork/${net.bridge}`;
    if (net.tag) ctx.sim.access.check(ctx.user, `${zone}/${net.tag}`, ['SDN.Use']);
    if (net.trunks) for (const tag of String(net.trunks).split(';')) ctx.sim.access.check(ctx.user, `${zone}/${tag}`, ['SDN.Use']);
    if (!net.tag && !net.trunks) ctx.sim.access.check(ctx.user, zone, ['SDN.Use']);
  }
}

/** qemu-server src/PVE/API2/Qemu.pm:163 $check_storage_access (for the drives a config update names). */
function checkStorageAccess(ctx: RequestContext, vmid: number, settings: Record<string, Value>): void {
  const { access, cluster } = ctx.sim;
  for (const [key, value] of Object.entries(settings)) {
    if (!isValidDriveName(key)) continue;
    const drive = parseDrive(key, String(value));
    const file = String(drive.file);
    const volname = file.includes(':') ? file.slice(file.indexOf(':') + 1) : undefined;
    if (file === 'none' || file === 'cloudinit' || volname === 'cloudinit') continue;
    if (isCdromDrive(drive) && file === 'cdrom') { access.check(ctx.user, '/', ['Sys.Console']); continue; }
    const created = NEW_DISK.exec(file);
    if (!isCdromDrive(drive) && created) {
      const storage = created[2];
      if (!storage) die('no storage ID specified (and no default storage)');
      access.check(ctx.user, `/storage/${storage}`, ['Datastore.AllocateSpace']);
      if (!cluster.storages.get(storage)?.content.has('images')) paramError({ storage: `storage '${storage}' does not support vm images` });
      continue;
    }
    checkVolumeAccess(ctx, vmid, file);
  }
}

/** pve-storage src/PVE/Storage.pm:619 check_volume_access (for images: the owner VM, or audit and disk rights). */
export function checkVolumeAccess(ctx: RequestContext, vmid: number | undefined, volid: string): void {
  const { access } = ctx.sim;
  if (volid.startsWith('/')) {
    if (ctx.user !== 'root@pam') die('Only root can pass arbitrary filesystem paths.');
    return;
  }
  const [storage] = parseVolumeId(volid);
  if (access.has(ctx.user, `/storage/${storage}`, ['Datastore.Allocate'])) return;
  const owner = /(?:vm|base)-(\d+)-/.exec(volid)?.[1];
  if (owner !== undefined && vmid !== undefined && Number(owner) === vmid) return;
  if (owner !== undefined) {
    access.check(ctx.user, `/storage/${storage}`, ['Datastore.Audit']);
    access.check(ctx.user, `/vms/${owner}`, ['VM.Config.Disk']);
  } else die(`missing privileges to access ${volid}`);
}

/** qemu-server src/PVE/QemuServer.pm:1133 parse_hotplug_features; the default is network,disk,usb (:259). */
function hotplugFeatures(vm: Vm): Set<string> {
  const value = vm.config.hotplug ?? '1';
  if (value === '0') return new Set();
  return new Set(splitList(value === '1' ? 'network,disk,usb' : value));
}

/** qemu-server src/PVE/QemuServer.pm:4548 $fast_plug_option, with every cloud-init option (:4563). */
function isFastPlug(option: string): boolean {
  return ['description', 'hookscript', 'lock', 'migrate_downtime', 'migrate_speed', 'name', 'onboot', 'protection', 'shares', 'startup', 'tags',
    'vmstatestorage'].includes(option) || CLOUDINIT_OPTIONS.has(option) || /^ipconfig\d+$/.test(option);
}

/**
 * qemu-server QemuServer.pm vmconfig_register_unused_drive (:1552): a replaced or removed disk the VM owns
 * becomes unused<n>; a cloud-init drive is freed.
 */
function registerUnusedDrive(cluster: Cluster, vm: Vm, option: string, value: string): void {
  const drive = parseDrive(option, value);
  if (isCloudinitDrive(drive)) { cluster.free(String(drive.file), vm.node); return; }
  if (isCdromDrive(drive)) return;
  const file = String(drive.file);
  if (!new RegExp(`(vm|base)-${vm.vmid}-`).test(file)) return;
  if (Object.entries(vm.config).some(([key, other]) => /^unused\d+$/.test(key) && String(parseDrive(key, other).file) === file)) return;
  let index = 0;
  while (vm.config[`unused${index}`] !== undefined) index++;
  vm.config[`unused${index}`] = file;
}

/**
 * qemu-server src/PVE/QemuServer.pm:4939 vmconfig_apply_pending (cold plug): pending deletions, then pending
 * values; a replaced drive's old volume becomes unused.
 */
export function applyPending(cluster: Cluster, vm: Vm): void {
  for (const option of [...vm.pendingDelete.keys()].sort()) {
    const value = vm.config[option];
    if (value !== undefined && isValidDriveName(option)) {
      if (vm.pendingDelete.get(option)) cluster.free(String(parseDrive(option, value).file), vm.node);
      else registerUnusedDrive(cluster, vm, option, value);
    }
    delete vm.config[option];
    vm.pendingDelete.delete(option);
  }
  for (const [option, value] of Object.entries(vm.pending)) {
    if (vm.config[option] !== undefined && isValidDriveName(option) && vm.config[option] !== value) {
      const oldFile = String(parseDrive(option, vm.config[option]).file);
      if (oldFile !== String(parseDrive(option, value).file)) registerUnusedDrive(cluster, vm, option, vm.config[option]);
    }
    vm.config[option] = value;
    delete vm.pending[option];
  }
}

/**
 * qemu-server src/PVE/QemuServer.pm:4571 vmconfig_hotplug_pending, for a running VM: fast-plug options
 * apply at once; network and disk changes apply when those hotplug features are on; memory and vcpus need
 * the memory and cpu features; cpuunits, cpulimit and a balloon target apply live; the agent's
 * fstrim_cloned_disks and freeze-fs apply live (vmconfig_update_agent); everything else (cores, sockets, cpu,
 * smbios1, machine, bios, ...) stays pending until the next start.
 */
function hotplugPending(cluster: Cluster, vm: Vm): void {
  const features = hotplugFeatures(vm);
  const apply = (option: string) => { vm.config[option] = vm.pending[option]; delete vm.pending[option]; };
  for (const option of Object.keys(vm.pending)) if (isFastPlug(option)) apply(option);
  for (const option of [...vm.pendingDelete.keys()].sort()) {
    let live = false;
    if (isFastPlug(option) || option === 'cpuunits' || option === 'cpulimit' || option === 'balloon') live = true;
    else if (/^net\d+$/.test(option)) live = features.has('network');
    else if (isValidDriveName(option)) live = features.has('disk') && !/^(efidisk|ide|sata|tpmstate)\d+$/.test(option);
    else if (option === 'memory') live = features.has('memory');
    else if (option === 'vcpus') live = features.has('cpu');
    if (!live) continue;
    const value = vm.config[option];
    if (value !== undefined && isValidDriveName(option)) {
      if (vm.pendingDelete.get(option)) cluster.free(String(parseDrive(option, value).file), vm.node);
      else registerUnusedDrive(cluster, vm, option, value);
    }
    delete vm.config[option];
    vm.pendingDelete.delete(option);
  }
  for (const option of Object.keys(vm.pending)) {
    const value = vm.pending[option];
    let live = false;
    if (/^net\d+$/.test(option)) live = features.has('network') || onlyLiveNetChanges(vm.config[option], value);
    else if (isValidDriveName(option)) live = option !== 'efidisk0' && option !== 'tpmstate0' && (features.has('disk') || isCloudinitDrive(parseDrive(option, value)));
    else if (option === 'memory') live = features.has('memory');
    else if (option === 'vcpus') live = features.has('cpu');
    else if (option === 'cpuunits' || option === 'cpulimit') live = true;
    else if (option === 'balloon') live = (vm.config.balloon === undefined || vm.config.balloon !== '0') === (value !== '0');
    else if (option === 'agent') live = sameAgentIdentity(vm.config.agent, value);
    if (!live) continue;
    if (vm.config[option] !== undefined && isValidDriveName(option) && String(parseDrive(option, vm.config[option]).file) !== String(parseDrive(option, value).file)) {
      registerUnusedDrive(cluster, vm, option, vm.config[option]);
    }
    apply(option);
  }
}

/**
 * qemu-server src/PVE/QemuServer.pm:5062 vmconfig_update_net (:5070-5076): without network hotplug, a NIC's
 * bridge, tag, rate, link_down, firewall and trunks still change live; its model, MAC, queues or MTU do not.
 */
function onlyLiveNetChanges(oldValue: string | undefined, newValue: string): boolean {
  if (oldValue === undefined) return false;
  const before = parseNet(oldValue);
  const after = parseNet(newValue);
  return ['model', 'macaddr', 'queues', 'mtu'].every((key) => String(before[key] ?? '') === String(after[key] ?? '')) && Boolean(before.bridge && after.bridge);
}

/** qemu-server src/PVE/QemuServer.pm:5161 vmconfig_update_agent: enabling the agent or its type needs a restart. */
function sameAgentIdentity(oldValue: string | undefined, newValue: string): boolean {
  const parse = (value: string | undefined) => {
    const parts = Object.fromEntries((value ?? '').split(',').filter(Boolean).map((part) => (part.includes('=') ? part.split('=') : ['enabled', part])));
    return `${parts.enabled ?? '0'}/${parts.type ?? 'virtio'}`;
  };
  return parse(oldValue) === parse(newValue);
}

/**
 * qemu-server src/PVE/API2/Qemu.pm:426 create_disks for one drive: `<storage>:cloudinit` allocates the
 * cloud-init drive (:456-489; one per VM), `<storage>:<GiB>` a new volume (:490-657); an existing volume is
 * taken with its real size (:658-691).
 */
function createDisk(ctx: RequestContext, vm: Vm, option: string, value: string, log?: { print(line: string): void }): string {
  const { cluster } = ctx.sim;
  const drive = parseDrive(option, value);
  const file = String(drive.file);
  const attachedCloudinit = () => [vm.config, vm.pending].flatMap((section) => Object.entries(section))
    .find(([key, other]) => key !== option && isValidDriveName(key) && isCloudinitDrive(parseDrive(key, other)))?.[0];
  const cloudinit = /^([^/:\s]+):cloudinit$/.exec(file);
  if (cloudinit) {
    const attached = attachedCloudinit();
    if (attached) die(`${option} - cloud-init drive is already attached at '${attached}'`);
    drive.file = cluster.allocate(cloudinit[1], vm.node, vm.vmid, 4 * 1024 ** 2, 'cloudinit');
    drive.media = 'cdrom';
    delete drive.size;
  } else if (NEW_DISK.exec(file) && !isCdromDrive(drive)) {
    const created = NEW_DISK.exec(file)!;
    if (!created[2]) die('no storage ID specified (and no default storage)');
    const size = Math.trunc(Number(created[3]) * GiB);
    drive.file = cluster.allocate(created[2], vm.node, vm.vmid, size, 'disk');
    drive.size = size;
    delete drive.format;
    delete drive['import-from'];
  } else if (file !== 'none' && file !== 'cdrom' && !file.startsWith('/')) {
    if (isCloudinitDrive(drive)) {
      const attached = attachedCloudinit();
      if (attached) die(`${option} - cloud-init drive is already attached at '${attached}'`);
    }
    const volume = cluster.volume(file, vm.node);
    if (!volume) die(`volume ${file} does not exist`);
    drive.size = volume!.sizeBytes;
    return printDrive(option, drive);
  } else {
    return printDrive(option, drive);
  }
  const printed = printDrive(option, drive);
  log?.print(`${option}: successfully created disk '${printed}'`);
  return printed;
}

/** qemu-server src/PVE/API2/Qemu.pm:2024 $update_vm_api. */
function updateVm(ctx: RequestContext, sync: boolean): unknown {
  const { cluster, tasks } = ctx.sim;
  const vmid = Number(ctx.params.vmid);
  const node = String(ctx.params.node);
  const settings: Record<string, Value> = { ...ctx.params };
  for (const key of ['node', 'vmid', 'digest', 'background_delay', 'skip_cloud_init', 'import-working-storage', 'skiplock', 'delete', 'revert', 'force']) delete settings[key];
  if (flag(ctx, 'skiplock') && ctx.user !== 'root@pam') paramError({ skiplock: 'Only root may use this option.' });
  if (settings.sshkeys !== undefined) {
    // :2058-2062 the keys arrive URL-encoded and are checked with ssh-keygen.
    try { validateSshPublicKeys(decodeURIComponent(String(settings.sshkeys))); } catch (error) { die((error as Error).message.trimEnd()); }
  }
  const deleteText = param(ctx, 'delete');
  const revertText = param(ctx, 'revert');
  if (!deleteText && !revertText && Object.keys(settings).length === 0) die('no options specified');
  const revert = new Set<string>();
  for (const option of splitList(revertText ?? '')) {
    if (!optionExists(option)) paramError({ revert: `unknown option '${option}'` });
    if (settings[option] !== undefined) paramError({ delete: `you can't use '-${option}' and -revert ${option}' at the same time` });
    revert.add(option);
  }
  const deletions: string[] = [];
  for (let option of splitList(deleteText ?? '')) {
    if (option === 'cdrom') option = 'ide2';
    if (settings[option] !== undefined) paramError({ delete: `you can't use '-${option}' and -delete ${option}' at the same time` });
    if (revert.has(option)) paramError({ revert: `you can't use '-delete ${option}' and -revert ${option}' at the same time` });
    if (!optionExists(option)) paramError({ delete: `unknown option '${option}'` });
    deletions.push(option);
  }
  for (const key of Object.keys(settings)) {
    // :2137-2150 a NIC without a MAC gets one; vmgenid 1 means a new one.
    if (/^net\d+$/.test(key)) {
      const net = parseNet(String(settings[key]));
      if (net.macaddr === undefined) net.macaddr = randomMac();
      settings[key] = printNet(net);
    } else if (key === 'vmgenid' && String(settings[key]) === '1') settings[key] = randomUUID();
  }
  checkModifyConfigPermission(ctx, vmid, deletions);
  checkModifyConfigPermission(ctx, vmid, Object.keys(settings));
  checkStorageAccess(ctx, vmid, settings);
  checkBridgeAccess(ctx, settings);

  // :2163 $updatefn, under the config lock.
  const vm = cluster.loadConfig(vmid, node);
  const digest = param(ctx, 'digest');
  if (digest && digest !== cluster.digest(vm)) die('checksum mismatch (file change by other user?)');
  if (!flag(ctx, 'skiplock')) cluster.checkLock(vm);
  for (const option of revert) {
    if (vm.config[option] !== undefined) settings[option] = vm.config[option];
    else if (vm.pending[option] !== undefined) deletions.push(option);
  }
  if (settings.memory !== undefined || settings.balloon !== undefined) {
    const memory = String(settings.memory ?? vm.pending.memory ?? vm.config.memory ?? '512');
    const maxMemory = Number(/(?:current=)?(\d+)/.exec(memory)?.[1] ?? 512);
    const balloon = Number(settings.balloon ?? vm.pending.balloon ?? vm.config.balloon ?? 0);
    if (balloon && balloon > maxMemory) die('balloon value too large (must be smaller than assigned memory)');
  }
  const worker = (log?: { print(line: string): void }) => {
    log?.print(`update VM ${vmid}: ${Object.keys(settings).sort().map((key) => `-${key} ${key === 'cipassword' ? '<hidden>' : settings[key]}`).join(' ')}`);
    // :2241-2343 deletions become pending deletions (unused disks and tags go at once).
    for (const option of deletions) {
      const value = vm.config[option] ?? vm.pending[option];
      if (value === undefined) { log?.print(`cannot delete '${option}' - not set in current configuration!`); continue; }
      const wasPending = vm.pending[option] !== undefined;
      delete vm.pending[option];
      if (/^unused\d+$/.test(option)) {
        ctx.sim.access.checkVm(ctx.user, vmid, undefined, ['VM.Config.Disk']);
        cluster.free(String(parseDrive(option, value).file), vm.node);
        delete vm.config[option];
      } else if (option === 'tags') {
        ctx.sim.access.checkVm(ctx.user, vmid, undefined, ['VM.Config.Options']);
        delete vm.config[option];
      } else {
        if (isValidDriveName(option)) {
          checkDrivePermission(ctx, vmid, option, value);
          if (wasPending) registerUnusedDrive(cluster, vm, option, value);
        }
        vm.pendingDelete.set(option, flag(ctx, 'force'));
      }
    }
    // :2345-2515 new values are written to the pending section (drives allocated first, tags normalised).
    for (const option of Object.keys(settings).sort()) {
      let value = String(settings[option]);
      if (vm.pending[option] !== undefined && vm.pending[option] === value) continue;
      if (isValidDriveName(option)) {
        if (vm.config[option] !== undefined) checkDrivePermission(ctx, vmid, option, vm.config[option]);
        checkDrivePermission(ctx, vmid, option, value);
        if (vm.pending[option] !== undefined) registerUnusedDrive(cluster, vm, option, vm.pending[option]);
        value = createDisk(ctx, vm, option, value, log);
      } else if (/^serial\d+$/.test(option)) {
        if ((vm.config[option] === undefined || vm.config[option] === 'socket') && value === 'socket') ctx.sim.access.checkVm(ctx.user, vmid, undefined, ['VM.Config.HWType']);
        else if (ctx.user !== 'root@pam') throw new Error(`only root can modify '${option}' config for real devices\n`);
      } else if (option === 'tags') {
        // pve-guest-common src/PVE/GuestHelpers.pm:314 assert_tag_permissions (user-tag-access 'free', the
        // datacenter default) and :349 get_unique_tags: lower-cased, sorted, unique, joined with ';'.
        ctx.sim.access.checkVm(ctx.user, vmid, undefined, ['VM.Config.Options']);
        value = [...new Set(splitList(value).map((tag) => tag.toLowerCase()))].sort().join(';');
      } else if (/^net\d+$/.test(option) && vm.config[option] !== undefined) {
        checkBridgeAccess(ctx, { [option]: vm.config[option] });
      } else if (option === 'cipassword') {
        vm.config.cipassword = value;
        continue;
      }
      vm.pending[option] = value;
      vm.pendingDelete.delete(option);
    }
    // pve-guest-common src/PVE/AbstractConfig.pm:138 cleanup_pending.
    for (const [option, value] of Object.entries(vm.pending)) if (vm.config[option] === value) delete vm.pending[option];
    for (const option of [...vm.pendingDelete.keys()]) if (vm.config[option] === undefined) vm.pendingDelete.delete(option);
    if (Object.keys(vm.pending).length === 0 && vm.pendingDelete.size === 0) return;
    // :2525-2538 a running VM hot-plugs what it can; a stopped one takes everything now.
    if (vm.running) hotplugPending(cluster, vm);
    else applyPending(cluster, vm);
  };
  if (sync) { worker(); return null; }
  return tasks.start(node, 'qmconfig', String(vmid), ctx.user, (log) => worker(log)).upid;
}

/** qemu-server src/PVE/API2/Qemu.pm:2223 $check_drive_perms. */
function checkDrivePermission(ctx: RequestContext, vmid: number, option: string, value: string): void {
  const drive = parseDrive(option, value);
  if (isCloudinitDrive(drive)) ctx.sim.access.checkVm(ctx.user, vmid, undefined, ['VM.Config.Cloudinit', 'VM.Config.CDROM']);
  else if (isCdromDrive(drive, true)) ctx.sim.access.checkVm(ctx.user, vmid, undefined, ['VM.Config.CDROM']);
  else ctx.sim.access.checkVm(ctx.user, vmid, undefined, ['VM.Config.Disk']);
}

/** The cloud-init data the drive gets (qemu-server src/PVE/QemuServer/Cloudinit.pm:683 generate_cloudinit_config). */
function writeCloudinit(vm: Vm): void {
  const applied: Record<string, string> = { hostname: vm.config.name ?? `VM${vm.vmid}` };
  for (const [key, value] of Object.entries(vm.config)) if (CLOUDINIT_OPTIONS.has(key) || /^ipconfig\d+$/.test(key)) applied[key] = value;
  vm.cloudinitApplied = applied;
}

/** A VM's start: pending changes are applied first (QemuServer.pm:5554), then cloud-init is written (:5562). */
function startVm(cluster: Cluster, vm: Vm): void {
  applyPending(cluster, vm);
  if (Object.entries(vm.config).some(([key, value]) => isValidDriveName(key) && isCloudinitDrive(parseDrive(key, value)))) writeCloudinit(vm);
  vm.running = true;
  vm.startedAt = Date.now();
}

/** vm_stop_cleanup applies pending changes when the QEMU process ends (QemuServer.pm:6179, called at :6235 and :6266). */
function stopVm(cluster: Cluster, vm: Vm): void {
  vm.running = false;
  vm.startedAt = undefined;
  applyPending(cluster, vm);
}

const requireVm = (ctx: RequestContext) => ctx.sim.cluster.loadConfig(Number(ctx.params.vmid), String(ctx.params.node));

/** qemu-server src/PVE/API2/Qemu.pm:4280 clone_vm. */
const clone: Handler = (ctx) => {
  const { cluster, access, tasks } = ctx.sim;
  const node = String(ctx.params.node);
  const vmid = Number(ctx.params.vmid);
  const newid = Number(ctx.params.newid);
  const pool = param(ctx, 'pool');
  const storage = param(ctx, 'storage');
  let target = param(ctx, 'target');
  if (target === node || target === 'localhost') target = undefined;
  const loadAndCheck = () => {
    // :4398-4416 pool, target node and storage checks.
    if (pool !== undefined && !cluster.pools.has(pool)) throw new ProxmoxError(403, `Permission check failed (pool '${pool}' does not exist)\n`);
    if (target !== undefined && !cluster.nodes.includes(target)) die(`no such cluster node '${target}'`);
    if (storage !== undefined) {
      if (!cluster.storages.has(storage)) die(`storage '${storage}' does not exist`);
      if (!cluster.storageOnNode(storage, node)) die(`storage '${storage}' is not available on node '${node}'`);
      if (!cluster.storages.get(storage)!.content.has('images')) paramError({ storage: `storage '${storage}' does not support vm images` });
      if (target !== undefined && !cluster.storages.get(storage)!.shared) die(`can't clone to non-shared storage '${storage}'`);
    }
    // :4420 the source config is read on the node the request names.
    const source = cluster.loadConfig(vmid, node);
    cluster.checkLock(source);
    const full = ctx.params.full !== undefined ? flag(ctx, 'full') : source.config.template !== '1';
    if (storage !== undefined && !full) die("parameter 'storage' not allowed for linked clones");
    if (param(ctx, 'format') !== undefined && !full) die("parameter 'format' not allowed for linked clones");
    // :261 $check_storage_access_clone: Datastore.AllocateSpace on every storage a disk is cloned to (:293).
    let shared = true;
    for (const [key, value] of Object.entries(source.config)) {
      if (!isValidDriveName(key)) continue;
      const drive = parseDrive(key, value);
      const file = String(drive.file);
      if (file === 'none') continue;
      if (isCdromDrive(drive)) {
        if (file === 'cdrom') access.check(ctx.user, '/', ['Sys.Console']);
        else if (!cluster.storages.get(parseVolumeId(file)[0])?.shared) shared = false;
        continue;
      }
      const [sid] = parseVolumeId(file);
      if (!cluster.storages.get(sid)?.shared) shared = false;
      access.check(ctx.user, `/storage/${storage ?? sid}`, ['Datastore.AllocateSpace']);
    }
    checkBridgeAccess(ctx, source.config);
    if (target !== undefined && !shared) die(`can't clone VM to node '${target}' (VM uses local storage)`);
    // :4448-4450 the new VMID must not have a config on this node.
    if (cluster.vms.get(newid)?.node === node) die(`unable to create VM ${newid}: config file already exists`);
    return { source, full };
  };
  loadAndCheck(); // :4696 early checks before forking
  let checked: ReturnType<typeof loadAndCheck>;
  let placeholder: Vm | undefined;
  const created: string[] = [];
  return tasks.start(node, 'qmclone', String(vmid), ctx.user, (log) => {
    const { source, full } = checked;
    const config: Record<string, string> = {};
    try {
      for (const option of Object.keys(source.config).sort()) {
        const value = source.config[option];
        // :4460-4473 snapshot state and unused disks are not copied.
        if (['snapshots', 'parent', 'snaptime', 'vmstate', 'snapstate', 'runningcpu', 'runningmachine', 'running-nets-host-mtu', 'lock'].includes(option)) continue;
        if (/^unused\d+$/.test(option)) continue;
        if (/^net\d+$/.test(option)) {
          // :4477-4481 a clone always gets a new MAC address.
          const net = parseNet(value);
          net.macaddr = randomMac();
          config[option] = printNet(net);
        } else if (isValidDriveName(option)) {
          const drive = parseDrive(option, value);
          if (isCdromDrive(drive, true)) { config[option] = value; continue; }
          const sourceVolume = cluster.volume(String(drive.file), node);
          const sid = storage ?? parseVolumeId(String(drive.file))[0];
          const cloudinit = isCloudinitDrive(drive);
          drive.file = !full && !cloudinit
            ? cluster.linkedClone(String(drive.file), node, newid, option)
            : cluster.allocate(sid, node, newid, sourceVolume?.sizeBytes ?? Number(drive.size ?? GiB), cloudinit ? 'cloudinit' : 'disk');
          created.push(String(drive.file));
          config[option] = printDrive(option, drive);
        } else config[option] = value;
      }
    } catch (error) {
      // :4661-4676 a failed clone frees its new volumes and removes the temporary config.
      for (const volid of created) cluster.free(volid, node);
      if (cluster.vms.get(newid) === placeholder) cluster.vms.delete(newid);
      throw new Died(`clone failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    // :4539-4556 a new SMBIOS UUID (and vmgenid when the template had one), the template flag dropped, the name.
    const smbios = Object.fromEntries((config.smbios1 ?? '').split(',').filter(Boolean).map((part) => part.split('=')));
    smbios.uuid = randomUUID();
    config.smbios1 = Object.entries(smbios).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `${key}=${value}`).join(',');
    if (config.vmgenid) config.vmgenid = randomUUID();
    delete config.template;
    config.name = param(ctx, 'name') ?? `Copy-of-VM-${source.config.name ?? vmid}`;
    if (param(ctx, 'description')) config.description = param(ctx, 'description')!;
    const vm = placeholder!;
    vm.config = config;
    vm.agent = source.agent;
    vm.agentDelayMs = source.agentDelayMs;
    vm.ignoresShutdown = source.ignoresShutdown;
    // :4643-4657 with a target node, the config moves there.
    if (target !== undefined) {
      for (const volid of created) {
        const volume = cluster.volume(volid, node);
        if (volume?.node !== undefined) volume.node = target;
      }
      vm.node = target;
    }
    // :4659 the clone joins the pool.
    if (pool !== undefined) cluster.addToPool(newid, pool);
    log.print(`clone of VM ${vmid} to ${newid} finished`);
  }, (log) => {
    checked = loadAndCheck();
    log.print(`creating a clone of VM ${vmid} with ID ${newid}`);
    // :4562 the temporary config, locked, exists while the disks are copied. pmxcfs refuses a VMID that
    // exists on another node (pve-cluster src/pmxcfs/memdb.c:721 vmlist_different_vm_exists: EEXIST), which
    // PVE::File::file_set_contents (pve-common src/PVE/File.pm:97) reports as a failed rename.
    if (cluster.vms.has(newid)) die(`close (rename) atomic file '/etc/pve/nodes/${node}/qemu-server/${newid}.conf' failed: File exists`);
    placeholder = {
      vmid: newid, node, config: { lock: 'clone' }, pending: {}, pendingDelete: new Map(), running: false,
      agent: 'ready', agentDelayMs: 0, ignoresShutdown: false,
    };
    cluster.vms.set(newid, placeholder);
  }).upid;
};

/** qemu-server src/PVE/API2/Qemu.pm:5855 resize_vm: grow-only, in a worker. */
const resize: Handler = (ctx) => {
  const { cluster, access, tasks } = ctx.sim;
  if (flag(ctx, 'skiplock') && ctx.user !== 'root@pam') paramError({ skiplock: 'Only root may use this option.' });
  const node = String(ctx.params.node);
  const vmid = Number(ctx.params.vmid);
  const disk = String(ctx.params.disk);
  const sizeText = String(ctx.params.size);
  return tasks.start(node, 'resize', String(vmid), ctx.user, (log) => {
    const vm = cluster.loadConfig(vmid, node);
    const digest = param(ctx, 'digest');
    if (digest && digest !== cluster.digest(vm)) die('checksum mismatch (file change by other user?)');
    if (!flag(ctx, 'skiplock')) cluster.checkLock(vm);
    if (!vm.config[disk]) die(`disk '${disk}' does not exist`);
    const drive = parseDrive(disk, vm.config[disk]);
    if (!drive.file) die(`disk '${disk}' has no associated volume`);
    if (isCdromDrive(drive)) die("you can't resize a cdrom");
    const file = String(drive.file);
    access.check(ctx.user, `/storage/${parseVolumeId(file)[0]}`, ['Datastore.AllocateSpace']);
    const volume = cluster.volume(file, vm.node);
    if (!volume) die(`Could not determine current size of volume '${file}'`);
    const match = /^(\+)?(\d+(\.\d+)?)([KMGT])?$/.exec(sizeText);
    if (!match) die('internal error');
    let size = Number(match![2]) * 1024 ** (match![4] ? 'KMGT'.indexOf(match![4]) + 1 : 0);
    if (match![1]) size += volume!.sizeBytes;
    size = Math.trunc(size);
    if (size < volume!.sizeBytes) die('shrinking disks is not supported');
    if (size === volume!.sizeBytes) return;
    log.print(`update VM ${vmid}: resize --disk ${disk} --size ${sizeText}`);
    volume!.sizeBytes = size;
    drive.size = size;
    vm.config[disk] = printDrive(disk, drive);
  }).upid;
};

/** qemu-server src/PVE/API2/Qemu.pm:3440 vm_start and src/PVE/QemuServer.pm:5461 vm_start. */
const start: Handler = (ctx) => {
  const { cluster, tasks } = ctx.sim;
  for (const name of ['stateuri', 'skiplock', 'migratedfrom', 'migration_type', 'migration_network', 'targetstorage', 'force-cpu', 'with-conntrack-state', 'nets-host-mtu']) {
    if (ctx.params[name] !== undefined && String(ctx.params[name]) !== '0' && ctx.user !== 'root@pam') paramError({ [name]: 'Only root may use this option.' });
  }
  const node = String(ctx.params.node);
  const vmid = Number(ctx.params.vmid);
  return tasks.start(node, 'qmstart', String(vmid), ctx.user, () => {
    const vm = cluster.loadConfig(vmid, node);
    if (vm.config.template === '1') die("you can't start a vm if it's a template");
    if (!flag(ctx, 'skiplock')) cluster.checkLock(vm);
    if (vm.running) die(`VM ${vmid} already running`);
    startVm(cluster, vm);
  }).upid;
};

/** qemu-server src/PVE/API2/Qemu.pm:3637 vm_stop; stopping a stopped VM succeeds (QemuServer.pm:6192). */
const stop: Handler = (ctx) => {
  const { cluster, tasks } = ctx.sim;
  const node = String(ctx.params.node);
  const vmid = Number(ctx.params.vmid);
  return tasks.start(node, 'qmstop', String(vmid), ctx.user, () => {
    const vm = cluster.loadConfig(vmid, node);
    if (!flag(ctx, 'skiplock')) cluster.checkLock(vm);
    if (vm.running) stopVm(cluster, vm);
  }).upid;
};

/**
 * qemu-server src/PVE/API2/Qemu.pm:3812 vm_shutdown and QemuServer.pm:6188 _do_vm_stop: a guest that ignores
 * the request times out ("VM quit/powerdown failed - got timeout") unless forceStop stops it.
 */
const shutdown: Handler = (ctx) => {
  const { cluster, tasks } = ctx.sim;
  const node = String(ctx.params.node);
  const vmid = Number(ctx.params.vmid);
  return tasks.start(node, 'qmshutdown', String(vmid), ctx.user, () => {
    const vm = cluster.loadConfig(vmid, node);
    if (!flag(ctx, 'skiplock')) cluster.checkLock(vm);
    if (!vm.running) return;
    if (vm.ignoresShutdown && !flag(ctx, 'forceStop')) die('VM quit/powerdown failed - got timeout');
    stopVm(cluster, vm);
  }).upid;
};

/** qemu-server src/PVE/API2/Qemu.pm:3928 vm_reboot: a running VM is stopped and started, applying pending changes. */
const reboot: Handler = (ctx) => {
  const { cluster, tasks } = ctx.sim;
  const vm = requireVm(ctx);
  if (!vm.running) die(`VM ${vm.vmid} not running`);
  return tasks.start(vm.node, 'qmreboot', String(vm.vmid), ctx.user, () => {
    if (vm.ignoresShutdown) die('VM quit/powerdown failed - got timeout');
    stopVm(cluster, vm);
    startVm(cluster, vm);
  }).upid;
};

/** qemu-server src/PVE/API2/Qemu.pm:3759 vm_reset. */
const reset: Handler = (ctx) => {
  const vm = requireVm(ctx);
  if (!vm.running) die(`VM ${vm.vmid} not running`);
  return ctx.sim.tasks.start(vm.node, 'qmreset', String(vm.vmid), ctx.user, () => undefined).upid;
};

/** qemu-server src/PVE/API2/Qemu.pm:2722 destroy_vm: protection (:2775) and a running VM (:2788) refuse it. */
const destroy: Handler = (ctx) => {
  const { cluster, tasks } = ctx.sim;
  if (flag(ctx, 'skiplock') && ctx.user !== 'root@pam') paramError({ skiplock: 'Only root may use this option.' });
  const earlyChecks = () => {
    const vm = requireVm(ctx);
    if (vm.config.protection === '1') die(`can't remove VM ${vm.vmid} - protection mode enabled`);
    if (vm.running) die(`VM ${vm.vmid} is running - destroy failed`);
    return vm;
  };
  const vm = earlyChecks();
  return tasks.start(vm.node, 'qmdestroy', String(vm.vmid), ctx.user, (log) => {
    earlyChecks();
    if (!flag(ctx, 'skiplock')) cluster.checkLock(vm);
    // QemuServer.pm destroy_vm: every volume the config references (and, with destroy-unreferenced-disks,
    // every volume of the VMID on the storages) is freed.
    for (const [key, value] of Object.entries(vm.config)) {
      if (!isValidDriveName(key) && !/^unused\d+$/.test(key)) continue;
      const drive = parseDrive(key, value);
      if (isCdromDrive(drive, true)) continue;
      if (new RegExp(`(vm|base)-${vm.vmid}-`).test(String(drive.file))) cluster.free(String(drive.file), vm.node);
    }
    if (flag(ctx, 'destroy-unreferenced-disks')) {
      for (const [key, volume] of [...cluster.volumes]) if (volume.vmid === vm.vmid && (volume.node === undefined || volume.node === vm.node)) cluster.volumes.delete(key);
    }
    cluster.removeFromPool(vm.vmid);
    if (flag(ctx, 'purge')) log.print(`purging VM ${vm.vmid} from related configurations..`);
    cluster.vms.delete(vm.vmid);
  }).upid;
};

/** qemu-server src/PVE/API2/Qemu.pm:5427 migrate_vm: not to itself (:5513), to a cluster node (:5517), online when running (:5541). */
const migrate: Handler = (ctx) => {
  const { cluster, tasks } = ctx.sim;
  const vm = requireVm(ctx);
  const target = String(ctx.params.target);
  if (target === vm.node) paramError({ target: 'target is local node.' });
  if (!cluster.nodes.includes(target)) die(`no such cluster node '${target}'`);
  cluster.checkLock(vm);
  if (vm.running && !flag(ctx, 'online')) die(`can't migrate running VM without --online`);
  const targetStorage = param(ctx, 'targetstorage');
  const local = cluster.driveStorages(vm.config).filter((storage) => !cluster.storages.get(storage)?.shared);
  if (local.length > 0 && !flag(ctx, 'with-local-disks') && vm.running) die(`can't migrate VM which uses local devices`);
  return tasks.start(vm.node, 'qmigrate', String(vm.vmid), ctx.user, (log) => {
    for (const storage of local) {
      const to = targetStorage ?? storage;
      if (!cluster.storageOnNode(to, target)) die(`migration aborted: storage '${to}' is not available on node '${target}'`);
    }
    for (const volume of cluster.volumes.values()) if (volume.vmid === vm.vmid && volume.node === vm.node) volume.node = target;
    for (const [key, volume] of [...cluster.volumes]) {
      if (volume.vmid === vm.vmid && key.endsWith(`@${vm.node}`)) { cluster.volumes.delete(key); cluster.volumes.set(`${volume.volid}@${target}`, volume); }
    }
    log.print(`migration finished successfully (duration 00:00:01)`);
    vm.node = target;
  }).upid;
};

/** qemu-server src/PVE/API2/Qemu.pm:4703 move_vm_disk (to another storage of the same VM). */
const moveDisk: Handler = (ctx) => {
  const { cluster, access, tasks } = ctx.sim;
  const node = String(ctx.params.node);
  const vmid = Number(ctx.params.vmid);
  const disk = String(ctx.params.disk);
  const storage = param(ctx, 'storage');
  if (ctx.params['target-vmid'] !== undefined || ctx.params['target-disk'] !== undefined) throw new Error('moving a disk to another VM is not modelled by the simulator');
  if (storage === undefined) paramError({ storage: 'parameter is missing' });
  // :5137 the target storage's space.
  access.check(ctx.user, `/storage/${storage}`, ['Datastore.AllocateSpace']);
  const loadAndCheckMove = () => {
    // :4808-4830.
    const vm = cluster.loadConfig(vmid, node);
    cluster.checkLock(vm);
    if (!vm.config[disk]) die(`disk '${disk}' does not exist`);
    const drive = parseDrive(disk, vm.config[disk]);
    if (!drive.file) die(`disk '${disk}' has no associated volume`);
    if (isCdromDrive(drive, true)) die("you can't move a cdrom");
    const [oldStorage] = parseVolumeId(String(drive.file));
    const format = param(ctx, 'format');
    if (oldStorage === storage && (!format || format === 'raw')) die("you can't move to the same storage with same format");
    if (!cluster.storageOnNode(storage!, node)) die(`storage '${storage}' is not available on node '${node}'`);
    if (!cluster.storages.get(storage!)!.content.has('images')) paramError({ storage: `storage '${storage}' does not support vm images` });
    return { vm, drive };
  };
  loadAndCheckMove();
  return tasks.start(node, 'qmmove', String(vmid), ctx.user, (log) => {
    const { vm, drive } = loadAndCheckMove();
    const oldVolid = String(drive.file);
    const oldVolume = cluster.volume(oldVolid, node);
    drive.file = cluster.allocate(storage!, node, vmid, oldVolume?.sizeBytes ?? Number(drive.size ?? GiB), 'disk');
    vm.config[disk] = printDrive(disk, drive);
    if (flag(ctx, 'delete')) {
      log.print(`removing source volume '${oldVolid}' after successful copy`);
      cluster.free(oldVolid, node);
    } else {
      let index = 0;
      while (vm.config[`unused${index}`] !== undefined) index++;
      vm.config[`unused${index}`] = oldVolid;
      log.print(`adding source volume '${oldVolid}' as 'unused${index}' to config`);
    }
  }).upid;
};

/** qemu-server src/PVE/API2/Qemu.pm:6422 template (:6474-6477). */
const template: Handler = (ctx) => {
  const vm = requireVm(ctx);
  if (vm.config.template === '1') die('you can\'t convert a template to a template');
  if (vm.running) die('you can\'t convert a VM to template if VM is running');
  return ctx.sim.tasks.start(vm.node, 'qmtemplate', String(vm.vmid), ctx.user, () => { vm.config.template = '1'; }).upid;
};

/** qemu-server src/PVE/API2/Qemu.pm:1044 vmlist: the node's VMs the user may audit. */
const list: Handler = (ctx) => {
  const node = String(ctx.params.node);
  return [...ctx.sim.cluster.vms.values()].filter((vm) => vm.node === node && ctx.sim.access.has(ctx.user, `/vms/${vm.vmid}`, ['VM.Audit']))
    .map((vm) => vmStatus(ctx.sim.cluster, vm));
};

/** qemu-server src/PVE/QemuServer.pm:2493 vmstatus: the fields of a VM's status. */
function vmStatus(cluster: Cluster, vm: Vm): Record<string, unknown> {
  const config = vm.config;
  const memory = Number(/(?:current=)?(\d+)/.exec(config.memory ?? '512')?.[1] ?? 512);
  const boot = Object.entries(config).find(([key, value]) => isValidDriveName(key) && !isCdromDrive(parseDrive(key, value)));
  const maxdisk = boot ? Number(parseDrive(boot[0], boot[1]).size ?? 0) : 0;
  return {
    vmid: vm.vmid, name: config.name, status: vm.running ? 'running' : 'stopped', cpus: Number(config.cores ?? 1) * Number(config.sockets ?? 1),
    maxmem: memory * 1024 ** 2, mem: vm.running ? memory * 1024 ** 2 / 2 : 0, maxdisk, disk: 0, uptime: vm.running ? Math.floor((Date.now() - (vm.startedAt ?? Date.now())) / 1000) : 0,
    pid: vm.running ? 10000 + vm.vmid : undefined, qmpstatus: vm.running ? 'running' : 'stopped', netin: 0, netout: 0, diskread: 0, diskwrite: 0, cpu: 0,
    ...(config.tags ? { tags: config.tags } : {}), ...(config.lock ? { lock: config.lock } : {}), ...(config.template === '1' ? { template: 1 } : {}),
    ...(cluster.vmPool.has(vm.vmid) ? {} : {}),
  };
}

/** qemu-server src/PVE/API2/Qemu.pm:3372 vm_status (status/current). */
const statusCurrent: Handler = (ctx) => {
  const vm = requireVm(ctx);
  const status = vmStatus(ctx.sim.cluster, vm);
  const agentEnabled = vm.config.agent !== undefined && /^(enabled=)?1(,|$)/.test(vm.config.agent);
  return { ...status, ha: { managed: 0 }, ...(agentEnabled ? { agent: 1 } : {}) };
};

/** qemu-server src/PVE/API2/Qemu.pm:1744 vm_config: the config with pending changes applied, unless `current`. */
const getConfig: Handler = (ctx) => {
  const vm = requireVm(ctx);
  const config: Record<string, unknown> = { ...vm.config };
  if (!flag(ctx, 'current')) {
    // pve-guest-common src/PVE/AbstractConfig.pm:229 load_current_config.
    Object.assign(config, vm.pending);
    for (const option of vm.pendingDelete.keys()) delete config[option];
  }
  if (config.cipassword) config.cipassword = '**********';
  // qemu-server src/PVE/QemuServer.pm:2082 parse_vm_config reads each value through check_type (:1762):
  // integers and booleans become JSON numbers, the rest stay strings.
  const properties = expandedProperties(methodSchema('POST /nodes/{node}/qemu/{vmid}/config').parameters);
  for (const [key, value] of Object.entries(config)) {
    const type = properties[key]?.type;
    if (type === 'integer' && /^\d+$/.test(String(value))) config[key] = Number(value);
    else if (type === 'boolean') config[key] = /^(1|on|yes|true)$/i.test(String(value)) ? 1 : 0;
  }
  config.digest = ctx.sim.cluster.digest(vm);
  return config;
};

/** qemu-server src/PVE/API2/Qemu.pm:1815 vm_pending (pve-guest-common src/PVE/GuestHelpers.pm:223 config_with_pending_array). */
const getPending: Handler = (ctx) => {
  const vm = requireVm(ctx);
  const keys = new Set([...Object.keys(vm.config), ...Object.keys(vm.pending), ...vm.pendingDelete.keys()]);
  return [...keys].sort().map((key) => ({
    key,
    ...(vm.config[key] !== undefined ? { value: key === 'cipassword' ? '**********' : vm.config[key] } : {}),
    ...(vm.pending[key] !== undefined ? { pending: vm.pending[key] } : {}),
    ...(vm.pendingDelete.has(key) ? { delete: vm.pendingDelete.get(key) ? 2 : 1 } : {}),
  }));
};

/** qemu-server src/PVE/API2/Qemu.pm:1973 cloudinit_update: regenerate the cloud-init drive. */
const regenerateCloudinit: Handler = (ctx) => {
  const vm = requireVm(ctx);
  writeCloudinit(vm);
  return null;
};

/** qemu-server src/PVE/API2/Qemu.pm:1879 cloudinit_pending: what the drive has and what the config says. */
const getCloudinit: Handler = (ctx) => {
  const vm = requireVm(ctx);
  const applied = vm.cloudinitApplied ?? {};
  const keys = new Set([...Object.keys(vm.config).filter((key) => CLOUDINIT_OPTIONS.has(key) || /^ipconfig\d+$/.test(key)), ...Object.keys(applied).filter((key) => key !== 'hostname')]);
  return [...keys].sort().map((key) => ({
    key,
    ...(applied[key] !== undefined ? { value: applied[key] } : {}),
    ...(vm.config[key] !== applied[key] && vm.config[key] !== undefined ? { pending: vm.config[key] } : {}),
    ...(vm.config[key] === undefined ? { delete: 1 } : {}),
  }));
};

/**
 * qemu-server src/PVE/API2/Qemu/Agent.pm:225 and src/PVE/QemuServer/Agent.pm:118 assert_agent_available:
 * the agent must be configured, the VM running and the guest's agent answering.
 */
function agentAvailable(vm: Vm): void {
  if (vm.config.agent === undefined) die('No QEMU guest agent configured');
  if (!vm.running) die(`VM ${vm.vmid} is not running`);
  const ready = vm.agent === 'ready' || (vm.agent === 'slow' && Date.now() - (vm.startedAt ?? 0) >= vm.agentDelayMs);
  if (!ready) die('QEMU guest agent is not running');
}

const agentPing: Handler = (ctx) => {
  agentAvailable(requireVm(ctx));
  return { result: {} };
};

/** The guest's interfaces as qemu-guest-agent's guest-network-get-interfaces reports them. */
const agentNetworkInterfaces: Handler = (ctx) => {
  const vm = requireVm(ctx);
  agentAvailable(vm);
  const result: unknown[] = [{
    name: 'lo', 'hardware-address': '00:00:00:00:00:00',
    'ip-addresses': [{ 'ip-address-type': 'ipv4', 'ip-address': '127.0.0.1', prefix: 8 }, { 'ip-address-type': 'ipv6', 'ip-address': '::1', prefix: 128 }],
  }];
  Object.keys(vm.config).filter((key) => /^net\d+$/.test(key)).sort().forEach((key, index) => {
    const net = parseNet(vm.config[key]);
    const ipconfig = vm.config[`ipconfig${key.slice(3)}`];
    const ip = /(?:^|,)ip=([\d.]+)\/(\d+)/.exec(ipconfig ?? '');
    // A DHCP address from a simulated 192.0.2.0/24 (TEST-NET-1), stable per VMID.
    const address = ip ? { 'ip-address': ip[1], prefix: Number(ip[2]) } : { 'ip-address': `192.0.2.${(vm.vmid % 250) + 2}`, prefix: 24 };
    result.push({ name: `ens${18 + index}`, 'hardware-address': String(net.macaddr).toLowerCase(), 'ip-addresses': [{ 'ip-address-type': 'ipv4', ...address }] });
  });
  return { result };
};

export const QEMU_HANDLERS: Record<string, Handler> = {
  'GET /nodes/{node}/qemu': list,
  'DELETE /nodes/{node}/qemu/{vmid}': destroy,
  'GET /nodes/{node}/qemu/{vmid}/config': getConfig,
  'POST /nodes/{node}/qemu/{vmid}/config': (ctx) => updateVm(ctx, false),
  'PUT /nodes/{node}/qemu/{vmid}/config': (ctx) => updateVm(ctx, true),
  'GET /nodes/{node}/qemu/{vmid}/pending': getPending,
  'GET /nodes/{node}/qemu/{vmid}/cloudinit': getCloudinit,
  'PUT /nodes/{node}/qemu/{vmid}/cloudinit': regenerateCloudinit,
  'GET /nodes/{node}/qemu/{vmid}/status/current': statusCurrent,
  'POST /nodes/{node}/qemu/{vmid}/status/start': start,
  'POST /nodes/{node}/qemu/{vmid}/status/stop': stop,
  'POST /nodes/{node}/qemu/{vmid}/status/shutdown': shutdown,
  'POST /nodes/{node}/qemu/{vmid}/status/reboot': reboot,
  'POST /nodes/{node}/qemu/{vmid}/status/reset': reset,
  'POST /nodes/{node}/qemu/{vmid}/clone': clone,
  'PUT /nodes/{node}/qemu/{vmid}/resize': resize,
  'POST /nodes/{node}/qemu/{vmid}/migrate': migrate,
  'POST /nodes/{node}/qemu/{vmid}/move_disk': moveDisk,
  'POST /nodes/{node}/qemu/{vmid}/template': template,
  'GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces': agentNetworkInterfaces,
  'POST /nodes/{node}/qemu/{vmid}/agent/ping': agentPing,
};

export { startVm, stopVm, vmStatus };
