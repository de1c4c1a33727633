# The NixOS template Fabric clones (VMID 9000 by default): the QEMU guest agent, cloud-init fed by
# Proxmox (user, keys, hostname, addressing, DNS), flakes, the root file system on the label `nixos`
# that grows with the disk, a serial console, and the bootstrap unit (bootstrap.nix).
# Built as a Proxmox VMA by nixpkgs' proxmox-image module: `nix build .#proxmox-template`, then
# docs/create-template.md. Machines' own configurations import this module too (nixosModules.default),
# so what makes the VM boot stays when their flake is applied.
{
  lib,
  modulesPath,
  ...
}:

{
  imports = [
    "${modulesPath}/virtualisation/proxmox-image.nix"
    "${modulesPath}/profiles/qemu-guest.nix" # virtio-scsi and virtio-blk in the initrd: scsi0 or virtio0 boots
    ./bootstrap.nix
  ];

  proxmox = {
    qemuConf = {
      name = "fabric-nixos";
      # UEFI: GRUB goes to the EFI system partition and never names a disk, so a clone boots and
      # `nixos-rebuild switch` works whether its boot disk is scsi0 (/dev/sda) or virtio0 (/dev/vda).
      bios = "ovmf";
      cores = 2;
      memory = 2048;
      serial0 = "socket";
      agent = true;
    };
    # Also enables services.cloud-init with networkd, and leaves the hostname to it.
    cloudInit.enable = true;
  };

  # proxmox-image.nix sets these already; they are stated because Fabric relies on them: the root file
  # system on /dev/disk/by-label/nixos grows with the disk (growpart at boot, then resize2fs), the
  # kernel talks on the serial console (console=ttyS0, for `qm terminal`), the guest agent runs.
  boot.growPartition = true;
  fileSystems."/".autoResize = true;
  services.qemuGuest.enable = true;

  # Headroom for the first `nixos-rebuild switch --flake` on the VM, which evaluates nixpkgs with no swap:
  # upstream reports it failing at 512 MiB and at 1 GiB (NixOS/nixpkgs#85148, NixOS/nix#2664). Machines with
  # a flake need 2048 MiB (src/api/machine-schema.ts FLAKE_MEMORY_FLOOR_MIB); compressed swap in RAM adds room.
  zramSwap = {
    enable = true;
    memoryPercent = 50;
  };

  # Proxmox's generated user-data names the admin (`user:`); cloud-init creates it from this default user.
  # system_info replaces nixpkgs' mkDefault wholesale, so the NixOS distro and networkd renderer are repeated.
  services.cloud-init.settings.system_info = {
    distro = "nixos";
    network.renderers = [ "networkd" ];
    default_user = {
      name = "nixos";
      groups = [ "wheel" ];
      lock_passwd = true;
      shell = "/run/current-system/sw/bin/bash";
    };
  };

  # The admin logs in with a key only; wheel may sudo without a password it does not have.
  security.sudo.wheelNeedsPassword = false;
  services.openssh = {
    enable = true;
    settings = {
      PasswordAuthentication = false;
      KbdInteractiveAuthentication = false;
      PermitRootLogin = "no";
    };
  };

  nix.settings = {
    experimental-features = [
      "nix-command"
      "flakes"
    ];
    trusted-users = [ "@wheel" ];
  };

  # cloud-init creates the admin user at boot, so users stay mutable.
  users.mutableUsers = lib.mkDefault true;

  system.stateVersion = lib.mkDefault "25.05";
}
