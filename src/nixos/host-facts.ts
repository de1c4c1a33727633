/**
 * Host facts: what a NixOS configuration needs to know about its Machine (hostname, addressing, DNS,
 * admin user, keys, flake output), written by synth to dist/hosts/<namespace>/<name>.json so a flake
 * imports the same source of truth the VM is made from (`builtins.fromJSON (builtins.readFile ...)`).
 *
 * The files live outside dist/cluster on purpose: ArgoCD's directory source applies every .json and
 * .yaml file below its path, and these are not Kubernetes objects.
 *
 * @see docs/bootstrap.md
 */
import { ResolvedMachine } from '../api/machine-claim';
import { MonitoringFacts, monitoringFacts, NodeExporterSettings } from './node-exporter';
import { UserDataValues } from './user-data';

/** Where the facts go, below dist/. */
export const HOSTS_DIR = 'hosts';

/** IPv4 addressing as the Machine asks for it. */
export type Ipv4Facts =
  | { readonly method: 'static'; readonly address: string; readonly prefixLength: number; readonly gateway: string }
  | { readonly method: 'dhcp' }
  /** `network.dhcp: false` without an ip: Proxmox configures nothing and the template decides. */
  | { readonly method: 'template' };

export interface HostFacts {
  readonly machine: { readonly namespace: string; readonly name: string };
  readonly hostname: string;
  /** DNS search domain, or null. */
  readonly domain: string | null;
  /** `hostname.domain`, or null without a domain. */
  readonly fqdn: string | null;
  readonly ipv4: Ipv4Facts;
  /** DNS servers Proxmox hands the guest; empty means whatever DHCP provides. */
  readonly nameservers: readonly string[];
  /** The user cloud-init creates, or null when the Machine has no `bootstrap`. */
  readonly adminUser: { readonly name: string; readonly sshAuthorizedKeys: readonly string[] } | null;
  /** The flake the VM applies, split at '#', or null when the Machine has no `nix`. */
  readonly flake: { readonly ref: string; readonly uri: string; readonly output: string } | null;
  /** The node exporter to run and whom to open it to, or null (monitoring off, or tag `monitoring: disabled`). */
  readonly monitoring: MonitoringFacts | null;
}

/**
 * The facts of one validated Machine (schema defaults already applied); `nodeExporter` when the fleet's
 * monitoring is on.
 */
export function hostFacts(machine: ResolvedMachine, nodeExporter?: NodeExporterSettings): HostFacts {
  const { spec } = machine;
  const hostname = spec.hostname ?? machine.name;
  const domain = spec.network?.domain ?? null;
  const flakeRef = spec.nix?.flakeRef;
  const [uri, output] = flakeRef?.split('#') ?? [];
  return {
    machine: { namespace: machine.namespace, name: machine.name },
    hostname,
    domain,
    fqdn: domain === null ? null : `${hostname}.${domain}`,
    ipv4: ipv4Facts(spec.network),
    nameservers: spec.network?.dns ?? [],
    adminUser: spec.bootstrap ? { name: spec.bootstrap.adminUser ?? 'admin', sshAuthorizedKeys: spec.bootstrap.sshAuthorizedKeys } : null,
    flake: flakeRef === undefined ? null : { ref: flakeRef, uri, output },
    monitoring: monitoringFacts(machine, nodeExporter),
  };
}

/** Mirrors the module's `ipv4_address` local: static with an ip, DHCP unless dhcp is explicitly false. */
function ipv4Facts(network: ResolvedMachine['spec']['network']): Ipv4Facts {
  // Validation guarantees a gateway whenever ip is set, and cidr has a schema default.
  if (network?.ip !== undefined && network.gateway !== undefined) {
    return { method: 'static', address: network.ip, prefixLength: network.cidr ?? 24, gateway: network.gateway };
  }
  return network?.dhcp === false ? { method: 'template' } : { method: 'dhcp' };
}

/** The snippet channel's cloud-config values, from the same facts. */
export function userDataValues(facts: HostFacts): UserDataValues {
  return {
    hostname: facts.hostname,
    fqdn: facts.fqdn ?? undefined,
    adminUser: facts.adminUser?.name,
    sshAuthorizedKeys: facts.adminUser?.sshAuthorizedKeys ?? [],
    flakeRef: facts.flake?.ref,
  };
}

/** `hosts/<namespace>/<name>.json` → facts, for every Machine. */
export function hostFactsFiles(machines: readonly ResolvedMachine[], nodeExporter?: NodeExporterSettings): Map<string, string> {
  const files = new Map<string, string>();
  for (const machine of machines) {
    files.set(`${HOSTS_DIR}/${machine.namespace}/${machine.name}.json`, `${JSON.stringify(hostFacts(machine, nodeExporter), null, 2)}\n`);
  }
  return files;
}
