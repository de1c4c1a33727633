import { StructuralSchema } from './structural-schema';

/** The schema node at a dotted field path (`spec.dataDisks` or `spec.dataDisks[].size`), if any. */
export function schemaAt(root: StructuralSchema, fieldPath: string): StructuralSchema | undefined {
  let node: StructuralSchema | undefined = root;
  for (const segment of fieldPath.split('.')) {
    const name = segment.replace(/\[\]$/, '');
    node = node?.properties?.[name] ?? node?.additionalProperties;
    if (segment.endsWith('[]')) node = node?.items;
    if (!node) return undefined;
  }
  return node;
}
