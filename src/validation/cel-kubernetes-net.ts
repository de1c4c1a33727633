/**
 * Kubernetes' CEL IP and CIDR libraries for cel-js, so synth evaluates the XRD's rules with the same functions
 * the API server gives CRD validation rules from Kubernetes 1.30 on (k8s.io/apiserver v0.34.4
 * pkg/cel/environment/base.go:139-145, the same lines at v0.32.13: `library.IP` and `library.CIDR` with
 * IntroducedVersion 1.30).
 *
 * Written from the semantics of k8s.io/apiserver v0.34.4 pkg/cel/library/ip.go and cidr.go, which parse with
 * Go's net/netip and refuse zones and IPv4-mapped IPv6 addresses (ip.go:316-335 parseIPAddr, cidr.go:277-292
 * parseCIDR), and of net/netip itself (ParseAddr, ParsePrefix, Addr.String, Prefix.Contains, Prefix.Overlaps,
 * Prefix.Masked and the Is* predicates). A parse failure is an evaluation error, as in Kubernetes.
 */
import { Environment } from '@marcbachmann/cel-js';

/** A parsed address: 4 bytes (IPv4) or 16 bytes (IPv6), like netip.Addr without a zone. */
export class KubernetesIP {
  constructor(readonly bytes: Uint8Array) {}

  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }

  equals(other: KubernetesIP): boolean {
    return this.bytes.length === other.bytes.length && this.bytes.every((byte, index) => byte === other.bytes[index]);
  }

  /** netip.Addr.String: dotted quad, or RFC 5952 (the longest run of two or more zero groups as `::`). */
  toString(): string {
    if (this.family === 4) return Array.from(this.bytes).join('.');
    const groups = Array.from({ length: 8 }, (_, index) => (this.bytes[2 * index] << 8) | this.bytes[2 * index + 1]);
    let bestStart = -1;
    let bestLength = 0;
    for (let start = 0; start < 8;) {
      let end = start;
      while (end < 8 && groups[end] === 0) end++;
      if (end - start > bestLength && end - start >= 2) { bestStart = start; bestLength = end - start; }
      start = end === start ? start + 1 : end;
    }
    const hex = (from: number, to: number) => groups.slice(from, to).map((group) => group.toString(16)).join(':');
    return bestStart < 0 ? hex(0, 8) : `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
  }
}

/** A parsed CIDR: the address as written (not masked) and the prefix length, like netip.Prefix. */
export class KubernetesCIDR {
  constructor(readonly ip: KubernetesIP, readonly bits: number) {}

  equals(other: KubernetesCIDR): boolean {
    return this.bits === other.bits && this.ip.equals(other.ip);
  }

  /** netip.Prefix.Masked: the address with every bit after the prefix cleared. */
  masked(): KubernetesCIDR {
    return new KubernetesCIDR(new KubernetesIP(maskBytes(this.ip.bytes, this.bits)), this.bits);
  }

  /** netip.Prefix.Contains: same family and the same leading `bits` bits. */
  contains(ip: KubernetesIP): boolean {
    return ip.family === this.ip.family && samePrefix(this.ip.bytes, ip.bytes, this.bits);
  }

  /** cidr.go cidrContainsCIDR: Overlaps and no longer a prefix than `other`. */
  containsCIDR(other: KubernetesCIDR): boolean {
    return other.ip.family === this.ip.family && this.bits <= other.bits && samePrefix(this.ip.bytes, other.ip.bytes, this.bits);
  }

  toString(): string {
    return `${this.ip}/${this.bits}`;
  }
}

function maskBytes(bytes: Uint8Array, bits: number): Uint8Array {
  return bytes.map((byte, index) => {
    const kept = Math.max(0, Math.min(8, bits - 8 * index));
    return byte & ((0xff << (8 - kept)) & 0xff);
  });
}

function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const left = maskBytes(a, bits);
  const right = maskBytes(b, bits);
  return left.every((byte, index) => byte === right[index]);
}

class ParseError extends Error {}

/** netip's IPv4 parser: four decimal fields of at most 255, no leading zeros. */
function parseIPv4(text: string): Uint8Array {
  const fields = text.split('.');
  if (fields.length !== 4) throw new ParseError(fields.length < 4 ? 'IPv4 address too short' : 'IPv4 address too long');
  return Uint8Array.from(fields, (field) => {
    if (!/^[0-9]{1,3}$/.test(field)) throw new ParseError(field === '' ? 'IPv4 field must have at least one digit' : 'unexpected character');
    if (field.length > 1 && field.startsWith('0')) throw new ParseError('IPv4 field has octet with leading zero');
    const value = Number(field);
    if (value > 255) throw new ParseError('IPv4 field has value >255');
    return value;
  });
}

/** netip's IPv6 parser: hex groups of 1-4 digits, one `::` at most, an IPv4 tail in the last 32 bits. */
function parseIPv6(text: string): Uint8Array {
  if (text.includes('%')) throw new ParseError('zone');
  const halves = text.split('::');
  if (halves.length > 2) throw new ParseError('multiple :: in address');
  const groupsOf = (part: string, last: boolean): number[] => {
    if (part === '') return [];
    const fields = part.split(':');
    return fields.flatMap((field, index) => {
      if (last && index === fields.length - 1 && field.includes('.')) {
        const v4 = parseIPv4(field);
        return [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(field)) throw new ParseError(field === '' ? 'colon must be followed by more characters' : 'unexpected character');
      return [parseInt(field, 16)];
    });
  };
  const head = groupsOf(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? groupsOf(halves[1], true) : [];
  let groups: number[];
  if (halves.length === 2) {
    // `::` stands for at least one zero group.
    if (head.length + tail.length > 7) throw new ParseError('the :: must expand to at least one field of zeros');
    groups = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    if (head.length !== 8) throw new ParseError('address string too short');
    groups = head;
  }
  return Uint8Array.from(groups.flatMap((group) => [group >> 8, group & 0xff]));
}

/** netip.ParseAddr less zones and IPv4-mapped IPv6 addresses (ip.go parseIPAddr). */
export function parseIP(text: string): KubernetesIP {
  try {
    let bytes: Uint8Array;
    if (text.includes(':')) bytes = parseIPv6(text);
    else if (text.includes('.')) bytes = parseIPv4(text);
    else throw new ParseError('unable to parse IP');
    if (bytes.length === 16 && bytes.subarray(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
      throw new Error(`IPv4-mapped IPv6 address "${text}" is not allowed`);
    }
    return new KubernetesIP(bytes);
  } catch (error) {
    if (error instanceof ParseError) {
      throw new Error(text.includes('%') ? `IP address "${text}" with zone value is not allowed` : `IP Address "${text}" parse error during conversion from string: ${error.message}`);
    }
    throw error;
  }
}

/** netip.ParsePrefix less IPv4-mapped addresses (cidr.go parseCIDR): `address/bits`, bits without sign or leading zero. */
export function parseCIDR(text: string): KubernetesCIDR {
  const fail = (reason: string): never => {
    throw new Error(`network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix("${text}"): ${reason}`);
  };
  const slash = text.lastIndexOf('/');
  if (slash < 0) fail("no '/'");
  const address = text.slice(0, slash);
  if (address.includes('%')) fail('IPv6 zones cannot be present in a prefix');
  let ip: KubernetesIP | undefined;
  try {
    ip = parseIP(address);
  } catch (error) {
    fail((error as Error).message);
  }
  const bitsText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText)) fail(`bad bits after slash: "${bitsText}"`);
  const bits = Number(bitsText);
  if (bits > (ip!.family === 4 ? 32 : 128)) fail('prefix length out of range');
  return new KubernetesCIDR(ip!, bits);
}

const isIPv4 = (ip: KubernetesIP) => ip.family === 4;
const firstGroup = (ip: KubernetesIP) => (ip.bytes[0] << 8) | ip.bytes[1];
const isUnspecified = (ip: KubernetesIP) => ip.bytes.every((byte) => byte === 0);
const isLoopback = (ip: KubernetesIP) => (isIPv4(ip) ? ip.bytes[0] === 127 : ip.bytes.subarray(0, 15).every((byte) => byte === 0) && ip.bytes[15] === 1);
const isMulticast = (ip: KubernetesIP) => (isIPv4(ip) ? (ip.bytes[0] & 0xf0) === 0xe0 : ip.bytes[0] === 0xff);
const isLinkLocalUnicast = (ip: KubernetesIP) => (isIPv4(ip) ? ip.bytes[0] === 169 && ip.bytes[1] === 254 : (firstGroup(ip) & 0xffc0) === 0xfe80);
const isLinkLocalMulticast = (ip: KubernetesIP) => (isIPv4(ip) ? ip.bytes[0] === 224 && ip.bytes[1] === 0 && ip.bytes[2] === 0 : (firstGroup(ip) & 0xff0f) === 0xff02);
const isGlobalUnicast = (ip: KubernetesIP) =>
  !(isIPv4(ip) && (isUnspecified(ip) || ip.bytes.every((byte) => byte === 255)))
  && !isUnspecified(ip) && !isLoopback(ip) && !isMulticast(ip) && !isLinkLocalUnicast(ip);

const canParse = (parse: (text: string) => unknown) => (text: string) => {
  try { parse(text); return true; } catch { return false; }
};

/**
 * Adds the two libraries to a cel-js environment under Kubernetes' names: the types net.IP and net.CIDR, the
 * functions ip, isIP, cidr, isCIDR, string(), the IP members family, isUnspecified, isLoopback,
 * isLinkLocalMulticast, isLinkLocalUnicast, isGlobalUnicast and the CIDR members containsIP, containsCIDR, ip,
 * masked, prefixLength, with equality of IPs and of CIDRs. Not `ip.isCanonical`: cel-js reads `ip.` as a
 * variable, not as a function's namespace, so a rule using it fails synth's evaluation rather than passing.
 */
export function withKubernetesNetworkLibraries(environment: Environment): Environment {
  return environment
    .registerType('net.IP', KubernetesIP)
    .registerType('net.CIDR', KubernetesCIDR)
    .registerFunction('ip(string): net.IP', parseIP)
    .registerFunction('isIP(string): bool', canParse(parseIP))
    .registerFunction('string(net.IP): string', (ip: KubernetesIP) => ip.toString())
    .registerFunction('net.IP.family(): int', (ip: KubernetesIP) => BigInt(ip.family))
    .registerFunction('net.IP.isUnspecified(): bool', isUnspecified)
    .registerFunction('net.IP.isLoopback(): bool', isLoopback)
    .registerFunction('net.IP.isLinkLocalMulticast(): bool', isLinkLocalMulticast)
    .registerFunction('net.IP.isLinkLocalUnicast(): bool', isLinkLocalUnicast)
    .registerFunction('net.IP.isGlobalUnicast(): bool', isGlobalUnicast)
    .registerFunction('cidr(string): net.CIDR', parseCIDR)
    .registerFunction('isCIDR(string): bool', canParse(parseCIDR))
    .registerFunction('string(net.CIDR): string', (cidr: KubernetesCIDR) => cidr.toString())
    .registerFunction('net.CIDR.containsIP(string): bool', (cidr: KubernetesCIDR, text: string) => cidr.contains(parseIP(text)))
    .registerFunction('net.CIDR.containsIP(net.IP): bool', (cidr: KubernetesCIDR, ip: KubernetesIP) => cidr.contains(ip))
    .registerFunction('net.CIDR.containsCIDR(string): bool', (cidr: KubernetesCIDR, text: string) => cidr.containsCIDR(parseCIDR(text)))
    .registerFunction('net.CIDR.containsCIDR(net.CIDR): bool', (cidr: KubernetesCIDR, other: KubernetesCIDR) => cidr.containsCIDR(other))
    .registerFunction('net.CIDR.ip(): net.IP', (cidr: KubernetesCIDR) => cidr.ip)
    .registerFunction('net.CIDR.masked(): net.CIDR', (cidr: KubernetesCIDR) => cidr.masked())
    .registerFunction('net.CIDR.prefixLength(): int', (cidr: KubernetesCIDR) => BigInt(cidr.bits))
    .registerOperator('net.IP == net.IP', (a: KubernetesIP, b: KubernetesIP) => a.equals(b))
    .registerOperator('net.CIDR == net.CIDR', (a: KubernetesCIDR, b: KubernetesCIDR) => a.equals(b));
}
