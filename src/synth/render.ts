/**
 * Renders charts to files: one object per file, in a folder per chart, named after kind, namespace and
 * name (`cluster/machines/machine.infra-machines.dns01.yaml`), so names never collide and diffs stay small.
 */
import { Chart, Yaml } from 'cdk8s';
import { fluxStageOf } from '../gitops/flux';
import { groupKind } from '../gitops/sync-policy';

/** Where the objects the GitOps engine applies go, below dist/. */
export const CLUSTER_DIR = 'cluster';

/**
 * Charts written beside cluster/ rather than in it, by chart id → folder below dist/: what the GitOps engine
 * must not sync, such as the Argo CD Application or the Flux Kustomizations themselves.
 */
export const CHART_FOLDERS: Readonly<Record<string, string>> = { argocd: 'argocd', flux: 'flux' };

/**
 * The chart whose objects are split into a folder per Flux stage (`cluster/platform/packages/`, …): a Flux
 * Kustomization applies one folder, and each stage waits for the one before (src/gitops/flux.ts). Argo CD
 * syncs cluster/ recursively, so the sub-folders change nothing for it.
 */
const STAGED_CHART = 'platform';

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

/**
 * Every object of the charts by its file, `cluster/<chart>/<file>` (or `<CHART_FOLDERS[chart]>/<file>`; the
 * platform's in the folder of its Flux stage, `cluster/platform/<stage>/<file>`).
 */
export function renderObjects(charts: readonly Chart[]): Map<string, KubernetesObject> {
  const objects = new Map<string, KubernetesObject>();
  for (const chart of charts) {
    const chartFolder = CHART_FOLDERS[chart.node.id] ?? `${CLUSTER_DIR}/${chart.node.id}`;
    const folderOf = (object: KubernetesObject) => (chart.node.id === STAGED_CHART ? `${CLUSTER_DIR}/${stageFolder(object)}` : chartFolder);
    for (const object of chart.toJson() as KubernetesObject[]) {
      const file = `${folderOf(object)}/${objectFileName(object)}`;
      if (objects.has(file)) throw new Error(`two objects would be written to dist/${file}`);
      objects.set(file, object);
    }
  }
  return objects;
}

function stageFolder(object: KubernetesObject): string {
  const key = groupKind(object.apiVersion, object.kind);
  const stage = fluxStageOf(key);
  if (!stage) throw new Error(`no Flux stage for ${key} ${object.metadata.name}: add it to FLUX_STAGES in src/gitops/flux.ts`);
  return stage.folder;
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
