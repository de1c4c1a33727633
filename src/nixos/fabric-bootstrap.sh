#!/bin/sh
# fabric-bootstrap: applies the Machine's flake, once per flake reference (see docs/bootstrap.md).
#
#   fabric-bootstrap apply     apply the reference unless it is the one last applied (first boot, or the
#                              Machine's nix.flakeRef changed); systemd retries a failure with backoff
#   fabric-bootstrap reapply   apply it again with --refresh, so new commits of a branch land (the timer)
#
# Where the reference comes from, first found wins:
#   1. $FABRIC_FLAKE_REF_FILE, written by cloud-init from the snippet channel's user-data;
#   2. SMBIOS type 1 (the default channel): the serial number, but only when manufacturer, product and
#      version carry Fabric's marker, so a real serial number is never taken for a flake reference.
# No reference: nothing to do, the template boots as it is.
#
# Exit status: 0 applied or nothing to do; 3 the reference is unusable (no retry helps); else nixos-rebuild
# failed (1). Messages go to stdout, which systemd sends to the journal.
set -eu

mode=${1:-apply}
dmi=${FABRIC_DMI_DIR:-/sys/class/dmi/id}
ref_file=${FABRIC_FLAKE_REF_FILE:-/etc/fabric/flake-ref}
state=${FABRIC_STATE_DIR:-/var/lib/fabric}
stamp="$state/applied-flake-ref"

log() { printf 'fabric-bootstrap: %s\n' "$*"; }

# The first line of a DMI attribute, or nothing when it is absent or unreadable.
dmi_field() {
  if [ -r "$dmi/$1" ]; then head -n 1 "$dmi/$1"; fi
}

case "$mode" in
  apply | reapply) ;;
  *) log "unknown mode '$mode'; use apply or reapply"; exit 3 ;;
esac

ref=""
origin=""
if [ -s "$ref_file" ]; then
  ref=$(head -n 1 "$ref_file")
  origin="cloud-init user-data ($ref_file)"
elif [ "$(dmi_field sys_vendor)" = "${FABRIC_SMBIOS_MANUFACTURER:?}" ] && [ "$(dmi_field product_name)" = "${FABRIC_SMBIOS_PRODUCT:?}" ]; then
  version=$(dmi_field product_version)
  if [ "$version" != "${FABRIC_SMBIOS_VERSION:?}" ]; then
    log "SMBIOS data has format version '$version', this template reads version '$FABRIC_SMBIOS_VERSION'; rebuild the template"
    exit 3
  fi
  ref=$(dmi_field product_serial)
  origin="SMBIOS serial number"
fi

if [ -z "$ref" ]; then
  log "no flake reference for this machine; nothing to do"
  exit 0
fi

# Usable: no whitespace, and exactly one '#' with something on both sides.
case "$ref" in
  *[[:space:]]* | *'#'*'#'* | '#'* | *'#') usable=no ;;
  *'#'*) usable=yes ;;
  *) usable=no ;;
esac
if [ "$usable" = no ]; then
  log "flake reference '$ref' from $origin is unusable: it must name one output after '#'"
  exit 3
fi

mkdir -p "$state"
# One nixos-rebuild at a time: the first-boot apply and the periodic re-apply share this lock.
exec 9>"$state/lock"
flock 9

if [ "$mode" = apply ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ref" ]; then
  log "$ref is already applied; nothing to do"
  exit 0
fi

set -- switch --flake "$ref"
if [ "$mode" = reapply ]; then set -- "$@" --refresh; fi
log "applying $ref (from $origin): nixos-rebuild $*"
status=0
nixos-rebuild "$@" || status=$?
if [ "$status" -ne 0 ]; then
  log "nixos-rebuild failed with status $status; systemd tries again later"
  exit 1
fi

printf '%s\n' "$ref" >"$stamp.tmp"
mv "$stamp.tmp" "$stamp"
log "applied $ref"
