/**
 * Addresses and VMIDs allocated in git. A Machine naming an IP pool (`spec.network.ipPool`) or asking for a
 * VMID (`spec.proxmox.allocateVmId`) gets one here, before its construct is built, and the value is written
 * into the Machine in dist/ like any other field: nothing is allocated in the cluster, and the pull request
 * shows it.
 *
 * Stable: a value once written is read back from the previous tree (dist/ on disk, and git's HEAD for what
 * dist/ no longer holds) and kept while the Machine keeps asking for it, so adding a Machine that sorts
 * first moves nobody. A Machine removed from claims/ keeps holding its values while any previous tree
 * still holds it: its VM runs until the removal is committed and synced. New values are handed out in the
 * order of the Machines' ids, the lowest free one first, so the same claims give the same tree.
 */
import * as YAML from 'yaml';
import { MachineSpec } from '../../imports/fabric.kubelize.io';
import { machineSchema, MACHINE_API_VERSION, MACHINE_KIND } from '../api/machine-schema';
import { schemaAt } from '../api/schema-lookup';
import { byCodeUnit } from '../util/compare';
import { Problem, shown } from '../validation/problem';
import { RawClaim } from './claims';
import { ipv4Number, ipv4String, isIpv4, ResolvedIpPool, SiteSettings } from './site-settings';

/** A Machine of a previous tree: its id, spec, and which tree holds it (`dist/` or `git HEAD`). */
export interface PreviousMachine {
  readonly id: string;
  readonly spec: MachineSpec;
  readonly tree: string;
}

/** What a Machine was given, for the plan and the inventory. */
export interface Allocation {
  readonly id: string;
  readonly ip?: { readonly pool: string; readonly address: string; readonly kept: boolean };
  readonly vmId?: { readonly value: number; readonly kept: boolean };
}

/** Values that Machines removed from claims/ still hold. */
export interface HeldValue {
  readonly id: string;
  readonly tree: string;
  readonly ip?: string;
  readonly pool?: string;
  readonly vmId?: number;
}

export interface AllocationResult {
  /** The claims, those given values as new documents with them written in. */
  readonly claims: readonly RawClaim[];
  readonly problems: readonly Problem[];
  /** By Machine id, in id order. */
  readonly allocations: readonly Allocation[];
  readonly held: readonly HeldValue[];
}

/** Whether any Machine of a tree's text may hold an allocated value: only those files are parsed. */
const ALLOCATED_FIELD = /\b(ipPool|allocateVmId)["']?\s*:/;

/**
 * The Machines with allocated values in a tree's files (dist/-relative path → text). Only files naming an
 * allocated field are parsed, so a fleet of literal addresses pays a text search per file.
 */
export function allocatedMachines(tree: ReadonlyMap<string, string>, label: string): PreviousMachine[] {
  const machines: PreviousMachine[] = [];
  for (const [file, text] of tree) {
    if (!/\.ya?ml$/.test(file) || !ALLOCATED_FIELD.test(text)) continue;
    const scanned = scanMachine(text);
    if (scanned) {
      machines.push({ ...scanned, tree: label });
      continue;
    }
    for (const document of YAML.parseAllDocuments(text, { version: '1.1' })) {
      const object = document.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; spec?: MachineSpec } | null;
      if (object?.apiVersion !== MACHINE_API_VERSION || object.kind !== MACHINE_KIND || !object.spec || !object.metadata?.name) continue;
      machines.push({ id: `${object.metadata.namespace}/${object.metadata.name}`, spec: object.spec, tree: label });
    }
  }
  return machines;
}

/**
 * The fields allocation reads from a Machine file as synth writes it (one document, block style, two-space
 * indents), found by their indentation under their parent keys: parsing costs about 1 ms a Machine with the
 * YAML library (9.7 s for 10,000 on this project's machine), this a few microseconds and little garbage.
 * Anything it does not expect (another document, a flow collection or block scalar where it reads, an
 * escape) gives undefined, and the file is parsed.
 */
export function scanMachine(text: string): Omit<PreviousMachine, 'tree'> | undefined {
  if (text.includes('\n---') || text.includes('\n...') || text.startsWith('---')) return undefined;
  const document = `\n${text}`;
  const metadata = block(document, '', 'metadata');
  const spec = block(document, '', 'spec');
  const network = spec === undefined ? undefined : block(spec, '  ', 'network');
  const proxmox = spec === undefined ? undefined : block(spec, '  ', 'proxmox');
  const values = [
    scalar(document, '', 'apiVersion'), scalar(document, '', 'kind'),
    metadata && scalar(metadata, '  ', 'name'), metadata && scalar(metadata, '  ', 'namespace'),
    network && scalar(network, '    ', 'ipPool'), network && scalar(network, '    ', 'ip'),
    proxmox && scalar(proxmox, '    ', 'vmId'), proxmox && scalar(proxmox, '    ', 'allocateVmId'),
  ];
  if (values.includes(null)) return undefined;
  const [apiVersion, kind, name, namespace, ipPool, ip, vmId, allocateVmId] = values as Array<string | undefined>;
  if (apiVersion !== MACHINE_API_VERSION || kind !== MACHINE_KIND || name === undefined) return undefined;
  if ((vmId !== undefined && !/^\d+$/.test(vmId)) || (allocateVmId !== undefined && allocateVmId !== 'true' && allocateVmId !== 'false')) return undefined;
  const proxmoxFields = { vmId: vmId === undefined ? undefined : Number(vmId), allocateVmId: allocateVmId === undefined ? undefined : allocateVmId === 'true' };
  return { id: `${namespace}/${name}`, spec: { network: { ipPool, ip }, proxmox: proxmoxFields } as unknown as MachineSpec };
}

/** The lines under `\n<indent><key>:\n` up to the next line indented as much or less (from its newline). */
function block(text: string, indent: string, key: string): string | undefined {
  const start = text.indexOf(`\n${indent}${key}:\n`);
  if (start < 0) return undefined;
  const body = start + indent.length + key.length + 2;
  const end = new RegExp(`\\n(?!${indent} )`, 'g');
  end.lastIndex = body;
  const found = end.exec(text);
  return text.slice(body, found ? found.index + 1 : text.length);
}

/** The plain or simply quoted scalar of `\n<indent><key>: value`; undefined when absent, null when unreadable. */
function scalar(text: string, indent: string, key: string): string | undefined | null {
  const start = text.indexOf(`\n${indent}${key}:`);
  if (start < 0) return undefined;
  const from = start + indent.length + key.length + 2;
  const lineEnd = text.indexOf('\n', from);
  const rest = text.slice(from, lineEnd < 0 ? text.length : lineEnd);
  if (!rest.startsWith(' ') || rest.length < 2) return null;
  const value = rest.slice(1);
  if (/^[|>[{&*!#]/.test(value) || value.includes('\\') || value.includes(' #')) return null;
  const quoted = /^"(.*)"$|^'(.*)'$/.exec(value);
  return quoted ? (quoted[1] ?? quoted[2]) : value;
}

const DEFAULT_TEMPLATE_ID = schemaAt(machineSchema, 'spec.proxmox.templateId')?.default as number;

interface Claimed {
  readonly claim: RawClaim;
  readonly id: string;
  readonly spec: MachineSpec;
}

/** Gives each claim asking for an address or a VMID its value, keeping those the previous trees hold. */
export function allocate(claims: readonly RawClaim[], site: SiteSettings, previous: readonly PreviousMachine[] = []): AllocationResult {
  const problems: Problem[] = [];
  // Duplicate declarations are the fleet rules' to report: the first one is allocated for.
  const byId = new Map<string, Claimed>();
  for (const claim of claims) {
    const metadata = claim.document.metadata as { name?: unknown; namespace?: unknown } | undefined;
    const spec = claim.document.spec as MachineSpec | undefined;
    if (typeof metadata?.name !== 'string' || typeof spec !== 'object' || spec === null) continue;
    const id = `${String(metadata.namespace)}/${metadata.name}`;
    if (!byId.has(id)) byId.set(id, { claim, id, spec });
  }
  const problem = (c: Claimed, path: string, message: string) => problems.push({ file: c.claim.file, index: c.claim.index, machine: c.id, path, message });
  const named = (c: Claimed) => `Machine ${c.id} (${c.claim.file})`;

  // What the previous trees hold: dist/ first, then git HEAD for what dist/ does not have.
  const before = new Map<string, PreviousMachine>();
  for (const machine of previous) if (!before.has(machine.id)) before.set(machine.id, machine);
  const held: HeldValue[] = [];
  for (const machine of previous) {
    if (byId.has(machine.id)) continue;
    const ip = machine.spec.network?.ipPool !== undefined ? machine.spec.network?.ip : undefined;
    const vmId = machine.spec.proxmox?.allocateVmId === true ? machine.spec.proxmox?.vmId : undefined;
    if (ip !== undefined || vmId !== undefined) held.push({ id: machine.id, tree: machine.tree, ...(ip !== undefined ? { ip, pool: machine.spec.network!.ipPool } : {}), ...(vmId !== undefined ? { vmId } : {}) });
  }
  const heldWhy = (h: HeldValue) => `Machine ${h.id}, removed from claims/ but still in ${h.tree}: it keeps its values until its removal is committed`;

  const ordered = [...byId.values()].sort((a, b) => byCodeUnit(a.id, b.id));
  const ipOf = new Map<string, { pool: string; address: string; kept: boolean }>();
  const vmIdOf = new Map<string, { value: number; kept: boolean }>();

  // --- addresses ---
  const poolOf = new Map<Claimed, ResolvedIpPool>();
  for (const c of ordered) {
    const name = c.spec.network?.ipPool;
    // dhcp with a pool is the XRD's rule to refuse; nothing is allocated for it.
    if (name === undefined || c.spec.network?.dhcp === true) continue;
    const pool = Object.prototype.hasOwnProperty.call(site.ipPools, name) ? site.ipPools[name] : undefined;
    const pools = Object.keys(site.ipPools).sort();
    if (!pool) {
      problem(c, 'spec.network.ipPool', pools.length === 0
        ? `names IP pool ${shown(name)}, but package.json sets no fabric.site.ipPools`
        : `must name an IP pool of package.json fabric.site.ipPools (${pools.join(', ')}), got ${shown(name)}`);
      continue;
    }
    poolOf.set(c, pool);
    conflictsWithPool(c, pool, (path, message) => problem(c, path, message));
  }
  const inPool = (pool: ResolvedIpPool, n: number) => n !== ipv4Number(pool.gateway) && pool.numericRanges.some(([a, b]) => n >= a && n <= b);
  // Every address taken, and by whom: literal ones of the claims, kept ones, held ones.
  const takenIp = new Map<number, string>();
  const literalIp = new Map<number, Claimed>();
  for (const c of ordered) {
    const ip = c.spec.network?.ip;
    if (!isIpv4(ip)) continue;
    const pool = poolOf.get(c);
    if (pool && !inPool(pool, ipv4Number(ip))) {
      problem(c, 'spec.network.ip', `${ip} is outside IP pool ${shown(pool.name)} (${pool.ranges.join(', ')}${rangeHoldsGateway(pool) ? `, without its gateway ${pool.gateway}` : ''}); remove ip to have one allocated, or pick one inside`);
    }
    if (pool) ipOf.set(c.id, { pool: pool.name, address: ip, kept: before.get(c.id)?.spec.network?.ip === ip });
    if (!literalIp.has(ipv4Number(ip))) literalIp.set(ipv4Number(ip), c);
    takenIp.set(ipv4Number(ip), named(c));
  }
  const heldIp = new Map(held.filter((h) => h.ip !== undefined && isIpv4(h.ip)).map((h) => [ipv4Number(h.ip!), h]));
  for (const [n, h] of heldIp) {
    const literal = literalIp.get(n);
    if (literal) problem(literal, 'spec.network.ip', `${h.ip} is still allocated from IP pool ${shown(h.pool)} to ${heldWhy(h)}`);
    takenIp.set(n, heldWhy(h));
  }
  const wanting: Claimed[] = [];
  for (const c of ordered) {
    const pool = poolOf.get(c);
    if (!pool || c.spec.network?.ip !== undefined) continue;
    const old = before.get(c.id)?.spec.network;
    const kept = old?.ipPool === pool.name && isIpv4(old.ip) && inPool(pool, ipv4Number(old.ip)) ? ipv4Number(old.ip) : undefined;
    if (kept === undefined) {
      wanting.push(c);
      continue;
    }
    const literal = literalIp.get(kept);
    if (literal && literal !== c) problem(literal, 'spec.network.ip', `${old!.ip} is already allocated from IP pool ${shown(pool.name)} to ${named(c)}, written in ${before.get(c.id)!.tree}; pick another address`);
    takenIp.set(kept, named(c));
    ipOf.set(c.id, { pool: pool.name, address: old!.ip!, kept: true });
  }
  // The lowest free address of each pool, a cursor per pool: each address is looked at once.
  const cursors = new Map<ResolvedIpPool, { range: number; next: number }>();
  for (const c of wanting) {
    const pool = poolOf.get(c)!;
    const cursor = cursors.get(pool) ?? { range: 0, next: pool.numericRanges[0][0] };
    cursors.set(pool, cursor);
    let found: number | undefined;
    while (found === undefined && cursor.range < pool.numericRanges.length) {
      const [, last] = pool.numericRanges[cursor.range];
      if (cursor.next > last) {
        cursor.range++;
        if (cursor.range < pool.numericRanges.length) cursor.next = pool.numericRanges[cursor.range][0];
        continue;
      }
      const n = cursor.next++;
      if (inPool(pool, n) && !takenIp.has(n)) found = n;
    }
    if (found === undefined) {
      const usedBy = [...takenIp.keys()].filter((n) => inPool(pool, n)).length;
      const heldHere = [...heldIp.keys()].filter((n) => inPool(pool, n)).length;
      problem(c, 'spec.network.ipPool', `IP pool ${shown(pool.name)} has no free address: all ${pool.size} of ${pool.ranges.join(', ')} are taken (${usedBy - heldHere} by Machines in claims/${heldHere > 0 ? `, ${heldHere} by Machines removed but not yet committed` : ''}); widen its ranges in package.json fabric.site.ipPools.${pool.name}.ranges or use another pool`);
      continue;
    }
    takenIp.set(found, named(c));
    ipOf.set(c.id, { pool: pool.name, address: ipv4String(found), kept: false });
  }

  // --- VMIDs ---
  const range = site.vmIds;
  const takenVmId = new Map<number, string>();
  const pinnedVmId = new Map<number, Claimed>();
  for (const c of ordered) {
    const templateId = c.spec.proxmox?.templateId ?? DEFAULT_TEMPLATE_ID;
    if (Number.isInteger(templateId) && !takenVmId.has(templateId)) takenVmId.set(templateId, `the template ${named(c)} clones`);
  }
  for (const c of ordered) {
    const vmId = c.spec.proxmox?.vmId;
    const asks = c.spec.proxmox?.allocateVmId === true;
    if (asks && !range) {
      problem(c, 'spec.proxmox.allocateVmId', 'is true, but package.json sets no fabric.site.vmIds range to allocate from');
      continue;
    }
    if (!Number.isInteger(vmId)) continue;
    if (asks && range && (vmId! < range.from || vmId! > range.to)) {
      problem(c, 'spec.proxmox.vmId', `${vmId} is outside the site's VMID range ${range.from}-${range.to} (package.json fabric.site.vmIds); remove vmId to have one allocated, or pick one inside`);
    }
    if (asks) vmIdOf.set(c.id, { value: vmId!, kept: before.get(c.id)?.spec.proxmox?.vmId === vmId });
    if (!pinnedVmId.has(vmId!)) pinnedVmId.set(vmId!, c);
    takenVmId.set(vmId!, named(c));
  }
  for (const h of held) {
    if (h.vmId === undefined) continue;
    const pinned = pinnedVmId.get(h.vmId);
    if (pinned) problem(pinned, 'spec.proxmox.vmId', `${h.vmId} is still allocated to ${heldWhy(h)}`);
    takenVmId.set(h.vmId, heldWhy(h));
  }
  const wantingVmId: Claimed[] = [];
  if (range) {
    for (const c of ordered) {
      if (c.spec.proxmox?.allocateVmId !== true || c.spec.proxmox.vmId !== undefined) continue;
      const old = before.get(c.id)?.spec.proxmox;
      const kept = old?.allocateVmId === true && Number.isInteger(old.vmId) && old.vmId! >= range.from && old.vmId! <= range.to ? old.vmId! : undefined;
      if (kept === undefined) {
        wantingVmId.push(c);
        continue;
      }
      const pinned = pinnedVmId.get(kept);
      if (pinned && pinned !== c) problem(pinned, 'spec.proxmox.vmId', `${kept} is already allocated to ${named(c)}, written in ${before.get(c.id)!.tree}; pick another VMID`);
      takenVmId.set(kept, named(c));
      vmIdOf.set(c.id, { value: kept, kept: true });
    }
    let next = range.from;
    for (const c of wantingVmId) {
      while (next <= range.to && takenVmId.has(next)) next++;
      if (next > range.to) {
        problem(c, 'spec.proxmox.allocateVmId', `the site's VMID range ${range.from}-${range.to} has no free VMID: all ${range.to - range.from + 1} are taken; widen package.json fabric.site.vmIds or pin vmId`);
        continue;
      }
      takenVmId.set(next, named(c));
      vmIdOf.set(c.id, { value: next++, kept: false });
    }
  }

  // --- the claims with their values written in ---
  const result = claims.map((claim) => {
    const c = byId.get(idOf(claim));
    if (!c || c.claim !== claim) return claim;
    const ip = ipOf.get(c.id);
    const vmId = vmIdOf.get(c.id);
    if (!ip && !vmId) return claim;
    const pool = poolOf.get(c);
    const spec: { -readonly [K in keyof MachineSpec]: MachineSpec[K] } = { ...c.spec };
    if (ip && pool) {
      spec.network = {
        ...c.spec.network,
        ip: ip.address,
        cidr: pool.prefix,
        gateway: pool.gateway,
        ...(pool.dns ? { dns: [...pool.dns] } : {}),
        ...(pool.domain ? { domain: pool.domain } : {}),
      };
      if (pool.bridge !== undefined || pool.vlan !== undefined) {
        spec.proxmox = { ...c.spec.proxmox, ...(pool.bridge !== undefined ? { bridge: pool.bridge } : {}), ...(pool.vlan !== undefined ? { vlan: pool.vlan } : {}) };
      }
    }
    if (vmId) spec.proxmox = { ...spec.proxmox, vmId: vmId.value };
    return { ...claim, document: { ...claim.document, spec } };
  });
  const ids = [...new Set([...ipOf.keys(), ...vmIdOf.keys()])].sort(byCodeUnit);
  const allocations = ids.map((id) => ({ id, ...(ipOf.has(id) ? { ip: ipOf.get(id)! } : {}), ...(vmIdOf.has(id) ? { vmId: vmIdOf.get(id)! } : {}) }));
  return { claims: result, problems, allocations, held };
}

function idOf(claim: RawClaim): string {
  const metadata = claim.document.metadata as { name?: unknown; namespace?: unknown } | undefined;
  return `${String(metadata?.namespace)}/${String(metadata?.name)}`;
}

function rangeHoldsGateway(pool: ResolvedIpPool): boolean {
  const gateway = ipv4Number(pool.gateway);
  return pool.numericRanges.some(([a, b]) => gateway >= a && gateway <= b);
}

/** Fields a claim gives that the pool sets otherwise: refused rather than silently replaced. */
function conflictsWithPool(c: Claimed, pool: ResolvedIpPool, report: (path: string, message: string) => void): void {
  const network = c.spec.network ?? {};
  const differs = (path: string, given: unknown, fromPool: unknown) => {
    if (given === undefined || fromPool === undefined || JSON.stringify(given) === JSON.stringify(fromPool)) return;
    report(path, `is ${shown(given)}, but IP pool ${shown(pool.name)} sets ${shown(fromPool)}; remove it: the pool's value is written`);
  };
  differs('spec.network.cidr', network.cidr, pool.prefix);
  differs('spec.network.gateway', network.gateway, pool.gateway);
  differs('spec.network.dns', network.dns, pool.dns);
  differs('spec.network.domain', network.domain, pool.domain);
  differs('spec.proxmox.bridge', c.spec.proxmox?.bridge, pool.bridge);
  differs('spec.proxmox.vlan', c.spec.proxmox?.vlan, pool.vlan);
}
