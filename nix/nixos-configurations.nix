# nixosConfigurations of the repository's flake (flake.nix): one per entry of
# dist/hosts/nixos-configurations.json (output name → host facts file), which synth writes for the Machines
# whose flake reference points at this repository.
{
  # nixpkgs.lib.nixosSystem
  nixosSystem,
  # dist/hosts: the host facts synth writes, and the list above
  hosts,
  # nix/hosts: optional per-Machine modules, <name>.nix
  hostModules,
}:

let
  configurations = builtins.fromJSON (builtins.readFile (hosts + "/nixos-configurations.json"));

  facts = file: builtins.fromJSON (builtins.readFile (hosts + "/${file}"));

  # A Machine needs no module of its own: the template and its facts make a complete system.
  hostModule =
    name:
    let
      file = hostModules + "/${name}.nix";
    in
    if builtins.pathExists file then [ file ] else [ ];

  configuration =
    name: factsFile:
    nixosSystem {
      system = "x86_64-linux";
      modules = [
        # Boot, disk, cloud-init, guest agent and the bootstrap unit: what keeps the VM booting after a switch.
        ../src/nixos/template.nix
        (import ../src/nixos/host-facts.nix (facts factsFile))
      ]
      ++ hostModule name;
    };
in
builtins.mapAttrs configuration configurations
