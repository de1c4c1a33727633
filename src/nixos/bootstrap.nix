# Fabric's bootstrap: applies the Machine's flake (`nix.flakeRef`) once per flake reference, after the
# network is online, retrying with backoff and logging to the journal; optionally re-applies it on a timer.
# The reference arrives as data, from SMBIOS (default channel) or from cloud-init user-data (snippet
# channel): see docs/bootstrap.md. The template imports this module; keep it imported in the
# configurations your Machines switch to (fabric.nixosModules.default does), or the units go with it.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.fabric.bootstrap;

  # Shared with the Terraform module (src/nixos/smbios.ts and user-data.ts read the same file), so the two cannot drift.
  contract = builtins.fromJSON (builtins.readFile ./bootstrap-contract.json);

  bootstrap = pkgs.writeShellApplication {
    name = "fabric-bootstrap";
    runtimeInputs = [
      pkgs.coreutils
      pkgs.util-linux # flock
      config.system.build.nixos-rebuild
      config.nix.package
      pkgs.gitMinimal # git+https and git+ssh flake references
      config.programs.ssh.package
    ];
    text = builtins.readFile ./fabric-bootstrap.sh;
  };

  environment = {
    FABRIC_FLAKE_REF_FILE = contract.flakeRefFile;
    FABRIC_STATE_DIR = "/var/lib/${contract.stateDirectory}";
    FABRIC_SMBIOS_MANUFACTURER = contract.smbios.manufacturer;
    FABRIC_SMBIOS_PRODUCT = contract.smbios.product;
    FABRIC_SMBIOS_VERSION = contract.smbios.version;
    # Nix keeps its fetcher cache under $HOME; system services get none by default.
    HOME = "/root";
  };

  # Both units run `nixos-rebuild switch`, which must neither restart nor stop the unit running it
  # (the same settings as nixpkgs' system.autoUpgrade).
  rebuildUnit = {
    wants = [ "network-online.target" ];
    after = [
      "network-online.target"
      "cloud-init.service"
    ];
    inherit environment;
    restartIfChanged = false;
    unitConfig.X-StopOnRemoval = false;
    serviceConfig = {
      Type = "oneshot";
      StateDirectory = contract.stateDirectory;
    };
  };
in
{
  options.fabric.bootstrap = {
    enable = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Apply the Machine's flake reference once per reference, shortly after boot.";
    };

    retry = {
      delay = lib.mkOption {
        type = lib.types.str;
        default = "30s";
        description = "Wait before the first retry of a failed apply (systemd RestartSec).";
      };
      maxDelay = lib.mkOption {
        type = lib.types.str;
        default = "30min";
        description = ''
          Longest wait between retries; the wait grows from `delay` to this in 8 steps and the unit never
          gives up, so a flake fixed in git is picked up by the next try (systemd RestartMaxDelaySec).
        '';
      };
    };

    reapply = {
      enable = lib.mkEnableOption "re-applying the Machine's flake periodically, with --refresh so new commits of a branch land";
      interval = lib.mkOption {
        type = lib.types.str;
        default = "1h";
        example = "15min";
        description = "Time between re-applies, a systemd time span.";
      };
    };
  };

  config = lib.mkIf cfg.enable {
    systemd.services.fabric-bootstrap = lib.recursiveUpdate rebuildUnit {
      description = "Fabric: apply the Machine's flake";
      startLimitIntervalSec = 0;
      serviceConfig = {
        ExecStart = "${bootstrap}/bin/fabric-bootstrap apply";
        Restart = "on-failure";
        RestartSec = cfg.retry.delay;
        RestartSteps = 8;
        RestartMaxDelaySec = cfg.retry.maxDelay;
        # 3: the reference itself is unusable; retrying cannot help, the failed unit says so.
        RestartPreventExitStatus = 3;
      };
    };

    # Started by a timer rather than by multi-user.target: a first nixos-rebuild takes minutes, and a
    # target waits for the oneshot units it wants.
    systemd.timers.fabric-bootstrap = {
      wantedBy = [ "timers.target" ];
      timerConfig.OnBootSec = "5s";
    };

    systemd.services.fabric-reapply = lib.mkIf cfg.reapply.enable (
      lib.recursiveUpdate rebuildUnit {
        description = "Fabric: re-apply the Machine's flake";
        serviceConfig.ExecStart = "${bootstrap}/bin/fabric-bootstrap reapply";
      }
    );

    systemd.timers.fabric-reapply = lib.mkIf cfg.reapply.enable {
      wantedBy = [ "timers.target" ];
      timerConfig = {
        OnBootSec = cfg.reapply.interval;
        OnUnitActiveSec = cfg.reapply.interval;
        RandomizedDelaySec = "5min";
      };
    };
  };
}
