/**
 * Users, API tokens, roles, ACLs and pools, and Proxmox's permission checks, ported from pve-access-control:
 * PVE 9 from 9.0.7 (commit 4858e4a5), PVE 8 privilege names from 8.2.2 (commit 25dd3756), both
 * src/PVE/AccessControl.pm and src/PVE/RPCEnvironment.pm.
 */
import { Permissions, PermissionCheck } from './schema';

export type PveMajor = 8 | 9;

/**
 * The privilege groups create_roles derives the built-in roles from (AccessControl.pm:1057-1164 in 9.0.7;
 * in 8.2.2 the VM group has VM.Monitor and lacks VM.GuestAgent.* and VM.Replicate).
 */
function privilegeGroups(major: PveMajor): Record<string, { root: string[]; admin: string[]; user: string[]; audit: string[] }> {
  const vm = major === 9
    ? {
      root: [],
      admin: ['VM.Config.Disk', 'VM.Config.CPU', 'VM.Config.Memory', 'VM.Config.Network', 'VM.Config.HWType', 'VM.Config.Options',
        'VM.Allocate', 'VM.Clone', 'VM.GuestAgent.Unrestricted', 'VM.Migrate', 'VM.Replicate', 'VM.Snapshot', 'VM.Snapshot.Rollback'],
      user: ['VM.Config.CDROM', 'VM.Config.Cloudinit', 'VM.Console', 'VM.Backup', 'VM.GuestAgent.FileRead', 'VM.GuestAgent.FileSystemMgmt',
        'VM.GuestAgent.FileWrite', 'VM.PowerMgmt'],
      audit: ['VM.Audit', 'VM.GuestAgent.Audit'],
    }
    : {
      root: [],
      admin: ['VM.Config.Disk', 'VM.Config.CPU', 'VM.Config.Memory', 'VM.Config.Network', 'VM.Config.HWType', 'VM.Config.Options',
        'VM.Allocate', 'VM.Clone', 'VM.Migrate', 'VM.Monitor', 'VM.Snapshot', 'VM.Snapshot.Rollback'],
      user: ['VM.Config.CDROM', 'VM.Config.Cloudinit', 'VM.Console', 'VM.Backup', 'VM.PowerMgmt'],
      audit: ['VM.Audit'],
    };
  return {
    VM: vm,
    Sys: { root: ['Sys.PowerMgmt', 'Sys.Modify', 'Sys.Incoming', 'Sys.AccessNetwork'], admin: ['Sys.Console', 'Sys.Syslog'], user: [], audit: ['Sys.Audit'] },
    Datastore: { root: [], admin: ['Datastore.Allocate', 'Datastore.AllocateTemplate'], user: ['Datastore.AllocateSpace'], audit: ['Datastore.Audit'] },
    SDN: { root: [], admin: ['SDN.Allocate', 'SDN.Audit'], user: ['SDN.Use'], audit: ['SDN.Audit'] },
    User: { root: ['Realm.Allocate'], admin: ['User.Modify', 'Group.Allocate', 'Realm.AllocateUser'], user: [], audit: [] },
    Pool: { root: [], admin: ['Pool.Allocate'], user: ['Pool.Audit'], audit: ['Pool.Audit'] },
    Mapping: { root: [], admin: ['Mapping.Modify'], user: ['Mapping.Use'], audit: ['Mapping.Audit'] },
  };
}

export interface PrivilegeSet {
  readonly valid: ReadonlySet<string>;
  readonly builtinRoles: Readonly<Record<string, ReadonlySet<string>>>;
}

/** AccessControl.pm:1166-1204 ($valid_privs, $special_roles, create_roles). */
export function privilegeSet(major: PveMajor): PrivilegeSet {
  const valid = new Set<string>(['Permissions.Modify']);
  const roles: Record<string, Set<string>> = { NoAccess: new Set() };
  const role = (name: string) => (roles[name] ??= new Set());
  for (const [category, group] of Object.entries(privilegeGroups(major))) {
    for (const privilege of [...group.root, ...group.admin, ...group.user, ...group.audit]) valid.add(privilege);
    for (const privilege of [...group.admin, ...group.user, ...group.audit]) {
      role(`PVE${category}Admin`).add(privilege);
      role('PVEAdmin').add(privilege);
    }
    if (group.user.length > 0) for (const privilege of [...group.user, ...group.audit]) role(`PVE${category}User`).add(privilege);
    for (const privilege of group.audit) role('PVEAuditor').add(privilege);
  }
  roles.PVEAdmin.delete('Mapping.Modify');
  roles.PVETemplateUser = new Set(['VM.Clone', 'VM.Audit']);
  roles.Administrator = valid; // all privileges
  return { valid, builtinRoles: roles };
}

/** One ACL entry: a role for a user, group or token on a path; propagate defaults to true as in Proxmox. */
export interface AclEntry {
  readonly path: string;
  readonly role: string;
  readonly user?: string;
  readonly group?: string;
  readonly token?: string;
  readonly propagate?: boolean;
}

export interface TokenSpec { readonly id: string; readonly secret: string; readonly privsep?: boolean; readonly expire?: number }
export interface UserSpec { readonly id: string; readonly enabled?: boolean; readonly groups?: readonly string[]; readonly tokens?: readonly TokenSpec[] }

/** A plain Perl `die "...\n"`: pve-manager's rest_handler answers it with HTTP 500 and the text (HTTPServer.pm:221-231). */
export class Died extends Error {}

/** A PVE::Exception: its HTTP status, message and per-parameter errors (pve-common src/PVE/Exception.pm). */
export class ProxmoxError extends Error {
  constructor(readonly status: number, message: string, readonly errors?: Record<string, string>) {
    super(message);
  }
}

/**
 * Perl's text of a die: a PVE::Exception stringifies as `<code> <message>` plus one `<param>: <error>` line per
 * error (pve-common src/PVE/Exception.pm:98); any other error is its message.
 */
export function dieText(error: unknown): string {
  if (!(error instanceof ProxmoxError)) return error instanceof Error ? error.message : String(error);
  let text = `${error.status} ${error.message}`;
  if (!text.endsWith('\n')) text += '\n';
  for (const [key, message] of Object.entries(error.errors ?? {})) text += `${key}: ${message}\n`;
  return text;
}

/** pve-common src/PVE/Exception.pm:53 raise_perm_exc. */
export const permissionDenied = (what?: string) => new ProxmoxError(403, `Permission check failed${what ? ` (${what})` : ''}\n`);

// pve-access-control src/PVE/Auth/Plugin.pm:34-35 and AccessControl.pm:280-284: the token ID syntax.
const TOKEN_ID = /^(([^\s:/]+)@([A-Za-z][A-Za-z0-9.\-_]+))!([A-Za-z][A-Za-z0-9.\-_]+)$/;

/** AccessControl.pm:1263 normalize_path. */
export function normalizePath(path: string): string | undefined {
  if (!path) return undefined;
  let normal = path.replace(/\/+/g, '/').replace(/\/$/, '');
  if (!normal) normal = '/';
  if (!normal.startsWith('/')) normal = `/${normal}`;
  return /^[A-Za-z0-9.\-_/]+$/.test(normal) ? normal : undefined;
}

export class AccessControl {
  readonly privileges: PrivilegeSet;
  private readonly roles = new Map<string, ReadonlySet<string>>();
  private readonly users = new Map<string, UserSpec>();
  private readonly acl: AclEntry[] = [];
  /** Pool id → its member VMIDs and storages, for the ACLs given on /pool/<id> (RPCEnvironment.pm:37-56). */
  poolMembers: () => Map<string, { vms: Set<number>; storage: Set<string> }> = () => new Map();

  constructor(readonly major: PveMajor, customRoles: Record<string, readonly string[]>, users: readonly UserSpec[], acl: readonly AclEntry[]) {
    this.privileges = privilegeSet(major);
    for (const [name, privileges] of Object.entries(this.privileges.builtinRoles)) this.roles.set(name, privileges);
    for (const [name, privileges] of Object.entries(customRoles)) {
      // AccessControl.pm:1224 add_role_privs.
      for (const privilege of privileges) if (!this.privileges.valid.has(privilege)) throw new Error(`role '${name}': invalid privilege '${privilege}'`);
      this.roles.set(name, new Set(privileges));
    }
    for (const user of users) this.users.set(user.id, user);
    for (const entry of acl) {
      if (!this.roles.has(entry.role)) throw new Error(`ACL on ${entry.path}: role '${entry.role}' does not exist`);
      this.acl.push({ ...entry, path: normalizePath(entry.path) ?? entry.path });
    }
  }

  addAcl(entry: AclEntry): void {
    this.acl.push({ ...entry, path: normalizePath(entry.path) ?? entry.path });
  }

  removeAcl(predicate: (entry: AclEntry) => boolean): void {
    for (let index = this.acl.length - 1; index >= 0; index--) if (predicate(this.acl[index])) this.acl.splice(index, 1);
  }

  /**
   * pve-manager PVE/HTTPServer.pm:87 calls AccessControl::verify_token (AccessControl.pm:487) with the
   * `PVEAPIToken=` value: `user@realm!tokenid=secret`. Returns the token ID, the request's user.
   */
  verifyToken(value: string): string {
    const split = /^(.*)=(.*)$/.exec(value);
    if (!split) throw new Error('no tokenid specified');
    const [, tokenId, secret] = split;
    const parts = TOKEN_ID.exec(tokenId);
    if (!parts) throw new Error(`'${tokenId}' is not a valid token ID - not able to split into user and token parts`);
    const user = this.users.get(parts[1]);
    if (!user) throw new Error(`no such user ('${parts[1]}')`);
    if (user.enabled === false) throw new Error(`user '${parts[1]}' is disabled`);
    const token = user.tokens?.find((candidate) => candidate.id === parts[4]);
    if (!token) throw new Error(`no such token '${parts[4]}' for user '${parts[1]}'`);
    if (token.expire && token.expire < Date.now() / 1000) throw new Error(`token '${parts[4]}' access expired`);
    if (token.secret !== secret) throw new Error('invalid token value!');
    return tokenId;
  }

  /**
   * AccessControl.pm:1784 roles: walking the path from `/`, the entries of the most specific level that
   * apply win (a token's over a user's over its groups'); a parent's entry applies only when it propagates.
   */
  private rolesOn(principal: string, path: string): Map<string, boolean> {
    if (principal === 'root@pam') return new Map([['Administrator', true]]);
    const isToken = TOKEN_ID.test(principal);
    const groups = isToken ? [] : this.users.get(principal)?.groups ?? [];
    let roles = new Map<string, boolean>();
    const levels = path === '/' ? ['/'] : path.split('/').map((_, index, parts) => (index === 0 ? '/' : parts.slice(0, index + 1).join('/')));
    levels.forEach((level, index) => {
      const final = index === levels.length - 1;
      const here = this.acl.filter((entry) => entry.path === level);
      const pick = (entries: AclEntry[]) => {
        const picked = new Map<string, boolean>();
        for (const entry of entries) {
          const propagate = entry.propagate ?? true;
          if (final || propagate) picked.set(entry.role, propagate);
        }
        return picked.size > 0 ? picked : undefined;
      };
      const chosen = (isToken ? pick(here.filter((entry) => entry.token === principal)) : undefined)
        ?? (!isToken ? pick(here.filter((entry) => entry.user === principal)) : undefined)
        ?? (!isToken ? pick(here.filter((entry) => entry.group !== undefined && groups.includes(entry.group))) : undefined);
      if (chosen) roles = chosen;
    });
    if (roles.has('NoAccess')) return new Map([['NoAccess', roles.get('NoAccess')!]]);
    return roles;
  }

  /**
   * RPCEnvironment.pm:136 permissions and :19 $compile_acl_path: the privileges a user or token holds on a
   * path, pool ACLs applied to the pool's VMs and storages, and a privilege-separated token limited to
   * what its user holds there too.
   */
  permissions(principal: string, path: string): Set<string> {
    if (principal === 'root@pam') return new Set(this.privileges.valid);
    const token = TOKEN_ID.exec(principal);
    if (token) {
      const spec = this.users.get(token[1])?.tokens?.find((candidate) => candidate.id === token[4]);
      if (!spec) return new Set();
      const userPrivileges = this.permissions(token[1], path);
      if (spec.privsep === false) return userPrivileges;
      const own = this.compile(principal, path);
      return new Set([...own].filter((privilege) => userPrivileges.has(privilege)));
    }
    if (!this.users.has(principal)) return new Set();
    return this.compile(principal, path);
  }

  private compile(principal: string, path: string): Set<string> {
    let roles = this.rolesOn(principal, path);
    const poolRoles = new Map<string, boolean>();
    for (const [pool, members] of this.poolMembers()) {
      const onPool = this.rolesOn(principal, `/pool/${pool}`);
      if (onPool.size === 0) continue;
      const covers = [...members.vms].some((vmid) => path === `/vms/${vmid}`) || [...members.storage].some((storage) => path === `/storage/${storage}`);
      if (covers) for (const role of onPool.keys()) poolRoles.set(role, false);
    }
    if (poolRoles.size > 0 && !roles.has('NoAccess')) {
      // NoAccess from a pool ACL wins over the path's own roles; otherwise pool roles are added, unpropagated.
      if (poolRoles.has('NoAccess')) roles = new Map([['NoAccess', false]]);
      else for (const role of poolRoles.keys()) if (!roles.has(role)) roles.set(role, false);
    }
    const privileges = new Set<string>();
    for (const role of roles.keys()) for (const privilege of this.roles.get(role) ?? []) privileges.add(privilege);
    return privileges;
  }

  /** RPCEnvironment.pm:291 check and :307 check_any. */
  check(principal: string, path: string, privileges: readonly string[], any = false): void {
    const held = this.permissions(principal, path);
    for (const privilege of privileges) this.verifyPrivilegeName(privilege);
    if (any) {
      if (privileges.some((privilege) => held.has(privilege))) return;
      throw permissionDenied(`${path}, ${privileges.join('|')}`);
    }
    for (const privilege of privileges) if (!held.has(privilege)) throw permissionDenied(`${path}, ${privilege}`);
  }

  has(principal: string, path: string, privileges: readonly string[], any = false): boolean {
    try { this.check(principal, path, privileges, any); return true; } catch { return false; }
  }

  /**
   * AccessControl.pm:1370 verify_privname: a privilege the running release does not know is an internal
   * error (a PVE 8 site checks VM.Monitor where PVE 9 names VM.GuestAgent.*: see api.ts).
   */
  private verifyPrivilegeName(privilege: string): void {
    if (!this.privileges.valid.has(privilege)) throw new Died(`invalid privilege '${privilege}'\n`);
  }

  /** RPCEnvironment.pm:388 check_vm_perm: the pool first (without error), then /vms/<vmid>. */
  checkVm(principal: string, vmid: number, pool: string | undefined, privileges: readonly string[], any = false): void {
    if (pool && this.has(principal, `/pool/${pool}`, privileges, any)) return;
    this.check(principal, `/vms/${vmid}`, privileges, any);
  }

  /** RPCEnvironment.pm:549 check_api2_permissions and :459 exec_api2_perm_check. */
  checkApi(permissions: Permissions | undefined, principal: string, params: Record<string, unknown>): void {
    if (principal === 'root@pam') return;
    if (!permissions) throw permissionDenied('user != root@pam');
    if (permissions.user === 'all') return;
    if (permissions.check) { this.execCheck(permissions.check, principal, params, false); return; }
    throw permissionDenied();
  }

  private execCheck(check: PermissionCheck, principal: string, params: Record<string, unknown>, noerr: boolean): boolean {
    const [test, ...rest] = check;
    if (test === 'and') {
      for (const sub of rest) this.execCheck(sub as PermissionCheck, principal, params, false);
      return true;
    }
    if (test === 'or') {
      for (const sub of rest) if (this.execCheck(sub as PermissionCheck, principal, params, true)) return true;
      if (noerr) return false;
      throw permissionDenied();
    }
    if (test === 'perm') {
      const [template, privileges, ...optionList] = rest as [string, string[], ...unknown[]];
      const options: Record<string, unknown> = {};
      for (let index = 0; index + 1 < optionList.length; index += 2) options[String(optionList[index])] = optionList[index + 1];
      const required = options.require_param as string | undefined;
      if (required && params[required] === undefined) {
        if (noerr) return false;
        throw permissionDenied();
      }
      // pve-common src/PVE/Tools.pm template_replace: {name} from the parameters.
      const path = normalizePath(template.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''))) ?? template;
      if (noerr) return this.has(principal, path, privileges, Boolean(options.any));
      this.check(principal, path, privileges, Boolean(options.any));
      return true;
    }
    throw new Error(`unknown permission test '${String(test)}': not modelled by the simulator`);
  }
}
