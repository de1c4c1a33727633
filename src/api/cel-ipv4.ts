/**
 * CEL building blocks for IPv4 arithmetic. Kubernetes' CEL ip/cidr library has no broadcast address,
 * so subnet rules compare integers instead: an address as a 32-bit number, a block as 2^(32-cidr).
 * Only standard CEL and the strings extension (split) are needed, which every Kubernetes version has.
 * No cel.bind: Kubernetes gives CRD rules no bindings library (k8s.io/apiserver pkg/cel/environment/base.go
 * lists the libraries; ext.Bindings is not one), so a rule using it fails to compile and the API server
 * refuses the CRD Crossplane derives from the XRD. An expression is repeated instead of bound.
 */

/** CEL expression: the dotted-quad string `field` as an integer. */
export function ipv4Int(field: string): string {
  const octet = (index: number) => `int(${field}.split('.')[${index}])`;
  return `(${octet(0)} * 16777216 + ${octet(1)} * 65536 + ${octet(2)} * 256 + ${octet(3)})`;
}

/** CEL list literal: 2^0 .. 2^32, indexed by (32 - cidr) for a subnet's block size. */
const powersOfTwo = `[${Array.from({ length: 33 }, (_, n) => 2 ** n).join(', ')}]`;

/** CEL expression: the size of the subnet `cidrField` prefixes (2^(32-cidr) addresses). */
export function blockSize(cidrField: string): string {
  return `${powersOfTwo}[32 - ${cidrField}]`;
}

/** CEL string expression: the network address of `ipField`/`cidrField` in dotted-quad notation. */
export function networkAddress(ipField: string, cidrField: string): string {
  const network = `(${ipv4Int(ipField)} - ${ipv4Int(ipField)} % ${blockSize(cidrField)})`;
  const octet = (divisor: number) => `string(${network} / ${divisor} % 256)`;
  return [octet(16777216), octet(65536), octet(256), octet(1)].join(" + '.' + ");
}
