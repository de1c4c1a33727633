# A Machine's host facts as NixOS settings, so its configuration uses the values the VM was made from.
# The facts are the JSON Fabric's synth writes to dist/hosts/<namespace>/<name>.json (src/host-facts.ts);
# this file takes them decoded and returns a NixOS module:
#
#   modules = [
#     fabric.nixosModules.default
#     (fabric.lib.hostFacts ./dist/hosts/infra-machines/dns01.json)
#   ];
#
# Addressing and DNS stay with Proxmox's cloud-init (networkd); they are in the facts for configurations
# that manage the network themselves.
facts:
{ lib, ... }:

{
  # The node exporter, opened to the CIDRs the facts name; nothing when monitoring is off. Facts written
  # before monitoring existed have no such key.
  imports = [ (import ./node-exporter.nix (facts.monitoring or null)) ];

  # proxmox-image.nix forces an empty hostname (mkForce, priority 50) so cloud-init can set it at boot.
  # A Machine's own configuration knows its name, so the facts win and cloud-init keeps its hands off.
  networking.hostName = lib.mkOverride 49 facts.hostname;
  networking.domain = lib.mkIf (facts.domain != null) facts.domain;
  services.cloud-init.settings.preserve_hostname = true;

  # The admin cloud-init created, declared too, so it survives `users.mutableUsers = false`.
  users.users = lib.optionalAttrs (facts.adminUser != null) {
    ${facts.adminUser.name} = {
      isNormalUser = true;
      extraGroups = [ "wheel" ];
      openssh.authorizedKeys.keys = facts.adminUser.sshAuthorizedKeys;
    };
  };
}
