#!/usr/bin/env bash
# Build the local base image the deploy/Dockerfile is tested with (no registry is reachable here):
#   a minimal Debian bookworm (debootstrap --variant=minbase, from the apt mirror this machine is
#   already configured with) + the Node 22 binary from the npm package node@22 at /usr/local/bin.
#
#   bash scripts/build-base-image.sh            # prints the tag; skips everything if it exists
#   BASE_IMAGE_TAG=my/base:1 bash scripts/build-base-image.sh
#   docker build -f deploy/Dockerfile --build-arg BASE_IMAGE=infra-mcp-base:bookworm-node22 .
#
# Debian bookworm, run as root, needs a running Docker engine (scripts/setup-daemons.sh).
# Idempotent: an existing tag is kept (docker rmi it to rebuild). Takes 1-3 minutes when it builds.
#
# Environment overrides:
#   BASE_IMAGE_TAG     tag to create (default infra-mcp-base:bookworm-node22)
#   BASE_NODE_BIN      a Node 22 binary to copy instead of installing the npm package node@22
#   BASE_CACHE_DIR     where the npm package node@22 is installed (default ~/.cache/infra-mcp/base-image)
set -euo pipefail

TAG="${BASE_IMAGE_TAG:-infra-mcp-base:bookworm-node22}"
CACHE_DIR="${BASE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/infra-mcp/base-image}"
SOURCES=/etc/apt/sources.list.d/debian.sources
SUITE=bookworm

export DEBIAN_FRONTEND=noninteractive

PHASE="startup"
SCRIPT_START=$(date +%s.%N)
WORKDIR=""

log() { printf '[build-base-image] %s\n' "$*" >&2; }
die() { printf '[build-base-image] ERROR (%s): %s\n' "$PHASE" "$*" >&2; exit 1; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

on_exit() {
  local rc=$?
  [[ -n "$WORKDIR" && -d "$WORKDIR" ]] && rm -rf "$WORKDIR"
  if [[ $rc -ne 0 ]]; then
    printf '[build-base-image] FAILED in phase "%s" (exit %d) after %ss\n' "$PHASE" "$rc" "$(elapsed "$SCRIPT_START")" >&2
  fi
}
trap on_exit EXIT

command -v docker >/dev/null 2>&1 || die "docker not found (bash scripts/setup-daemons.sh)"
docker info >/dev/null 2>&1 || die "the Docker engine is not running (bash scripts/setup-daemons.sh)"

PHASE="check"
if docker image inspect "$TAG" >/dev/null 2>&1; then
  log "$TAG already present"
  echo "$TAG"
  exit 0
fi
[[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap)"

PHASE="node"
node_bin="${BASE_NODE_BIN:-}"
if [[ -z "$node_bin" ]]; then
  node_bin="$CACHE_DIR/node_modules/node/bin/node"
  if [[ ! -x "$node_bin" ]]; then
    command -v npm >/dev/null 2>&1 || die "npm not found (needed to install the npm package node@22)"
    log "installing the npm package node@22 into $CACHE_DIR"
    mkdir -p "$CACHE_DIR"
    npm install --silent --no-audit --no-fund --prefix "$CACHE_DIR" node@22 >&2 || die "npm install node@22 failed"
  fi
fi
[[ -x "$node_bin" ]] || die "no Node binary at $node_bin"
node_version=$("$node_bin" -p 'process.versions.node') || die "$node_bin does not run"
[[ "${node_version%%.*}" == 22 ]] || die "$node_bin is Node $node_version, not 22"

PHASE="debootstrap"
if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  apt-get install -y debootstrap >&2 || { apt-get update >&2 && apt-get install -y debootstrap >&2; } ||
    die "apt-get install debootstrap failed"
fi
# The mirror this machine already uses: the first URIs: line of the stanza listing $SUITE.
# Read at run time; no host name is written into any file.
[[ -r "$SOURCES" ]] || die "$SOURCES not found; cannot tell which Debian mirror to use"
mirror=$(awk -v suite="$SUITE" '
  /^[[:space:]]*$/ { if (uri != "" && ok) { print uri; exit } uri = ""; ok = 0; next }
  /^URIs:/ { uri = $2 }
  /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
  END { if (uri != "" && ok) print uri }
' "$SOURCES" | head -n 1)
[[ -n "$mirror" ]] || die "no URIs: line for suite $SUITE in $SOURCES"
keyring=$(awk '/^Signed-By:/ { print $2; exit }' "$SOURCES")

WORKDIR=$(mktemp -d /tmp/build-base-image.XXXXXX)
root="$WORKDIR/rootfs"
t0=$(date +%s.%N)
log "debootstrap --variant=minbase $SUITE (mirror from $SOURCES)"
debootstrap --variant=minbase ${keyring:+--keyring="$keyring"} "$SUITE" "$root" "$mirror" \
  >"$WORKDIR/debootstrap.log" 2>&1 ||
  die "debootstrap failed; last lines:
$(tail -n 20 "$WORKDIR/debootstrap.log")"
log "   debootstrap done in $(elapsed "$t0")s"

PHASE="trim"
# Nothing in the image needs these; keeps it small. apt/dpkg stay usable (apt-get update first).
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
# The mirror of the build host does not belong in the image.
: >"$root/etc/apt/sources.list"
rm -f "$root"/etc/apt/sources.list.d/*
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
: >"$root/etc/resolv.conf"

PHASE="node into rootfs"
install -m 0755 "$node_bin" "$root/usr/local/bin/node"
chroot "$root" /usr/local/bin/node -e 'process.exit(0)' || die "node does not run inside the rootfs (missing libraries?)"

PHASE="docker import"
tar --numeric-owner -C "$root" -c . |
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$node_version" \
    --change 'CMD ["node"]' \
    --message "debian $SUITE minbase + node $node_version" \
    - "$TAG" >/dev/null ||
  die "docker import failed"
size=$(docker image inspect "$TAG" --format '{{.Size}}')
log "imported $TAG (node $node_version, $((size / 1024 / 1024)) MiB) in $(elapsed "$SCRIPT_START")s"
echo "$TAG"
