/**
 * Where a GitOps engine finds the synthesized manifests: a repository, a revision and a folder. No default
 * repository exists: a fleet never silently points its cluster at someone else's.
 */

export interface GitOpsSource {
  /** The git repository holding the synthesized manifests. */
  readonly repoURL: string;
  /** @default 'main' */
  readonly targetRevision: string;
  /** The folder synced, recursively. @default 'dist/cluster' */
  readonly path: string;
}

export const DEFAULT_TARGET_REVISION = 'main';
export const DEFAULT_SYNC_PATH = 'dist/cluster';

/** Which GitOps engine applies dist/cluster/: what synth writes for the user to apply once. */
export enum GitOpsEngine {
  /** An Argo CD Application and argocd-cm entries, in dist/argocd/. */
  ARGOCD = 'argocd',
  /** A Flux GitRepository and Kustomizations, in dist/flux/. */
  FLUX = 'flux',
}
