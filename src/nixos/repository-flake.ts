/**
 * The repository's own flake (flake.nix at the root): one `nixosConfigurations.<name>` per Machine whose
 * `nix.flakeRef` points at this repository, built from the template modules (src/nixos), the Machine's host
 * facts (dist/hosts/<namespace>/<name>.json) and, when present, nix/hosts/<name>.nix.
 *
 * Synth writes the list of those configurations to dist/hosts/nixos-configurations.json, which the flake
 * reads (nix/nixos-configurations.nix), so the Machines decide which outputs exist and a reference that
 * names any other output of this repository is refused here, before a VM tries to apply it.
 */
import { byCodeUnit } from '../util/compare';
import { machineId, ResolvedMachine } from '../api/machine-claim';
import { FleetProblem } from '../validation/fleet-rules';
import { HOSTS_DIR } from './host-facts';
import { shown } from '../validation/problem';

/** dist/-relative path of the list the root flake reads: output name → host facts file under dist/hosts/. */
export const NIXOS_CONFIGURATIONS_FILE = `${HOSTS_DIR}/nixos-configurations.json`;

/** `github.com/owner/repo` for a git remote URL or a flake URI, lowercased, without `.git`; undefined if neither. */
function repositoryKey(url: string): string | undefined {
  const github = /^github:([^/?#]+)\/([^/?#]+)/i.exec(url);
  if (github) return `github.com/${github[1]}/${github[2]}`.toLowerCase().replace(/\.git$/, '');
  const remote = /^(?:git\+)?(?:https?|ssh):\/\/(?:[^@/]+@)?([^/:?#]+)(?::\d+)?\/([^?#]+?)\/?(?:[?#]|$)/i.exec(url);
  if (remote) return `${remote[1]}/${remote[2]}`.toLowerCase().replace(/\.git$/, '');
  return undefined;
}

/**
 * Whether a flake reference names the root flake of the repository at `repoURL` (package.json
 * `fabric.gitops.repoURL`). A reference with `?dir=...` names another flake of the repository (the
 * template's, `dir=src/nixos`), not the root one.
 */
export function pointsAtRepositoryFlake(flakeRef: string, repoURL: string): boolean {
  const [uri] = flakeRef.split('#');
  const query = uri.includes('?') ? new URLSearchParams(uri.slice(uri.indexOf('?') + 1)) : undefined;
  if (query?.get('dir')) return false;
  const here = repositoryKey(repoURL);
  return here !== undefined && repositoryKey(uri) === here;
}

export interface RepositoryFlake<M extends ResolvedMachine> {
  /** Output name → host facts file, relative to dist/hosts/. */
  readonly configurations: ReadonlyMap<string, string>;
  readonly problems: ReadonlyArray<FleetProblem<M>>;
}

/** The root flake's configurations for these Machines, and the references it cannot serve. */
export function repositoryFlake<M extends ResolvedMachine>(machines: readonly M[], repoURL: string): RepositoryFlake<M> {
  const configurations = new Map<string, string>();
  const owners = new Map<string, M>();
  const problems: Array<FleetProblem<M>> = [];
  for (const machine of machines) {
    const flakeRef = machine.spec?.nix?.flakeRef;
    if (typeof flakeRef !== 'string' || !pointsAtRepositoryFlake(flakeRef, repoURL)) continue;
    const output = flakeRef.slice(flakeRef.indexOf('#') + 1);
    const at = { machine, path: 'spec.nix.flakeRef' };
    if (output !== machine.name) {
      problems.push({
        ...at,
        message: () => `names output ${shown(output)}, which this repository's flake (flake.nix) does not define: it defines nixosConfigurations.<name> for each Machine whose reference points at it, so this Machine's is #${machine.name}, got ${shown(flakeRef)}`,
      });
      continue;
    }
    const owner = owners.get(output);
    if (owner) {
      problems.push({
        ...at,
        message: (where) => `names output ${shown(output)}, which this repository's flake already builds for Machine ${machineId(owner)} (${where(owner)}); its outputs are Machine names, so two Machines pointing at it need different names, got ${shown(flakeRef)}`,
      });
      continue;
    }
    owners.set(output, machine);
    configurations.set(output, `${machine.namespace}/${machine.name}.json`);
  }
  return { configurations, problems };
}

/** The JSON the root flake reads, sorted so it does not churn. */
export function nixosConfigurationsFile(flake: RepositoryFlake<ResolvedMachine>): string {
  const sorted = Object.fromEntries([...flake.configurations].sort(([a], [b]) => byCodeUnit(a, b)));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}
