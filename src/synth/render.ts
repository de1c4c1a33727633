/**
 * Renders charts to files: one object per file, in a folder per chart, named after kind, namespace and
 * name (`cluster/machines/machine.infra-machines.dns01.yaml`), so names never collide and diffs stay small.
 */
import { Chart, Yaml } from 'cdk8s';

/** Where ArgoCD-applied objects go, below dist/. */
export const CLUSTER_DIR = 'cluster';

/**
 * Charts written beside cluster/ rather than in it, by chart id → folder below dist/: what ArgoCD's
 * Application must not sync, such as the Application itself.
 */
export const CHART_FOLDERS: Readonly<Record<string, string>> = { argocd: 'argocd' };

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [key: string]: unknown;
}

export function objectFileName(object: KubernetesObject): string {
  const { namespace, name } = object.metadata;
  return `${object.kind.toLowerCase()}.${namespace ? `${namespace}.` : ''}${name}.yaml`;
}

/** Every object of the charts by its file, `cluster/<chart>/<file>` (or `<CHART_FOLDERS[chart]>/<file>`). */
export function renderObjects(charts: readonly Chart[]): Map<string, KubernetesObject> {
  const objects = new Map<string, KubernetesObject>();
  for (const chart of charts) {
    const folder = CHART_FOLDERS[chart.node.id] ?? `${CLUSTER_DIR}/${chart.node.id}`;
    for (const object of chart.toJson() as KubernetesObject[]) {
      const file = `${folder}/${objectFileName(object)}`;
      if (objects.has(file)) throw new Error(`two objects would be written to dist/${file}`);
      objects.set(file, object);
    }
  }
  return objects;
}

/**
 * The objects as YAML files (YAML 1.1, as kubectl reads them). `renderedBefore` may give a file's YAML as
 * rendered from the same object by an earlier run, which is then not rendered again.
 */
export function toYamlFiles(objects: ReadonlyMap<string, KubernetesObject>, renderedBefore: (file: string) => string | undefined = () => undefined): Map<string, string> {
  const files = new Map<string, string>();
  for (const [file, object] of objects) files.set(file, renderedBefore(file) ?? Yaml.stringify(object));
  return files;
}
