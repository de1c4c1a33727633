/**
 * What a user applies once, by hand, to hand the cluster to Flux (the counterparts of argocd.ts): the
 * GitRepository Flux fetches the synthesized manifests from, and a chain of Kustomizations that applies
 * them stage by stage, each waiting until the one before is healthy (src/gitops/flux.ts, docs/flux.md).
 *
 * Nothing secret is written: a private repository's credentials are a Secret the user creates and names.
 *
 * @see https://fluxcd.io/flux/components/source/gitrepositories/
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Kustomization, KustomizationSpecDeletionPolicy, KustomizationSpecSourceRefKind } from '../../imports/kustomize.toolkit.fluxcd.io';
import { GitRepository, GitRepositorySpecRef } from '../../imports/source.toolkit.fluxcd.io';
import { FLUX_HEALTH_CHECK_EXPRS, FLUX_NAMESPACE, FLUX_SOURCE_NAME, FLUX_STAGES, FluxHealthCheckExpr, FluxStage } from '../gitops/flux';
import { groupKind } from '../gitops/sync-policy';
import { DEFAULT_SYNC_PATH, DEFAULT_TARGET_REVISION } from '../gitops/source';
import { FabricError } from '../util/errors';

export interface FluxGitRepositoryProps {
  /** The git repository holding the synthesized manifests; no default: it is yours. */
  readonly repoURL: string;
  /**
   * What to fetch: a branch, a full reference (`refs/tags/v1.2.0`, `refs/heads/main`) or a commit (40 hex
   * digits). @default 'main'
   */
  readonly targetRevision?: string;
  /** The folder the Kustomizations read; the artifact holds nothing else. @default 'dist/cluster' */
  readonly path?: string;
  /**
   * A Secret in `namespace` with the repository's credentials (e.g. made by `flux create secret git`), for a
   * private repository. Referenced by name, never written. @default - none: a public repository
   */
  readonly secretName?: string;
  /** @default 'fabric' */
  readonly name?: string;
  /** Where Flux runs. @default 'flux-system' */
  readonly namespace?: string;
}

/** Flux's GitRepository: where the Kustomizations read the synthesized manifests from. */
export class FluxGitRepository extends Construct {
  public readonly repoURL: string;
  public readonly targetRevision: string;
  public readonly path: string;
  /** The GitRepository object. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: FluxGitRepositoryProps) {
    super(scope, id);
    if (!props.repoURL) throw new FabricError('FluxGitRepository: repoURL is required (the repository Flux fetches)');
    this.repoURL = props.repoURL;
    this.targetRevision = props.targetRevision ?? DEFAULT_TARGET_REVISION;
    this.path = trimSlashes(props.path ?? DEFAULT_SYNC_PATH);
    this.apiObject = new GitRepository(this, 'Resource', {
      metadata: { name: props.name ?? FLUX_SOURCE_NAME, namespace: props.namespace ?? FLUX_NAMESPACE },
      spec: {
        interval: '1m',
        url: this.repoURL,
        ref: gitReference(this.targetRevision),
        ...(props.secretName ? { secretRef: { name: props.secretName } } : {}),
        // .gitignore syntax: the artifact holds only the synced folder, so a change elsewhere (claims/,
        // docs/) makes no new artifact to apply.
        ignore: `/*\n!/${this.path}/\n`,
      },
    });
  }
}

/** The GitRepository `ref` for an Argo CD-style target revision. */
function gitReference(revision: string): GitRepositorySpecRef {
  if (/^[0-9a-f]{40}$/.test(revision)) return { commit: revision };
  if (revision.startsWith('refs/')) return { name: revision };
  return { branch: revision };
}

function trimSlashes(folder: string): string {
  return folder.replace(/^(\.\/)+/, '').replace(/^\/+|\/+$/g, '');
}

export interface FluxKustomizationsProps {
  /** The GitRepository the Kustomizations apply from (in `namespace`). @default 'fabric' */
  readonly sourceName?: string;
  /**
   * The synced folder in the repository: each stage applies its folder below it
   * (`platform/packages`, `platform/provider-config`, `platform/definition`, `platform/composition`,
   * `machines`), where `npm run synth` writes that stage's objects. @default 'dist/cluster'
   */
  readonly path?: string;
  /** The Kustomizations' names are `<namePrefix>-<stage>`. @default 'fabric' */
  readonly namePrefix?: string;
  /** Where Flux runs. @default 'flux-system' */
  readonly namespace?: string;
}

/**
 * The chain of Flux Kustomizations that applies Fabric's output in order, each stage only once the one
 * before is healthy: Crossplane packages and namespaces, the provider config, the XRD, the Composition, the
 * Machines. The foundation is never pruned nor deleted with its Kustomization; Machines are pruned when their
 * claim leaves git, never deleted with the Kustomization. Machines, Providers, Functions and the XRD are judged
 * by CEL health checks (a Machine whose Workspace failed is Failed, not in progress).
 */
export class FluxKustomizations extends Construct {
  /** The Kustomization of each stage, by stage id (`packages`, …, `machines`), in order. */
  public readonly kustomizations: ReadonlyMap<string, ApiObject>;

  constructor(scope: Construct, id: string, props: FluxKustomizationsProps = {}) {
    super(scope, id);
    const prefix = props.namePrefix ?? FLUX_SOURCE_NAME;
    const base = trimSlashes(props.path ?? DEFAULT_SYNC_PATH);
    const kustomizations = new Map<string, ApiObject>();
    let previous: FluxStage | undefined;
    for (const stage of FLUX_STAGES) {
      kustomizations.set(stage.id, new Kustomization(this, stage.id, {
        metadata: { name: `${prefix}-${stage.id}`, namespace: props.namespace ?? FLUX_NAMESPACE },
        spec: {
          interval: '10m',
          retryInterval: '1m',
          sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: props.sourceName ?? FLUX_SOURCE_NAME },
          path: `./${base}/${stage.folder}`,
          prune: stage.prune,
          // Orphan: deleting a Kustomization never deletes what it applied (Argo CD's Delete=false).
          deletionPolicy: KustomizationSpecDeletionPolicy.ORPHAN,
          ...(previous ? { dependsOn: [{ name: `${prefix}-${previous.id}` }] } : {}),
          // Health-check every object applied; dependents wait for this one's Ready, which includes it.
          wait: true,
          timeout: stage.timeout,
          ...healthChecksFor(stage),
        },
      }));
      previous = stage;
    }
    this.kustomizations = kustomizations;
  }
}

/** The expressions for the kinds this stage applies; kstatus judges the others. */
function healthChecksFor(stage: FluxStage): { healthCheckExprs?: FluxHealthCheckExpr[] } {
  const exprs = FLUX_HEALTH_CHECK_EXPRS.filter((expr) => stage.kinds.includes(groupKind(expr.apiVersion, expr.kind)));
  return exprs.length > 0 ? { healthCheckExprs: exprs.map((expr) => ({ ...expr })) } : {};
}
