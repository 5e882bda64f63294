#!/usr/bin/env bash
# Take down the cluster started by scripts/setup-kubernetes.sh and leave the host as it was:
# pods' containers and sandboxes (with their network namespaces), kubelet, scheduler,
# controller-manager, apiserver, etcd and the cluster's own containerd; then the kubelet's mounts
# and state, the cluster's etcd data, /var/log/containers (the kubelet's links), the kubepods
# cgroups. Kept: the builds (K8S_CACHE), the certificates and the imported images, so the next
# setup is a fresh, empty cluster in seconds. Best effort, never fails; safe to run twice.
set -uo pipefail

STATE="${K8S_STATE:-/var/lib/infra-mcp-k8s}"
RUN=/run/infra-mcp-k8s
CTRD_SOCK="$RUN/containerd/containerd.sock"
STOP_TIMEOUT="${K8S_STOP_TIMEOUT:-30}"

log() { printf '[stop-kubernetes] %s\n' "$*"; }
alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# stop <name> <exe basename>: TERM the pid in its pid file (if it is still that program), wait, KILL.
stop() {
  local name="$1" exe="$2" pidfile="$RUN/$1.pid" pid cur i
  pid=$(tr -dc '0-9' <"$pidfile" 2>/dev/null || true)
  if ! alive "$pid"; then
    rm -f "$pidfile"
    return 0
  fi
  cur=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
  cur=${cur% (deleted)}
  if [[ -n "$cur" && "$(basename "$cur")" != "$exe" ]]; then
    log "$name: pid $pid is $cur, not $exe; leaving it alone"
    rm -f "$pidfile"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < STOP_TIMEOUT * 2; i++)); do
    alive "$pid" || break
    sleep 0.5
  done
  alive "$pid" && { log "$name: still running after ${STOP_TIMEOUT}s, SIGKILL"; kill -KILL "$pid" 2>/dev/null; }
  rm -f "$pidfile"
  log "$name: stopped"
}

ctr_k8s() { timeout 30 ctr --address "$CTRD_SOCK" -n k8s.io "$@"; }

# 1. Kubelet first, so nothing restarts what is removed next.
stop kubelet kubelet

# 2. Every container and sandbox of the cluster's containerd, with the network namespaces the CRI
#    pinned for them (only those: the paths come from the sandboxes' own specs).
if [[ -S "$CTRD_SOCK" ]] && ctr_k8s version >/dev/null 2>&1; then
  netns=()
  for id in $(ctr_k8s containers ls -q 2>/dev/null); do
    ns=$(ctr_k8s containers info "$id" 2>/dev/null | grep -o '/var/run/netns/cni-[0-9a-f-]*' | head -n1)
    [[ -n "$ns" ]] && netns+=("$ns")
    ctr_k8s tasks kill -s SIGKILL "$id" >/dev/null 2>&1
  done
  for id in $(ctr_k8s containers ls -q 2>/dev/null); do
    for ((i = 0; i < 20; i++)); do
      ctr_k8s tasks delete "$id" >/dev/null 2>&1 && break
      grep -qx "$id" <<<"$(ctr_k8s tasks ls -q 2>/dev/null)" || break
      sleep 0.25
    done
    ctr_k8s containers rm "$id" >/dev/null 2>&1 || log "containerd: could not remove container $id"
  done
  for ns in "${netns[@]}"; do
    umount "$ns" 2>/dev/null
    rm -f "$ns"
  done
  log "containerd: pods' containers removed"
fi

# 3. The control plane, then the cluster's containerd (its shims are gone with the tasks).
stop kube-scheduler kube-scheduler
stop kube-controller-manager kube-controller-manager
stop kube-apiserver kube-apiserver
stop etcd etcd
stop containerd containerd

# 4. State that would leak into the host or into the next cluster.
if [[ -d "$STATE/kubelet" ]]; then
  # Projected and emptyDir volumes are tmpfs mounts under the kubelet's root: deepest first.
  grep -o " $STATE/kubelet[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  rm -rf --one-file-system "$STATE/kubelet"
fi
rm -rf "$STATE/etcd" "$STATE/pod-logs"
if [[ -d /var/log/containers ]]; then
  # The kubelet's links point into podLogsDir; remove them and the folder only if nothing else is there.
  find /var/log/containers -maxdepth 1 -type l -lname "$STATE/*" -delete 2>/dev/null
  rmdir /var/log/containers 2>/dev/null
fi
for root in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
  [[ -d "$root" ]] || continue
  find "$root" -depth -type d -exec rmdir {} \; 2>/dev/null
done
# The pods' bridge (no address on the host) and its address leases.
ip link show imk8s0 >/dev/null 2>&1 && ip link del imk8s0
rm -rf "$STATE/cni/ipam"
if [[ -d "$RUN" ]]; then
  grep -o " $RUN[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  rm -rf --one-file-system "$RUN"
fi
log "done"
exit 0
