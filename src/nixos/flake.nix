# Fabric's NixOS side: the Proxmox template image, the bootstrap module every Machine keeps, and a
# helper that turns the host facts synth writes into NixOS settings. See docs/create-template.md and
# docs/bootstrap.md. Used from the repository as `github:kubelize/fabric?dir=src/nixos`.
{
  description = "Fabric: the NixOS template Proxmox clones, and the modules its Machines import";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs =
    { self, nixpkgs }:
    let
      system = "x86_64-linux";
    in
    {
      nixosModules = {
        # Only the bootstrap units (the flake reference, once per reference; optional re-apply timer).
        bootstrap = ./bootstrap.nix;
        # Everything the template is: boot, disk, cloud-init, guest agent, flakes, bootstrap.
        template = ./template.nix;
        default = self.nixosModules.template;
      };

      # `fabric.lib.hostFacts ./dist/hosts/<namespace>/<name>.json` → a NixOS module (host-facts.nix).
      lib.hostFacts = file: import ./host-facts.nix (builtins.fromJSON (builtins.readFile file));

      nixosConfigurations.template = nixpkgs.lib.nixosSystem {
        inherit system;
        modules = [ ./template.nix ];
      };

      # The VMA archive to restore as the template: result/vzdump-qemu-fabric-nixos.vma.zst
      packages.${system} = {
        proxmox-template = self.nixosConfigurations.template.config.system.build.VMA;
        default = self.packages.${system}.proxmox-template;
      };
    };
}
