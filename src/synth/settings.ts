/**
 * Project settings: the `fabric` section of package.json, one documented place for everything that is
 * per site rather than per Machine. Every key is optional; defaults are resolved here, once.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ProviderRuntimeSettings, resolveProviderRuntime } from '../platform/provider-runtime';
import { httpsRepoUrl, originUrl } from './git-remote';

/** A setting in package.json that is wrong or missing: the message names it and what to set. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** Which Crossplane topology the whole output uses. */
export enum Topology {
  /** Crossplane v2: namespaced Machines composing namespaced tf.m.upbound.io Workspaces. */
  NAMESPACED = 'namespaced',
  /** The original project's: a v1 XRD with XMachine composites and Machine claims, cluster-scoped tf.upbound.io Workspaces. */
  LEGACY = 'legacy',
}

/** How the NixOS bootstrap data reaches the VM. */
export enum BootstrapChannel {
  /** Proxmox's built-in cloud-init plus SMBIOS fields: an API token is enough. */
  SMBIOS = 'smbios',
  /** A full cloud-config uploaded as a Proxmox snippet: needs SSH to the node. */
  SNIPPET = 'snippet',
}

/** The defaults shared by package.json settings and the constructs a cdk8s app of your own composes. */
export const DEFAULTS = {
  targetRevision: 'main',
  syncPath: 'dist/cluster',
  snippetDatastore: 'local',
  credentialsSecret: { name: 'proxmox-terraform-creds', namespace: 'crossplane-system' },
} as const;

export interface SecretReference {
  readonly name: string;
  readonly namespace: string;
}

export interface GitOpsSettings {
  /** The repository Argo CD syncs from. In package.json: @default - the git remote `origin`, as https */
  readonly repoURL: string;
  /** @default 'main' */
  readonly targetRevision: string;
  /** Path ArgoCD syncs. @default 'dist/cluster' */
  readonly path: string;
}

export interface FabricSettings {
  /** @default Topology.NAMESPACED */
  readonly topology: Topology;
  /** @default BootstrapChannel.SMBIOS */
  readonly bootstrap: BootstrapChannel;
  /**
   * Proxmox storage the snippet channel uploads user-data to; it must allow the `snippets` content type.
   * Unused by the SMBIOS channel. @default 'local'
   */
  readonly snippetDatastore: string;
  readonly gitops: GitOpsSettings;
  /** The Secret holding api_url, token_id, token_secret. @default proxmox-terraform-creds in crossplane-system */
  readonly credentialsSecret: SecretReference;
  /** Accept the Proxmox API's self-signed certificate. @default false */
  readonly insecureSkipTlsVerify: boolean;
  /** provider-terraform's concurrency, drift-check interval and pod size. @default PROVIDER_RUNTIME_DEFAULTS */
  readonly provider: ProviderRuntimeSettings;
}

export type FabricSettingsInput = Partial<Omit<FabricSettings, 'gitops' | 'credentialsSecret' | 'provider'>> & {
  readonly provider?: Partial<ProviderRuntimeSettings>;
  readonly gitops?: Partial<GitOpsSettings>;
  readonly credentialsSecret?: Partial<SecretReference>;
};

/** pve-storage-id: the snippet datastore reaches the module as a literal, so nothing else gets through. */
const PROXMOX_STORAGE_ID = /^[a-z][a-z0-9_.-]*[a-z0-9]$/;

export function resolveSettings(input: FabricSettingsInput = {}): FabricSettings {
  const topology = input.topology ?? Topology.NAMESPACED;
  if (!Object.values(Topology).includes(topology)) {
    throw new SettingsError(`package.json: fabric.topology must be one of ${Object.values(Topology).join(', ')}, got ${JSON.stringify(topology)}`);
  }
  const bootstrap = input.bootstrap ?? BootstrapChannel.SMBIOS;
  if (!Object.values(BootstrapChannel).includes(bootstrap)) {
    throw new SettingsError(`package.json: fabric.bootstrap must be one of ${Object.values(BootstrapChannel).join(', ')}, got ${JSON.stringify(bootstrap)}`);
  }
  const snippetDatastore = input.snippetDatastore ?? DEFAULTS.snippetDatastore;
  if (!PROXMOX_STORAGE_ID.test(snippetDatastore)) {
    throw new SettingsError(`package.json: fabric.snippetDatastore must be a Proxmox storage id (${PROXMOX_STORAGE_ID.source}), got ${JSON.stringify(snippetDatastore)}`);
  }
  // No default: a project never silently points Argo CD at someone else's repository (loadSettings finds it).
  const repoURL = input.gitops?.repoURL;
  if (!repoURL) throw new SettingsError('package.json: fabric.gitops.repoURL is not set: the repository Argo CD syncs dist/ from');
  return {
    topology,
    bootstrap,
    snippetDatastore,
    gitops: {
      repoURL,
      targetRevision: input.gitops?.targetRevision ?? DEFAULTS.targetRevision,
      path: input.gitops?.path ?? DEFAULTS.syncPath,
    },
    credentialsSecret: {
      name: input.credentialsSecret?.name ?? DEFAULTS.credentialsSecret.name,
      namespace: input.credentialsSecret?.namespace ?? DEFAULTS.credentialsSecret.namespace,
    },
    insecureSkipTlsVerify: input.insecureSkipTlsVerify ?? false,
    provider: resolveProviderRuntime(input.provider),
  };
}

/**
 * Reads the `fabric` section of the package.json in `projectDir`. The repository Argo CD syncs from has no
 * default: `fabric.gitops.repoURL`, else the project's git remote `origin` as https (git-remote.ts), else
 * an error, so a project never silently points Argo CD at someone else's repository.
 */
export function loadSettings(projectDir: string): FabricSettings {
  const manifest = JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as { fabric?: FabricSettingsInput };
  const fabric = manifest.fabric ?? {};
  const repoURL = fabric.gitops?.repoURL ?? repoUrlFromGit(projectDir);
  return resolveSettings({ ...fabric, gitops: { ...fabric.gitops, repoURL } });
}

function repoUrlFromGit(projectDir: string): string {
  const remote = originUrl(projectDir);
  const url = remote === undefined ? undefined : httpsRepoUrl(remote);
  if (url) return url;
  throw new SettingsError(remote === undefined
    ? 'package.json: fabric.gitops.repoURL is not set and the project has no git remote "origin"; set it to the repository Argo CD syncs dist/ from, e.g. "https://github.com/you/fleet.git"'
    : `package.json: fabric.gitops.repoURL is not set and the git remote "origin" (${JSON.stringify(remote)}) is not a network repository; set it to the repository Argo CD syncs dist/ from`);
}
