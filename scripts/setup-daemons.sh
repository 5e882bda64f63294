#!/usr/bin/env bash
# Install and start the real daemons the integration tests talk to:
#   - Docker engine (dockerd) with a local image busybox:local (no registry reachable)
#   - Incus 6.0 LTS from bookworm-backports, a dir storage pool, image alias `bb`,
#     a running instance `c1`, and HTTPS on 127.0.0.1:8443
#
# Debian bookworm, run as root. Idempotent: every step checks its own state first,
# so a second run on a machine where everything is already up takes a few seconds.
# See /work/shared/notes/upstreams.md ("Real daemons on these machines").
#
# Stop both daemons again with scripts/stop-daemons.sh.
#
# Environment overrides:
#   DAEMON_WAIT_TIMEOUT   seconds to wait for each daemon to become ready (default 60)
#   INCUS_HTTPS_ADDRESS   core.https_address to set (default 127.0.0.1:8443)
set -euo pipefail

WAIT_TIMEOUT="${DAEMON_WAIT_TIMEOUT:-60}"
INCUS_HTTPS_ADDRESS="${INCUS_HTTPS_ADDRESS:-127.0.0.1:8443}"
DOCKERD_LOG=/var/log/dockerd-test.log
INCUSD_LOG=/var/log/incusd-test.log
INCUSD_BIN=/usr/libexec/incus/incusd
# pid files read by scripts/stop-daemons.sh
DOCKERD_PIDFILE=/run/dockerd-test.pid
INCUSD_PIDFILE=/run/incusd-test.pid
BACKPORTS_SOURCES=/etc/apt/sources.list.d/bookworm-backports.sources
DOCKER_IMAGE=busybox:local
INCUS_ALIAS=bb
INCUS_INSTANCE=c1

export DEBIAN_FRONTEND=noninteractive

PHASE="startup"
SCRIPT_START=$(date +%s.%N)
PHASE_START=$SCRIPT_START
TIMINGS=()
WORKDIR=""

log() { printf '[setup-daemons] %s\n' "$*"; }
die() { printf '[setup-daemons] ERROR (%s): %s\n' "$PHASE" "$*" >&2; exit 1; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

on_exit() {
  local rc=$?
  [[ -n "$WORKDIR" && -d "$WORKDIR" ]] && rm -rf "$WORKDIR"
  if [[ $rc -ne 0 ]]; then
    printf '[setup-daemons] FAILED in phase "%s" (exit %d) after %ss. Logs: %s %s\n' \
      "$PHASE" "$rc" "$(elapsed "$SCRIPT_START")" "$DOCKERD_LOG" "$INCUSD_LOG" >&2
  fi
}
trap on_exit EXIT

phase() {
  PHASE="$1"
  PHASE_START=$(date +%s.%N)
  log "== $PHASE"
}
phase_done() {
  local d
  d=$(elapsed "$PHASE_START")
  TIMINGS+=("$PHASE: ${d}s")
  log "   $PHASE done in ${d}s"
}

# wait_for <description> <command...>: retry until the command succeeds or WAIT_TIMEOUT passes.
wait_for() {
  local what="$1"; shift
  local deadline=$(( $(date +%s) + WAIT_TIMEOUT ))
  until "$@" >/dev/null 2>&1; do
    if (( $(date +%s) >= deadline )); then
      return 1
    fi
    sleep 0.5
  done
  log "   $what is ready"
}

[[ $(id -u) -eq 0 ]] || die "must run as root"
command -v apt-get >/dev/null || die "apt-get not found (expected Debian bookworm)"

WORKDIR=$(mktemp -d /tmp/setup-daemons.XXXXXX)

# build_busybox_rootfs <dir>: a minimal rootfs made of busybox-static and its applet symlinks.
build_busybox_rootfs() {
  local root="$1" bb applet
  bb=$(command -v busybox || true)
  [[ -n "$bb" ]] || die "busybox not found (apt-get install -y busybox-static)"
  if ldd "$bb" >/dev/null 2>&1; then
    die "$bb is dynamically linked; the images need busybox-static"
  fi
  rm -rf "$root"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,dev,proc,sys,run,var/tmp,tmp}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  chmod 700 "$root/root"
  cp "$bb" "$root/bin/busybox"
  chmod 755 "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [[ "$applet" == busybox ]] && continue
    [[ -e "$root/bin/$applet" ]] || ln -s busybox "$root/bin/$applet"
  done
  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
  echo "hosts: files dns" >"$root/etc/nsswitch.conf"
  printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
  : >"$root/etc/resolv.conf"
}

###############################################################################
# 1. Docker engine
###############################################################################
phase "docker: install"
# busybox-static (not a dynamically linked busybox) is what gets copied into the images.
if ! command -v dockerd >/dev/null 2>&1 ||
   ! dpkg-query -W -f '${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
  log "   installing docker.io busybox-static"
  apt-get install -y docker.io busybox-static || {
    log "   apt-get install failed; refreshing package lists and retrying"
    apt-get update
    apt-get install -y docker.io busybox-static
  } || die "apt-get install docker.io busybox-static failed"
else
  log "   dockerd and busybox already installed"
fi
phase_done

phase "docker: start dockerd"
if docker info >/dev/null 2>&1; then
  log "   dockerd already running"
else
  log "   starting dockerd (log: $DOCKERD_LOG)"
  # setsid + nohup: the daemon must outlive this script and its terminal.
  setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  echo $! >"$DOCKERD_PIDFILE"
  wait_for "dockerd" docker info ||
    die "dockerd not ready after ${WAIT_TIMEOUT}s; last log lines:
$(tail -n 20 "$DOCKERD_LOG" 2>/dev/null)"
fi
phase_done

phase "docker: image $DOCKER_IMAGE"
if docker image inspect "$DOCKER_IMAGE" >/dev/null 2>&1; then
  log "   $DOCKER_IMAGE already present"
else
  build_busybox_rootfs "$WORKDIR/docker-rootfs"
  tar -C "$WORKDIR/docker-rootfs" -c . |
    docker import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin:/sbin:/usr/bin:/usr/sbin' - "$DOCKER_IMAGE" >/dev/null ||
    die "docker import failed"
  log "   imported $DOCKER_IMAGE"
fi
phase_done

phase "docker: verify"
out=$(docker run --rm --network none "$DOCKER_IMAGE" echo ok 2>&1) ||
  die "docker run --network none $DOCKER_IMAGE failed: $out"
[[ "$out" == "ok" ]] || die "docker run printed '$out' instead of 'ok'"
if docker network inspect bridge >/dev/null 2>&1; then
  DOCKER_BRIDGE="present"
else
  DOCKER_BRIDGE="missing (use --network none)"
fi
phase_done

###############################################################################
# 2. Incus 6.0 LTS (bookworm-backports)
###############################################################################
phase "incus: install"
if [[ -x "$INCUSD_BIN" ]] && command -v incus >/dev/null 2>&1; then
  log "   incus already installed"
else
  # Reuse the mirror that is already configured: first stanza of debian.sources,
  # with the suite replaced. No host name is written by hand.
  [[ -r /etc/apt/sources.list.d/debian.sources ]] ||
    die "/etc/apt/sources.list.d/debian.sources not found; cannot derive the backports source"
  new_sources=$(awk '
    /^[[:space:]]*$/ { if (seen) exit; next }
    /^#/ { next }
    /^Suites:/ { print "Suites: bookworm-backports"; seen = 1; next }
    { print; seen = 1 }
  ' /etc/apt/sources.list.d/debian.sources)
  grep -q '^URIs:' <<<"$new_sources" || die "could not derive a URIs: line from debian.sources"
  if [[ ! -f "$BACKPORTS_SOURCES" ]] || [[ "$(cat "$BACKPORTS_SOURCES")" != "$new_sources" ]]; then
    printf '%s\n' "$new_sources" >"$BACKPORTS_SOURCES"
    log "   wrote $BACKPORTS_SOURCES"
  fi
  apt-get update || die "apt-get update failed"
  log "   installing the lean set incus-base + incus-client"
  if ! apt-get install -y --no-install-recommends \
      incus-base/bookworm-backports incus-client/bookworm-backports; then
    log "   lean install failed; falling back to the full incus package"
    apt-get install -y -t bookworm-backports incus || die "apt-get install incus failed"
  fi
  [[ -x "$INCUSD_BIN" ]] || die "$INCUSD_BIN missing after install"
  command -v incus >/dev/null 2>&1 || die "incus client missing after install"
fi
phase_done

phase "incus: start incusd"
if incus info >/dev/null 2>&1; then
  log "   incusd already running"
else
  log "   starting incusd (log: $INCUSD_LOG)"
  setsid nohup "$INCUSD_BIN" --group root >>"$INCUSD_LOG" 2>&1 </dev/null &
  echo $! >"$INCUSD_PIDFILE"
  # waitready fails at once while the socket does not exist yet: wait for the socket first.
  wait_for "incus socket" test -S /var/lib/incus/unix.socket ||
    die "incusd socket did not appear after ${WAIT_TIMEOUT}s; last log lines:
$(tail -n 20 "$INCUSD_LOG" 2>/dev/null)"
fi
incus admin waitready --timeout="$WAIT_TIMEOUT" ||
  die "incusd not ready after ${WAIT_TIMEOUT}s; last log lines:
$(tail -n 20 "$INCUSD_LOG" 2>/dev/null)"
phase_done

phase "incus: init"
if incus storage show default >/dev/null 2>&1 &&
   incus profile device get default root pool >/dev/null 2>&1; then
  log "   already initialised (storage pool default, default profile root disk)"
else
  # auto init would try to create a bridge and fails (no free subnet); no network is needed.
  incus admin init --preseed <<'EOF' || die "incus admin init --preseed failed"
storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root:
      type: disk
      path: /
      pool: default
EOF
  log "   initialised with dir storage pool 'default'"
fi
phase_done

phase "incus: image $INCUS_ALIAS"
if incus image alias list --format csv | cut -d, -f1 | grep -qx "$INCUS_ALIAS"; then
  log "   image alias $INCUS_ALIAS already present"
else
  root="$WORKDIR/incus-rootfs"
  build_busybox_rootfs "$root"
  # PID 1 that sleeps forever but exits on the halt/stop signals (SIGPWR from incus stop).
  cat >"$root/sbin/init" <<'EOF'
#!/bin/sh
trap 'exit 0' PWR TERM INT HUP
while :; do
  sleep 3600 &
  wait $!
done
EOF
  chmod 755 "$root/sbin/init"
  cat >"$WORKDIR/metadata.yaml" <<EOF
architecture: $(uname -m)
creation_date: $(date +%s)
properties:
  architecture: $(uname -m)
  description: busybox (local, for tests)
  os: busybox
  release: local
EOF
  tar -C "$WORKDIR" -cf "$WORKDIR/meta.tar" metadata.yaml
  tar -C "$root" -cf "$WORKDIR/rootfs.tar" .
  incus image import "$WORKDIR/meta.tar" "$WORKDIR/rootfs.tar" --alias "$INCUS_ALIAS" ||
    die "incus image import failed"
  log "   imported image alias $INCUS_ALIAS"
fi
phase_done

phase "incus: instance $INCUS_INSTANCE"
if ! incus info "$INCUS_INSTANCE" >/dev/null 2>&1; then
  incus init "$INCUS_ALIAS" "$INCUS_INSTANCE" || die "incus init $INCUS_ALIAS $INCUS_INSTANCE failed"
  log "   created $INCUS_INSTANCE"
fi
state=$(incus list "^${INCUS_INSTANCE}\$" --format csv --columns s)
if [[ "$state" != "RUNNING" ]]; then
  incus start "$INCUS_INSTANCE" || die "incus start $INCUS_INSTANCE failed (state was $state)"
  log "   started $INCUS_INSTANCE"
else
  log "   $INCUS_INSTANCE already running"
fi
phase_done

phase "incus: verify"
out=""
deadline=$(( $(date +%s) + WAIT_TIMEOUT ))
until out=$(incus exec "$INCUS_INSTANCE" -- echo hi 2>&1) && [[ "$out" == "hi" ]]; do
  (( $(date +%s) < deadline )) || die "incus exec $INCUS_INSTANCE -- echo hi failed: $out"
  sleep 0.5
done
phase_done

###############################################################################
# 3. HTTPS on loopback
###############################################################################
phase "incus: https"
current=$(incus config get core.https_address)
if [[ "$current" == "$INCUS_HTTPS_ADDRESS" ]]; then
  log "   core.https_address already $current"
else
  incus config set core.https_address "$INCUS_HTTPS_ADDRESS" ||
    die "incus config set core.https_address $INCUS_HTTPS_ADDRESS failed"
  log "   core.https_address set to $INCUS_HTTPS_ADDRESS (was '${current}')"
fi
https_host=${INCUS_HTTPS_ADDRESS%:*}
https_port=${INCUS_HTTPS_ADDRESS##*:}
wait_for "incus https" bash -c "exec 3<>/dev/tcp/$https_host/$https_port" ||
  die "nothing listens on $INCUS_HTTPS_ADDRESS"
phase_done

###############################################################################
# 4. Summary
###############################################################################
PHASE="summary"
docker_sock=/var/run/docker.sock
incus_sock=/var/lib/incus/unix.socket
[[ -S /run/incus/unix.socket ]] && incus_sock=/run/incus/unix.socket
docker_version=$(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null || echo unknown)
incus_version=$(incus version 2>/dev/null | awk -F': *' '/^Server version/ { print $2 }')
log "phase timings:"
for t in "${TIMINGS[@]}"; do log "   $t"; done
log "SUMMARY docker: OK dockerd ${docker_version}, socket unix://${docker_sock}, image ${DOCKER_IMAGE}, default bridge ${DOCKER_BRIDGE}, log ${DOCKERD_LOG}"
log "SUMMARY incus:  OK incusd ${incus_version:-unknown}, socket unix://${incus_sock}, https ${INCUS_HTTPS_ADDRESS}, image alias ${INCUS_ALIAS}, instance ${INCUS_INSTANCE} RUNNING, log ${INCUSD_LOG}"
log "total: $(elapsed "$SCRIPT_START")s"

###############################################################################
# 5. Deploy test tools (deploy/test: nginx in front of gateway replicas,
#    debootstrap for the local base image; scripts/build-base-image.sh builds it)
###############################################################################
# Only installed here: nginx is run by the tests themselves as a foreground child with a
# generated config, never as a service. Idempotent like the rest.
install_deploy_tools() {
  local missing=()
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  command -v debootstrap >/dev/null 2>&1 || [[ -x /usr/sbin/debootstrap ]] || missing+=(debootstrap)
  if (( ${#missing[@]} == 0 )); then
    log "   nginx and debootstrap already installed"
    return 0
  fi
  log "   installing ${missing[*]}"
  # policy-rc.d 101: the package must not start an nginx service on :80.
  local policy=/usr/sbin/policy-rc.d created_policy=""
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1
  fi
  local rc=0
  apt-get install -y --no-install-recommends "${missing[@]}" || {
    log "   apt-get install failed; refreshing package lists and retrying"
    apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"
  } || rc=$?
  [[ -n "$created_policy" ]] && rm -f "$policy"
  (( rc == 0 )) || die "apt-get install ${missing[*]} failed"
}

phase "deploy tools: nginx, debootstrap"
install_deploy_tools
phase_done
log "SUMMARY deploy: OK $(/usr/sbin/nginx -v 2>&1 | sed 's/^nginx version: //'), debootstrap $(dpkg-query -W -f '${Version}' debootstrap 2>/dev/null)"
