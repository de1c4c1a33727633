/**
 * How the Proxmox API credentials travel: the Secret the original project documents (keys api_url,
 * token_id, token_secret) is referenced by the provider config, which writes each key to a file beside
 * the module; the module reads the files. Nothing in dist/ holds a credential.
 */

/** Secret key → file name in the Terraform working directory. */
export const CREDENTIAL_FILES = {
  api_url: 'proxmox-api-url',
  token_id: 'proxmox-token-id',
  token_secret: 'proxmox-token-secret',
} as const;

export type CredentialKey = keyof typeof CREDENTIAL_FILES;
