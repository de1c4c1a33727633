/**
 * Project settings: the `fabric` section of package.json, one documented place for everything that is
 * per site rather than per Machine. Every key is optional; defaults are resolved here, once.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Topology } from '../api/topology';
import { BootstrapChannel, DEFAULT_SNIPPET_DATASTORE, PROXMOX_STORAGE_ID } from '../nixos/bootstrap-channel';
import { ProviderRuntimeSettings, resolveProviderRuntime } from '../platform/provider-runtime';
import { DEFAULT_CREDENTIALS_SECRET, SecretReference } from '../platform/proxmox-credentials';
import { DEFAULT_SYNC_PATH, DEFAULT_TARGET_REVISION, GitOpsEngine, GitOpsSource } from '../gitops/source';
import { MonitoringSettings, MonitoringSettingsInput, resolveMonitoringSettings } from '../monitoring/settings';
import { FabricError } from '../util/errors';
import { findCredentials } from '../validation/secret-scan';
import { httpsRepoUrl, originUrl } from './git-remote';
import { resolveSite, SiteSettings, SiteSettingsInput } from './site-settings';

/** A setting in package.json that is wrong or missing: the message names it and what to set. */
export class SettingsError extends FabricError {}

/** What the GitOps engine syncs, and which engine: package.json `fabric.gitops`. */
export interface GitOpsSettings extends GitOpsSource {
  /** @default GitOpsEngine.ARGOCD */
  readonly engine: GitOpsEngine;
  /** Flux only: the Secret (in flux-system) with the repository's credentials, for a private repository. */
  readonly secretName?: string;
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
  /** Node exporters, scrape configuration, alerts and Machine metrics (docs/monitoring.md). @default undefined (off) */
  readonly monitoring?: MonitoringSettings;
  /** The Proxmox nodes' capacity, IP pools and VMID range (site-settings.ts). @default - none of them */
  readonly site: SiteSettings;
}

export type FabricSettingsInput = Partial<Omit<FabricSettings, 'gitops' | 'credentialsSecret' | 'provider' | 'monitoring' | 'site'>> & {
  readonly monitoring?: MonitoringSettingsInput | boolean;
  readonly site?: SiteSettingsInput;
  readonly provider?: Partial<ProviderRuntimeSettings>;
  readonly gitops?: Partial<GitOpsSettings>;
  readonly credentialsSecret?: Partial<SecretReference>;
};

export function resolveSettings(input: FabricSettingsInput = {}): FabricSettings {
  const topology = input.topology ?? Topology.NAMESPACED;
  if (!Object.values(Topology).includes(topology)) {
    throw new SettingsError(`package.json: fabric.topology must be one of ${Object.values(Topology).join(', ')}, got ${JSON.stringify(topology)}`);
  }
  const bootstrap = input.bootstrap ?? BootstrapChannel.SMBIOS;
  if (!Object.values(BootstrapChannel).includes(bootstrap)) {
    throw new SettingsError(`package.json: fabric.bootstrap must be one of ${Object.values(BootstrapChannel).join(', ')}, got ${JSON.stringify(bootstrap)}`);
  }
  const snippetDatastore = input.snippetDatastore ?? DEFAULT_SNIPPET_DATASTORE;
  if (!PROXMOX_STORAGE_ID.test(snippetDatastore)) {
    throw new SettingsError(`package.json: fabric.snippetDatastore must be a Proxmox storage id (${PROXMOX_STORAGE_ID.source}), got ${JSON.stringify(snippetDatastore)}`);
  }
  // No default: a project never silently points Argo CD at someone else's repository (loadSettings finds it).
  const repoURL = input.gitops?.repoURL;
  const engine = input.gitops?.engine ?? GitOpsEngine.ARGOCD;
  if (!Object.values(GitOpsEngine).includes(engine)) {
    throw new SettingsError(`package.json: fabric.gitops.engine must be one of ${Object.values(GitOpsEngine).join(', ')}, got ${JSON.stringify(engine)}`);
  }
  if (!repoURL) throw new SettingsError('package.json: fabric.gitops.repoURL is not set: the repository Argo CD syncs dist/ from');
  // The URL is written to dist/ (the Application, the GitRepository): credentials go in a Secret instead.
  const inUrl = findCredentials(repoURL)[0];
  if (inUrl) {
    throw new SettingsError(`package.json: fabric.gitops.repoURL holds ${inUrl.what}, which synth would write to dist/; give the engine a Secret instead (Flux: fabric.gitops.secretName; Argo CD: a repository credential)`);
  }
  return {
    topology,
    bootstrap,
    snippetDatastore,
    gitops: {
      repoURL,
      targetRevision: input.gitops?.targetRevision ?? DEFAULT_TARGET_REVISION,
      path: input.gitops?.path ?? DEFAULT_SYNC_PATH,
      engine,
      ...(input.gitops?.secretName ? { secretName: input.gitops.secretName } : {}),
    },
    credentialsSecret: {
      name: input.credentialsSecret?.name ?? DEFAULT_CREDENTIALS_SECRET.name,
      namespace: input.credentialsSecret?.namespace ?? DEFAULT_CREDENTIALS_SECRET.namespace,
    },
    insecureSkipTlsVerify: input.insecureSkipTlsVerify ?? false,
    provider: resolveProviderRuntime(input.provider),
    ...monitoringOf(input.monitoring),
    site: resolveSite(input.site),
  };
}

function monitoringOf(input: FabricSettingsInput['monitoring']): { monitoring?: MonitoringSettings } {
  const monitoring = resolveMonitoringSettings(input, (message) => new SettingsError(message));
  return monitoring ? { monitoring } : {};
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
