#!/usr/bin/env bash
# Stop the daemons started by scripts/setup-daemons.sh (best effort, never fails).
#   incusd: `incus admin shutdown` (stops the instances too), then SIGTERM/SIGKILL by pid file
#   dockerd: SIGTERM by pid file (dockerd stops its own containerd), then SIGKILL
# Installed packages, images, the instance c1 and all state are kept: setup-daemons.sh
# starts everything again in a few seconds.
set -uo pipefail

DOCKERD_PIDFILE=/run/dockerd-test.pid
INCUSD_PIDFILE=/run/incusd-test.pid
STOP_TIMEOUT="${DAEMON_STOP_TIMEOUT:-30}"

log() { printf '[stop-daemons] %s\n' "$*"; }

alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# stop_pid <name> <pid> <expected-exe-basename>: TERM, wait, then KILL.
stop_pid() {
  local name="$1" pid="$2" exe="$3" i
  local cur
  alive "$pid" || return 0
  # Make sure the pid still belongs to the daemon (pid files can be stale). An exiting
  # process has no readable exe link any more: just wait for it.
  cur=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
  cur=${cur% (deleted)}
  if [[ -n "$cur" && "$(basename "$cur")" != "$exe" ]]; then
    log "$name: pid $pid is $cur, not $exe; leaving it alone"
    return 0
  fi
  if [[ -n "$cur" ]]; then
    log "$name: sending SIGTERM to $pid"
    kill -TERM "$pid" 2>/dev/null
  fi
  for ((i = 0; i < STOP_TIMEOUT * 2; i++)); do
    alive "$pid" || { log "$name: stopped"; return 0; }
    sleep 0.5
  done
  log "$name: still running after ${STOP_TIMEOUT}s, sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null
}

read_pid() { [[ -r "$1" ]] && tr -dc '0-9' <"$1"; }

# --- incus -------------------------------------------------------------------
incus_pid=$(read_pid "$INCUSD_PIDFILE" || true)
if command -v incus >/dev/null 2>&1 && incus info >/dev/null 2>&1; then
  log "incusd: incus admin shutdown --timeout $STOP_TIMEOUT"
  timeout $((STOP_TIMEOUT + 15)) incus admin shutdown --timeout "$STOP_TIMEOUT" >/dev/null 2>&1 ||
    log "incusd: admin shutdown reported an error"
fi
if [[ -z "$incus_pid" ]]; then
  log "incusd: no pid file ($INCUSD_PIDFILE)"
elif alive "$incus_pid"; then
  stop_pid incusd "$incus_pid" incusd
else
  log "incusd: stopped"
fi
rm -f "$INCUSD_PIDFILE"

# --- docker ------------------------------------------------------------------
docker_pid=$(read_pid /var/run/docker.pid || true)
[[ -n "$docker_pid" ]] || docker_pid=$(read_pid "$DOCKERD_PIDFILE" || true)
if alive "$docker_pid"; then
  stop_pid dockerd "$docker_pid" dockerd
else
  log "dockerd: not running"
fi
rm -f "$DOCKERD_PIDFILE"

log "done"
exit 0
