# The Prometheus node exporter on a monitored Machine, reachable only from the CIDRs synth wrote into its
# host facts (`monitoring`, src/nixos/node-exporter.ts); null facts (monitoring off, or the Machine tagged
# `monitoring: disabled`) change nothing. Imported by host-facts.nix, so every Machine's configuration has it.
#
# The port is opened here rather than with the exporter's own `openFirewall` + `firewallFilter`: nixpkgs
# hands that filter to `ip46tables`, which runs ip6tables with the same arguments, and an IPv4 source there
# fails the firewall script (services/monitoring/prometheus/exporters.nix, `firewallFilter`;
# services/networking/firewall-iptables.nix runs the script with `-e`, extraCommands just before the final
# refuse rule). Which firewall applies follows `networking.nftables.enable`: iptables commands are refused
# by an assertion under nftables (firewall-nftables.nix: "extraCommands is incompatible with the nftables
# based firewall"), so each backend gets only its own form.
monitoring:
{ config, lib, ... }:

let
  exporter = monitoring.nodeExporter;
  port = toString exporter.port;
  lines = f: cidrs: builtins.concatStringsSep "" (map f cidrs);
in
lib.mkIf (monitoring != null) {
  services.prometheus.exporters.node = {
    enable = true;
    port = exporter.port;
    openFirewall = false;
  };

  networking.firewall.extraCommands = lib.mkIf (!config.networking.nftables.enable) (
    lines (cidr: "iptables -w -A nixos-fw -p tcp -s ${cidr} --dport ${port} -j nixos-fw-accept\n") exporter.allowFromIpv4
    + lines (cidr: "ip6tables -w -A nixos-fw -p tcp -s ${cidr} --dport ${port} -j nixos-fw-accept\n") exporter.allowFromIpv6
  );

  networking.firewall.extraInputRules = lib.mkIf config.networking.nftables.enable (
    lines (cidr: "ip saddr ${cidr} tcp dport ${port} accept\n") exporter.allowFromIpv4
    + lines (cidr: "ip6 saddr ${cidr} tcp dport ${port} accept\n") exporter.allowFromIpv6
  );
}
