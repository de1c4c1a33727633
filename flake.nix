# The repository's flake: the NixOS configuration of every Machine whose `nix.flakeRef` points here
# (`git+https://github.com/kubelize/fabric?ref=main#<machine name>`). Each is the template's modules
# (src/nixos), the Machine's host facts as synth wrote them (dist/hosts/<namespace>/<name>.json) and, when
# it exists, nix/hosts/<name>.nix. Which Machines those are, synth writes to dist/hosts/nixos-configurations.json
# and checks: a reference to this repository naming another output is refused (src/repository-flake.ts).
# The template image itself has its own flake: `github:kubelize/fabric?dir=src/nixos`.
{
  description = "Fabric's Machines: one NixOS configuration per Machine whose flake reference points here";

  # Meant to be the same nixpkgs as the template (src/nixos/flake.nix), so a switch changes no more than it
  # must. Only committed flake.lock files pinning one revision in both make it so; there are none yet, and
  # without one a VM refuses to apply this flake (docs/bootstrap.md says why and how to make them).
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs =
    { nixpkgs, ... }:
    {
      nixosConfigurations = import ./nix/nixos-configurations.nix {
        inherit (nixpkgs.lib) nixosSystem;
        hosts = ./dist/hosts;
        hostModules = ./nix/hosts;
      };
    };
}
