/**
 * The metadata a Machine claim may carry, as a structural schema: synth checks it at every run, and the
 * generated validator (src/validation/machine-document-schema.ts) includes it.
 */
import { StructuralSchema } from './structural-schema';
import { RFC1123_LABEL } from './machine-schema';

/** The metadata a claim may carry; anything else would be dropped or is not the claim's to set. */
export const METADATA_SCHEMA: StructuralSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 63, pattern: RFC1123_LABEL },
    namespace: { type: 'string', maxLength: 63, pattern: RFC1123_LABEL },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
};
