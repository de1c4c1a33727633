/**
 * How the NixOS bootstrap data (the flake reference, the admin user) reaches a new VM: the choice the
 * Terraform module and the provider config are built for (docs/bootstrap.md says why there are two).
 */

export enum BootstrapChannel {
  /** Proxmox's built-in cloud-init plus SMBIOS fields: an API token is enough. */
  SMBIOS = 'smbios',
  /** A full cloud-config uploaded as a Proxmox snippet: needs SSH to the node. */
  SNIPPET = 'snippet',
}

/** The Proxmox storage (with the `snippets` content type) the snippet channel uploads user-data to, unless told. */
export const DEFAULT_SNIPPET_DATASTORE = 'local';

/** pve-storage-id: the snippet datastore reaches the module as a literal, so nothing else may get through. */
export const PROXMOX_STORAGE_ID = /^[a-z][a-z0-9_.-]*[a-z0-9]$/;
