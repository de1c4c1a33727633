# dns01 (claims/dns01.ts): a caching DNS resolver for the lab network. Everything else (boot, disk, user,
# keys, hostname) comes from the template and the Machine's host facts; see flake.nix.
{ ... }:

{
  services.unbound = {
    enable = true;
    settings.server = {
      interface = [ "0.0.0.0" ];
      access-control = [ "10.0.0.0/8 allow" ];
    };
  };
  networking.firewall.allowedUDPPorts = [ 53 ];
  networking.firewall.allowedTCPPorts = [ 53 ];
}
