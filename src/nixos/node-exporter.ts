/**
 * The Prometheus node exporter every monitored Machine runs: what synth writes into its host facts
 * (`monitoring` in dist/hosts/<namespace>/<name>.json) and node-exporter.nix turns into NixOS settings.
 *
 * A Machine opts out with the tag `monitoring: disabled`: no API field, so the opt-out needs no new Machine API
 * version, shows in Proxmox's UI beside the VM, and is a config-only change of the VM.
 */
import { ResolvedMachine } from '../api/machine-claim';

/** The node exporter's own port (nixpkgs `exporters/node.nix`: `port = 9100`). */
export const NODE_EXPORTER_PORT = 9100;

/** The tag key and value that keep a Machine out of monitoring. */
export const MONITORING_TAG = 'monitoring';
export const MONITORING_OFF = 'disabled';

export interface NodeExporterSettings {
  /** TCP port the exporter listens on. @default 9100 */
  readonly port: number;
  /**
   * IPv4 or IPv6 CIDRs the exporter's port is opened to, e.g. the nodes or pod network your Prometheus
   * scrapes from. Nothing else reaches it.
   */
  readonly allowFrom: readonly string[];
}

/** What the host facts say about monitoring; null when the Machine is not monitored. */
export interface MonitoringFacts {
  readonly nodeExporter: {
    readonly port: number;
    /** IPv4 CIDRs, opened with iptables/`ip saddr`. */
    readonly allowFromIpv4: readonly string[];
    /** IPv6 CIDRs, opened with ip6tables/`ip6 saddr`. */
    readonly allowFromIpv6: readonly string[];
  };
}

/** Whether a Machine is monitored: every Machine, unless tagged `monitoring: disabled`. */
export function isMonitored(machine: Pick<ResolvedMachine, 'spec'>): boolean {
  return machine.spec.tags?.[MONITORING_TAG] !== MONITORING_OFF;
}

/** The facts of one Machine, or null when monitoring is off for the fleet or for it. */
export function monitoringFacts(machine: Pick<ResolvedMachine, 'spec'>, nodeExporter: NodeExporterSettings | undefined): MonitoringFacts | null {
  if (!nodeExporter || !isMonitored(machine)) return null;
  // Split by family: the iptables firewall runs iptables and ip6tables separately, and an IPv4 source
  // given to ip6tables fails the whole firewall script (firewall-iptables.nix runs it with `-e`).
  return {
    nodeExporter: {
      port: nodeExporter.port,
      allowFromIpv4: nodeExporter.allowFrom.filter((cidr) => !cidr.includes(':')),
      allowFromIpv6: nodeExporter.allowFrom.filter((cidr) => cidr.includes(':')),
    },
  };
}
