/**
 * `file:line:column` for the problems of YAML claims, so an editor can jump to the offending node. Found
 * only when synth refuses, by parsing again just the files that have problems: keeping every claim's
 * parsed nodes and line table until validation ends would cost every synth of a large fleet (issue #13)
 * for the rare run that fails. TypeScript claims get no position: their values may be computed.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { yamlMachineDocuments } from './claims';
import { Problem } from '../validation/problem';

type LinePos = ReturnType<YAML.LineCounter['linePos']>;

/** `problems`, each of a YAML claim with the line and column of the node it is about. */
export function withPositions(projectDir: string, problems: readonly Problem[]): Problem[] {
  const files = new Map<string, ((problem: Problem) => LinePos | undefined) | undefined>();
  return problems.map((problem) => {
    if (problem.line !== undefined || problem.index === undefined || !/\.ya?ml$/.test(problem.file)) return problem;
    if (!files.has(problem.file)) files.set(problem.file, locator(path.join(projectDir, problem.file)));
    const at = files.get(problem.file)?.(problem);
    return at ? { ...problem, line: at.line, column: at.col } : problem;
  });
}

/** Finds problems' positions in one YAML claim; undefined when the file can no longer be read as it was. */
function locator(file: string): ((problem: Problem) => LinePos | undefined) | undefined {
  const lines = new YAML.LineCounter();
  let documents: YAML.Document[];
  try {
    documents = yamlMachineDocuments(fs.readFileSync(file, 'utf8'), lines).map((d) => d.document);
  } catch {
    return undefined;
  }
  return (problem) => {
    const document = documents[problem.index!];
    const offset = document && offsetOf(document, problem.path ?? '', problem.key === true);
    return offset === undefined ? undefined : lines.linePos(offset);
  };
}

/**
 * Where `fieldPath` (`spec.dataDisks[1].size`) is in the document: its value; the key for a key that does not
 * belong, or whose value is an empty or block collection (which starts on a later line); for a path that is
 * not there (a missing field, a default), the deepest part that is; the Machine's first line for no path.
 */
function offsetOf(document: YAML.Document, fieldPath: string, atKey: boolean): number | undefined {
  let node: unknown = document.contents;
  let key: YAML.Node | undefined;
  let rest = fieldPath;
  while (rest !== '') {
    if (YAML.isAlias(node)) node = node.resolve(document);
    const item = /^\[(\d+)\]\.?/.exec(rest);
    let next: { node: unknown; key?: YAML.Node; length: number } | undefined;
    if (item && YAML.isSeq(node)) {
      next = Number(item[1]) < node.items.length ? { node: node.items[Number(item[1])], length: item[0].length } : undefined;
    } else if (YAML.isMap(node)) {
      // The longest key the path goes on with: keys may hold dots (labels such as app.kubernetes.io/name).
      const pair = node.items
        .map((p) => ({ pair: p, name: String(YAML.isScalar(p.key) ? p.key.value : p.key) }))
        .filter(({ name }) => rest === name || rest.startsWith(`${name}.`) || rest.startsWith(`${name}[`))
        .sort((a, b) => b.name.length - a.name.length)[0];
      const name = pair?.name ?? '';
      next = pair && { node: pair.pair.value, key: YAML.isNode(pair.pair.key) ? pair.pair.key : undefined, length: name.length + (rest[name.length] === '.' ? 1 : 0) };
    }
    if (!next) return (key ?? (node as YAML.Node | null))?.range?.[0];
    node = next.node;
    key = next.key;
    rest = rest.slice(next.length);
  }
  const value = node as YAML.Node | null;
  const empty = !value || (YAML.isScalar(value) && value.value === null && value.range?.[0] === value.range?.[1]);
  const block = YAML.isCollection(value) && !value.flow;
  return (key && (atKey || empty || block) ? key : value)?.range?.[0];
}
