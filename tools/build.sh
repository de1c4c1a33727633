#!/usr/bin/env bash
# Builds one pinned upstream tool from its Go module and prints the binary's path.
#
#   bash tools/build.sh <tool>      e.g. crank, function-patch-and-transform, terraform-provider-proxmox
#   bash tools/build.sh --if-built <tool>   only a binary already built: the path, or exit 3 saying how to build it
#
# Each tool is a folder here with a go.mod whose `tool` directive names the upstream command and whose
# require/go.sum pin its exact version (the one place versions are pinned). The binary is cached under
# ${FABRIC_TOOLS_CACHE:-~/.cache/fabric/tools}, keyed by a hash of go.mod and go.sum, so a change of pin
# rebuilds and an unchanged pin costs nothing. Go's own module and build caches make a rebuild warm.
# A tool's optional `ldflags` file is passed to the linker (e.g. the version a release build stamps in).
set -euo pipefail
if_built=false
if [ "${1:-}" = --if-built ]; then if_built=true; shift; fi
tool=${1:?usage: tools/build.sh [--if-built] <tool>}
here=$(cd "$(dirname "$0")" && pwd)
dir="$here/$tool"
[ -f "$dir/go.mod" ] || { echo "tools/build.sh: no tool named $tool (no tools/$tool/go.mod)" >&2; exit 2; }
cache=${FABRIC_TOOLS_CACHE:-$HOME/.cache/fabric/tools}
shopt -s nullglob
key=$(cat "$dir/go.mod" "$dir/go.sum" "$dir"/*.go "$dir"/ldflag[s] | sha256sum | cut -c1-16)
binary="$cache/$tool-$key"
if [ ! -x "$binary" ]; then
  # A cold build takes minutes (about 16 for crank, the function and bpg on two cores): never unasked.
  if $if_built; then echo "tools/build.sh: $tool is not built yet; \`bash tools/build.sh $tool\` builds it once (minutes)" >&2; exit 3; fi
  command -v go >/dev/null || { echo "tools/build.sh: $tool needs Go (https://go.dev/dl/) on PATH" >&2; exit 2; }
  mkdir -p "$cache"
  package=$(awk '$1 == "tool" { print $2; exit }' "$dir/go.mod")
  [ -n "$package" ] || package=.   # a tool of our own: its main package is the folder itself
  ldflags=()
  if [ -f "$dir/ldflags" ]; then ldflags=(-ldflags "$(grep -v '^#' "$dir/ldflags" | tr '\n' ' ')"); fi
  started=$(date +%s)
  (cd "$dir" && GOFLAGS=-buildvcs=false go build -trimpath "${ldflags[@]}" -o "$binary.tmp.$$" "$package") >&2
  mv "$binary.tmp.$$" "$binary"
  echo "tools/build.sh: built $tool in $(( $(date +%s) - started )) s" >&2
fi
echo "$binary"
