/**
 * CEL building blocks for IPv4 arithmetic. Kubernetes' CEL ip/cidr library has no broadcast address,
 * so subnet rules compare integers instead: an address as a 32-bit number, a block as 2^(32-cidr).
 * Only standard CEL and the strings extension (split) are needed, which every Kubernetes version has.
 */

/** CEL expression: the dotted-quad string `field` as an integer. */
export function ipv4Int(field: string): string {
  return `cel.bind(o, ${field}.split('.'), int(o[0]) * 16777216 + int(o[1]) * 65536 + int(o[2]) * 256 + int(o[3]))`;
}

/** CEL list literal: 2^0 .. 2^32, indexed by (32 - cidr) for a subnet's block size. */
export const powersOfTwo = `[${Array.from({ length: 33 }, (_, n) => 2 ** n).join(', ')}]`;
