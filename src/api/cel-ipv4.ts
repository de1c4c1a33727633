/**
 * CEL building blocks for the subnet rules, written so the API server can bound their cost. It estimates a
 * rule's cost before it accepts a CRD, at the worst case of every string the rule reads or builds, and
 * refuses the CRD when one rule's estimate exceeds its budget (k8s.io/apiextensions-apiserver v0.34.4
 * pkg/apis/apiextensions/validation/validation.go:58-61, 1250-1270, 951-959). A `string(...)` conversion has
 * no size it can bound, so `+` on one is estimated at the largest string there is (cel-go v0.26.0
 * checker/cost.go:824-840, AddString, over sizeOrUnknown:911-923): that is why the block's prefix is picked
 * from literals here (a conditional's size is its branches', cost.go:815-823), and messages are built with
 * `format`, whose cost is its format string's length plus its arguments' (cost.go:748-753). Equality of two
 * net.IP values is O(1) to the estimator (k8s.io/apiserver v0.34.4 pkg/cel/library/cost.go:503-512); `!=` is
 * not, so rules negate `==`.
 *
 * Subnets use Kubernetes' CIDR library (`cidr()`, `containsIP`, `masked()`), which CRD rules have from
 * Kubernetes 1.30 on (k8s.io/apiserver v0.32.13 and v0.34.4 pkg/cel/environment/base.go:139-145), every
 * version Crossplane v2.2.0 supports. It has no broadcast address, so that rule compares integers: an address
 * as a 32-bit number, a block as 2^(32-cidr).
 * No cel.bind: Kubernetes gives CRD rules no bindings library (base.go lists the libraries; ext.Bindings is
 * not one), so a rule using it fails to compile. An expression is repeated instead of bound.
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

/**
 * CEL string expression: `/<cidrField>` for a prefix length of 1 to 32, picked from literals so its size is
 * known (3 characters at most) where `'/' + string(cidrField)` would be unbounded.
 */
export function prefixSuffix(cidrField: string): string {
  let expression = `'/32'`;
  for (let bits = 31; bits >= 1; bits--) expression = `${cidrField} == ${bits} ? '/${bits}' : ${expression}`;
  return `(${expression})`;
}

/** CEL net.CIDR expression: the subnet `ipField`/`cidrField`, the address as written (mask it with `.masked()`). */
export function subnetOf(ipField: string, cidrField: string): string {
  return `cidr(${ipField} + ${prefixSuffix(cidrField)})`;
}
