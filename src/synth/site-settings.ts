/**
 * The site: package.json `fabric.site`, what Fabric knows of the Proxmox cluster beside the Machines — its
 * nodes with their capacity, the IP pools Machines take addresses from, and the VMIDs Fabric may hand out.
 * Every part is optional: a site without them synthesizes as before, and what is not described is not
 * checked (capacity) or not allocated (addresses, VMIDs).
 */
import { FabricError } from '../util/errors';

/** A site setting that is wrong: the message names the key and what it must be. */
export class SiteSettingsError extends FabricError {}

export interface SiteNode {
  /** Physical cores (or threads, as the site counts them) the node gives VMs. */
  readonly cores: number;
  /** Memory the node gives VMs. Unit: GiB. */
  readonly memoryGiB: number;
  /** Each storage of the node and its size. Unit: GiB. */
  readonly storages: Readonly<Record<string, number>>;
}

/** How far past its capacity a node may be given: 4 means four times its cores. */
export interface Overcommit {
  readonly cpu: number;
  readonly memory: number;
  readonly storage: number;
}

export interface IpPool {
  /** `10.0.20.0/24`: the subnet the pool's addresses and gateway lie in. */
  readonly subnet: string;
  readonly gateway: string;
  /** Usable ranges, `10.0.20.100-10.0.20.199` or one address; allocated in the order given. */
  readonly ranges: readonly string[];
  readonly dns?: readonly string[];
  readonly domain?: string;
  readonly bridge?: string;
  readonly vlan?: number;
}

/** An IP pool with its ranges as numbers, checked. */
export interface ResolvedIpPool extends IpPool {
  readonly name: string;
  readonly prefix: number;
  /** Inclusive [first, last] address ranges as 32-bit numbers, in the order given. */
  readonly numericRanges: ReadonlyArray<readonly [number, number]>;
  /** How many addresses the ranges hold (without the gateway). */
  readonly size: number;
}

export interface SiteSettings {
  /** @default - none: capacity is not checked */
  readonly nodes: Readonly<Record<string, SiteNode>>;
  /** @default { cpu: 1, memory: 1, storage: 1 } */
  readonly overcommit: Overcommit;
  /** The share of capacity × overcommit past which synth warns. @default 0.9 */
  readonly warnAt: number;
  /** @default - none */
  readonly ipPools: Readonly<Record<string, ResolvedIpPool>>;
  /** The VMIDs Fabric allocates from, inclusive. @default - none */
  readonly vmIds?: { readonly from: number; readonly to: number };
}

export interface SiteSettingsInput {
  readonly nodes?: Record<string, Partial<SiteNode>>;
  readonly overcommit?: Partial<Overcommit>;
  readonly warnAt?: number;
  readonly ipPools?: Record<string, IpPool>;
  readonly vmIds?: { readonly from: number; readonly to: number };
}

export const NO_OVERCOMMIT: Overcommit = { cpu: 1, memory: 1, storage: 1 };
export const DEFAULT_WARN_AT = 0.9;

const KEY = 'package.json: fabric.site';
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `10.0.0.1` as a 32-bit number. */
export function ipv4Number(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** A 32-bit number as `10.0.0.1`. */
export function ipv4String(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function isIpv4(value: unknown): value is string {
  return typeof value === 'string' && IPV4.test(value);
}

export function resolveSite(input: SiteSettingsInput = {}): SiteSettings {
  const positive = (key: string, value: unknown) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new SiteSettingsError(`${KEY}.${key} must be a positive number, got ${JSON.stringify(value)}`);
    return value;
  };
  const nodes: Record<string, SiteNode> = {};
  for (const [name, node] of Object.entries(input.nodes ?? {})) {
    const storages: Record<string, number> = {};
    for (const [storage, size] of Object.entries(node.storages ?? {})) storages[storage] = positive(`nodes.${name}.storages.${storage}`, size);
    nodes[name] = { cores: positive(`nodes.${name}.cores`, node.cores), memoryGiB: positive(`nodes.${name}.memoryGiB`, node.memoryGiB), storages };
  }
  const overcommit = { ...NO_OVERCOMMIT, ...input.overcommit };
  for (const resource of Object.keys(overcommit) as Array<keyof Overcommit>) positive(`overcommit.${resource}`, overcommit[resource]);
  const warnAt = input.warnAt ?? DEFAULT_WARN_AT;
  if (typeof warnAt !== 'number' || !(warnAt > 0 && warnAt <= 1)) throw new SiteSettingsError(`${KEY}.warnAt must be a share of capacity above 0 and at most 1, e.g. 0.9, got ${JSON.stringify(warnAt)}`);
  const ipPools: Record<string, ResolvedIpPool> = {};
  for (const [name, pool] of Object.entries(input.ipPools ?? {})) ipPools[name] = resolvePool(name, pool);
  let vmIds: SiteSettings['vmIds'];
  if (input.vmIds !== undefined) {
    const { from, to } = input.vmIds;
    const valid = (n: unknown) => Number.isInteger(n) && (n as number) >= 100 && (n as number) <= 999999999;
    if (!valid(from) || !valid(to) || from > to) {
      throw new SiteSettingsError(`${KEY}.vmIds must be { "from": n, "to": m } with 100 <= n <= m <= 999999999 (Proxmox's VMIDs), got ${JSON.stringify(input.vmIds)}`);
    }
    vmIds = { from, to };
  }
  return { nodes, overcommit, warnAt, ipPools, ...(vmIds ? { vmIds } : {}) };
}

function resolvePool(name: string, pool: IpPool): ResolvedIpPool {
  const key = `${KEY}.ipPools.${name}`;
  const fail = (what: string) => { throw new SiteSettingsError(`${key}${what}`); };
  if (!LABEL.test(name) || name.length > 63) fail(`: the pool name must be an RFC 1123 label (lowercase letters, digits and -), as Machines name it in spec.network.ipPool`);
  const [network, prefixText, extra] = String(pool.subnet).split('/');
  const prefix = Number(prefixText);
  if (!isIpv4(network) || extra !== undefined || !Number.isInteger(prefix) || prefix < 1 || prefix > 30) fail(`.subnet must be an IPv4 subnet such as "10.0.20.0/24" (prefix 1 to 30), got ${JSON.stringify(pool.subnet)}`);
  const block = 2 ** (32 - prefix);
  const base = ipv4Number(network);
  if (base % block !== 0) fail(`.subnet ${pool.subnet} is not a network address: did you mean ${ipv4String(base - (base % block))}/${prefix}?`);
  const inSubnet = (n: number) => n > base && n < base + block - 1;
  if (!isIpv4(pool.gateway) || !inSubnet(ipv4Number(pool.gateway))) fail(`.gateway must be an address inside ${pool.subnet} (not its network or broadcast address), got ${JSON.stringify(pool.gateway)}`);
  if (!Array.isArray(pool.ranges) || pool.ranges.length === 0) fail(`.ranges must list the usable addresses, e.g. ["10.0.20.100-10.0.20.199"], got ${JSON.stringify(pool.ranges)}`);
  const gateway = ipv4Number(pool.gateway);
  const numericRanges: Array<[number, number]> = [];
  let size = 0;
  for (const range of pool.ranges) {
    const [first, last = first, more] = String(range).split('-');
    if (!isIpv4(first) || !isIpv4(last) || more !== undefined) fail(`.ranges: ${JSON.stringify(range)} is not "first-last" nor one IPv4 address`);
    const [from, to] = [ipv4Number(first), ipv4Number(last)];
    if (from > to) fail(`.ranges: ${range} ends before it starts`);
    if (!inSubnet(from) || !inSubnet(to)) fail(`.ranges: ${range} is not inside ${pool.subnet} without its network and broadcast addresses`);
    const overlapped = numericRanges.find(([a, b]) => from <= b && a <= to);
    if (overlapped) fail(`.ranges: ${range} overlaps ${ipv4String(overlapped[0])}-${ipv4String(overlapped[1])}`);
    numericRanges.push([from, to]);
    size += to - from + 1 - (gateway >= from && gateway <= to ? 1 : 0);
  }
  if (pool.dns !== undefined && (!Array.isArray(pool.dns) || pool.dns.length > 3 || !pool.dns.every(isIpv4))) fail(`.dns must list at most 3 IPv4 DNS servers, got ${JSON.stringify(pool.dns)}`);
  if (pool.vlan !== undefined && !(Number.isInteger(pool.vlan) && pool.vlan >= 1 && pool.vlan <= 4094)) fail(`.vlan must be a VLAN tag from 1 to 4094, got ${JSON.stringify(pool.vlan)}`);
  return { ...pool, name, prefix, numericRanges, size };
}
