/**
 * The repository Argo CD syncs from, when the settings do not name one: the project's git remote `origin`,
 * as an https URL (Argo CD reads public repositories over https without credentials; an SSH remote needs
 * a repository secret the platform does not create). Credentials in a remote URL are dropped: nothing
 * secret may reach dist/.
 */
import { gitOutput } from './git';

/** `git remote get-url origin` in `projectDir`, or undefined (no git, no checkout, no origin). */
export function originUrl(projectDir: string): string | undefined {
  const url = gitOutput(projectDir, ['remote', 'get-url', 'origin'])?.toString('utf8').trim() ?? '';
  return url === '' ? undefined : url;
}

/**
 * `git@github.com:owner/repo.git`, `ssh://git@host:22/owner/repo`, `https://user:token@host/owner/repo`
 * → `https://host/owner/repo(.git)`; undefined for what is not a network remote (a local path, file://).
 */
export function httpsRepoUrl(remote: string): string | undefined {
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(remote);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(remote)) return `https://${scp[1]}/${scp[2].replace(/^\/+/, '')}`;
  let url: URL;
  try {
    url = new URL(remote);
  } catch {
    return undefined;
  }
  if (!['ssh:', 'git:', 'http:', 'https:', 'git+ssh:', 'ssh+git:'].includes(url.protocol) || url.hostname === '') return undefined;
  return `https://${url.hostname}${url.pathname}`;
}
