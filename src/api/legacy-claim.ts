/**
 * The claim fields of a legacy Machine as written to dist/ (the Machine construct, src/constructs/machine.ts,
 * writes them; the plan strips them to compare Machine API specs).
 */

/** Fields a legacy Machine claim carries besides the Machine API's own (Crossplane's claim fields). */
export const CLAIM_SPEC_FIELDS = ['compositeDeletePolicy'] as const;

/** A Machine's spec as written to dist/, back to the Machine API's own fields (for the plan). */
export function machineSpecOf<T extends object>(spec: T): T {
  const own = { ...spec } as Record<string, unknown>;
  for (const field of CLAIM_SPEC_FIELDS) delete own[field];
  return own as T;
}
