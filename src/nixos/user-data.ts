/**
 * The snippet channel's cloud-config, defined once as data. The template below is a typed object whose
 * leaves are literals or references to a Machine's values (`input('hostname')`). Two interpreters read it:
 *
 * - `userDataExpression()` renders it to one Terraform expression, `yamlencode(...)`, with each reference
 *   bound to a module variable or local, because the module is fixed per Composition and the
 *   Machine's values only arrive at apply time;
 * - `renderUserData(values)` fills in concrete values (from a Machine) and serializes with the yaml
 *   library, for tests and `cloud-init schema`.
 *
 * A top-level key is left out when a value it refers to is absent (no `nix`, no `bootstrap`, no domain),
 * so the user-data never carries a null. Nothing here writes under /nix/store, /run/current-system or
 * /etc/systemd/system, nor edits a file NixOS manages (/etc/hosts, sshd_config, sudoers): the flake
 * reference is dropped in /etc/fabric for the template's bootstrap unit, which does the rest.
 *
 * @see https://cloudinit.readthedocs.io/en/latest/reference/modules.html
 * @see docs/bootstrap.md
 */
import * as YAML from 'yaml';
import contract from './bootstrap-contract.json';

/** A Machine value the cloud-config refers to. */
export type UserDataInput = 'hostname' | 'fqdn' | 'adminUser' | 'sshAuthorizedKeys' | 'flakeRef';

/** A leaf of the template that stands for one input. */
export interface InputReference {
  readonly input: UserDataInput;
}

export type UserDataTemplate =
  | string
  | number
  | boolean
  | InputReference
  | readonly UserDataTemplate[]
  | { readonly [key: string]: UserDataTemplate };

const input = (name: UserDataInput): InputReference => ({ input: name });

/** Where the snippet channel leaves the flake reference; the template's bootstrap unit reads it first. */
export const FLAKE_REF_FILE: string = contract.flakeRefFile;

/** The login shell of the admin user: read from the current system, never assumed at /bin/bash. */
export const ADMIN_SHELL = '/run/current-system/sw/bin/bash';

/** The cloud-config, top-level key by key. */
export const USER_DATA_TEMPLATE: Readonly<Record<string, UserDataTemplate>> = {
  hostname: input('hostname'),
  fqdn: input('fqdn'),
  // NixOS owns /etc/hosts (a link into the store); the template's cloud-init runs no hosts module either.
  manage_etc_hosts: false,
  users: [
    {
      name: input('adminUser'),
      // The template lets wheel use sudo without a password; cloud-init's `sudo` would write /etc/sudoers.d.
      groups: ['wheel'],
      shell: ADMIN_SHELL,
      lock_passwd: true,
      ssh_authorized_keys: input('sshAuthorizedKeys'),
    },
  ],
  write_files: [{ path: FLAKE_REF_FILE, content: input('flakeRef'), owner: 'root:root', permissions: '0600' }],
};

/** Concrete values, as a Machine gives them. Absent: undefined, or an empty key list. */
export interface UserDataValues {
  readonly hostname: string;
  readonly fqdn?: string;
  readonly adminUser?: string;
  readonly sshAuthorizedKeys: readonly string[];
  readonly flakeRef?: string;
}

/** How the module binds each input: the expression, and when it counts as present. */
export interface TerraformBinding {
  readonly expression: string;
  readonly present: string;
}

const isReference = (template: UserDataTemplate): template is InputReference =>
  typeof template === 'object' && template !== null && !Array.isArray(template) && 'input' in template;

/** Every input a template refers to, in order of first use. */
export function inputsOf(template: UserDataTemplate): UserDataInput[] {
  if (isReference(template)) return [template.input];
  if (Array.isArray(template)) return [...new Set(template.flatMap(inputsOf))];
  if (typeof template === 'object') return [...new Set(Object.values(template).flatMap(inputsOf))];
  return [];
}

const isPresent = (value: UserDataValues[UserDataInput]) => value !== undefined && !(Array.isArray(value) && value.length === 0);

/** The cloud-config as an object, with concrete values; keys whose inputs are absent are left out. */
export function userDataObject(values: UserDataValues): Record<string, unknown> {
  const fill = (template: UserDataTemplate): unknown => {
    if (isReference(template)) return values[template.input];
    if (Array.isArray(template)) return template.map(fill);
    if (typeof template === 'object') return Object.fromEntries(Object.entries(template).map(([key, child]) => [key, fill(child)]));
    return template;
  };
  const config: Record<string, unknown> = {};
  for (const [key, template] of Object.entries(USER_DATA_TEMPLATE)) {
    if (inputsOf(template).every((name) => isPresent(values[name]))) config[key] = fill(template);
  }
  return config;
}

/** The user-data file: `#cloud-config` and the YAML document. */
export function renderUserData(values: UserDataValues): string {
  return `#cloud-config\n${YAML.stringify(userDataObject(values))}`;
}

/** A Terraform string literal: JSON quoting, with template sequences escaped so a literal stays literal. */
function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

const HCL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** How the Terraform module binds each input. */
export type TerraformBindings = Readonly<Record<UserDataInput, TerraformBinding>>;

/** One template value as a Terraform expression. */
function hclExpression(template: UserDataTemplate, bindings: TerraformBindings): string {
  if (isReference(template)) return bindings[template.input].expression;
  if (typeof template === 'string') return hclString(template);
  if (typeof template === 'number' || typeof template === 'boolean') return String(template);
  if (Array.isArray(template)) return `[${template.map((item) => hclExpression(item, bindings)).join(', ')}]`;
  const attributes = Object.entries(template as Record<string, UserDataTemplate>).map(
    ([key, child]) => `${HCL_IDENTIFIER.test(key) ? key : hclString(key)} = ${hclExpression(child, bindings)}`,
  );
  return `{ ${attributes.join(', ')} }`;
}

/**
 * The cloud-config document as one Terraform expression (without `#cloud-config` and without the
 * surrounding `${}`), each input bound as `bindings` says. Each key becomes `<inputs present> ? <value> : null`,
 * and a `for` expression drops the nulls before `yamlencode`.
 */
export function userDataExpression(bindings: TerraformBindings): string {
  const attributes = Object.entries(USER_DATA_TEMPLATE).map(([key, template]) => {
    const conditions = inputsOf(template).map((name) => bindings[name].present);
    const value = hclExpression(template, bindings);
    return `${key} = ${conditions.length === 0 ? value : `(${conditions.join(' && ')}) ? ${value} : null`}`;
  });
  return `yamlencode({ for key, value in { ${attributes.join(', ')} } : key => value if value != null })`;
}
