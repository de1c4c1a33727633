/**
 * The Machine API's defaults, filled in as the API server fills them before it stores a Machine: the one
 * defaulting function. It runs the validator ajv compiled ahead of time from the document schema
 * (`npm run import` writes imports/machine-validator.ts; a test fails when it is stale), so neither ajv's
 * compiler nor a compile is needed at run time.
 */
import type { ValidateFunction } from 'ajv';
import { MACHINE_API_VERSION, MACHINE_KIND } from './machine-schema';

let loaded: ValidateFunction | undefined;

/** The compiled validator of a whole Machine document: every error reported, defaults filled in. */
export function machineDocumentValidator(): ValidateFunction {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= (require('../../imports/machine-validator') as { default: ValidateFunction }).default;
  return loaded;
}

/**
 * A copy of `spec` with the schema's defaults filled in, valid or not (what cannot be defaulted is left as
 * it is): the spec the API server would store.
 */
export function specWithDefaults<T extends object>(spec: T): T {
  const document = { apiVersion: MACHINE_API_VERSION, kind: MACHINE_KIND, metadata: { name: 'defaults' }, spec: structuredClone(spec) };
  machineDocumentValidator()(document);
  return document.spec;
}
