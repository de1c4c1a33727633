#!/usr/bin/env bash
# Installs the real checkers the tests run: cloud-init (`cloud-init schema` validates the snippet
# user-data), nix-bin (`nix-instantiate` parses the NixOS template's Nix files and evaluates host-facts.nix)
# shellcheck (the template's build runs it on the bootstrap script), openssh-client (`ssh-keygen -l`, which
# Proxmox runs on every SSH key, judges the key fixtures) and openssl (the control-plane tests make the API
# server's and Crossplane's certificates with it), and chromium (test/inventory.test.ts opens the inventory
# page headless). Debian packages only; idempotent,
# so it is cheap on a machine that already has them. Tests fail in CI (CI=true) when a checker is missing.
set -euo pipefail

packages=(cloud-init nix-bin shellcheck openssh-client openssl chromium)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "checkers already installed: ${packages[*]}"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
echo "installed: ${missing[*]}"
