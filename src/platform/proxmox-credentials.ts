/**
 * How the Proxmox API credentials travel: the Secret the original project documents (keys api_url,
 * token_id, token_secret) is referenced by the provider config, which writes each key to a file beside
 * the module; the module reads the files. Nothing in dist/ holds a credential.
 *
 * The snippet bootstrap channel also needs SSH to the node (uploading a snippet is not in Proxmox's API).
 * Its keys live in the same Secret and are optional: provider-terraform writes an absent key as an empty
 * file, and the module passes an empty key or password on as unset. They are referenced only when
 * `fabric.bootstrap` is `snippet`, so the default channel never reads them.
 */
import { BootstrapChannel } from '../nixos/bootstrap-channel';

/** Secret key → file name in the Terraform working directory. */
export const CREDENTIAL_FILES = {
  api_url: 'proxmox-api-url',
  token_id: 'proxmox-token-id',
  token_secret: 'proxmox-token-secret',
} as const;

/** The snippet channel's SSH credentials: a user, and a private key or a password. */
export const SSH_CREDENTIAL_FILES = {
  ssh_username: 'proxmox-ssh-username',
  ssh_private_key: 'proxmox-ssh-private-key',
  ssh_password: 'proxmox-ssh-password',
} as const;

export type CredentialKey = keyof typeof CREDENTIAL_FILES | keyof typeof SSH_CREDENTIAL_FILES;

/** The Secret keys the provider config hands to Terraform for a bootstrap channel, with their file names. */
export function credentialFiles(bootstrap: BootstrapChannel = BootstrapChannel.SMBIOS): Readonly<Record<string, string>> {
  return bootstrap === BootstrapChannel.SNIPPET ? { ...CREDENTIAL_FILES, ...SSH_CREDENTIAL_FILES } : CREDENTIAL_FILES;
}

/** A Kubernetes Secret, by name: Fabric references credentials, never reads them. */
export interface SecretReference {
  readonly name: string;
  readonly namespace: string;
}

/** The Secret the original project documents: keys api_url, token_id and token_secret. */
export const DEFAULT_CREDENTIALS_SECRET: SecretReference = { name: 'proxmox-terraform-creds', namespace: 'crossplane-system' };
