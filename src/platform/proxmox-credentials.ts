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

/**
 * The Proxmox cluster's CA, for a certificate Proxmox made itself: a stock node certificate is signed by the
 * cluster's own `pve-root-ca` (pve-cluster src/PVE/Cluster/Setup.pm:487-560), and bpg/proxmox has no CA
 * setting; its TLS config has no RootCAs (v0.111.1 proxmox/api/client.go:88-95), so Go's system pool decides.
 * The credentials Secret's optional key `ca_cert` (the PEM of /etc/pve/pve-root-ca.pem) is mounted into the
 * provider's pod and added to that pool through SSL_CERT_DIR, which Go reads as a colon-separated list of
 * directories, every file in each (go1.26 src/crypto/x509/root_unix.go:32-81). SSL_CERT_FILE would replace
 * the system bundle instead, and `terraform init` still needs it for the registry.
 */
export const PROXMOX_CA = {
  /** The Secret's key holding the CA certificate (PEM). */
  secretKey: 'ca_cert',
  /** Where the provider's container sees it. */
  mountDir: '/etc/fabric/proxmox-ca',
  file: 'pve-root-ca.pem',
  /** The system's directory first, so public CAs stay trusted. */
  sslCertDir: '/etc/ssl/certs:/etc/fabric/proxmox-ca',
} as const;

/** A Kubernetes Secret, by name: Fabric references credentials, never reads them. */
export interface SecretReference {
  readonly name: string;
  readonly namespace: string;
}

/** The Secret the original project documents: keys api_url, token_id and token_secret. */
export const DEFAULT_CREDENTIALS_SECRET: SecretReference = { name: 'proxmox-terraform-creds', namespace: 'crossplane-system' };
