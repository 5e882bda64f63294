#!/usr/bin/env bash
# A real one-node Kubernetes (v1.35.4) on this machine, for portainer-mcp's pod tests and by-hand
# checks against a real Portainer. Everything listens on loopback:
#   etcd 127.0.0.1:23790 (peer :23800), kube-apiserver https://127.0.0.1:6443,
#   kubelet 127.0.0.1:10250 (healthz :10248), scheduler/controller-manager secure ports on loopback,
#   and a containerd of its own (own root, state, socket and runc root: Docker's is never touched).
#
# Built only from the Go module proxy and Debian's packages:
#   - kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kubectl: `go build` of
#     k8s.io/kubernetes v1.35.4 through a wrapper module (k8s.io/kubernetes replaces its 31 staging
#     modules with local folders, so it cannot be built as a dependency until each is replaced by its
#     v0.35.4 release), CGO_ENABLED=0. Cached in $K8S_CACHE (cold build: tens of minutes on 2 cores).
#   - etcd-server, containerd 1.6, runc, containernetworking-plugins, busybox-static, bash-static.
#   - Images without a registry: docker-archive tars made here and imported with
#     `ctr -n k8s.io images import`: busybox:local (busybox-static), the sandbox image, and
#     portainer/kubectl-shell:2.23.0 (kubectl + busybox + bash), the name Portainer CE 2.23 asks for.
#     Pods must use `imagePullPolicy: Never` (or IfNotPresent): nothing can be pulled.
#
# Idempotent: a second run finds everything up in a second. scripts/stop-kubernetes.sh takes it
# down and cleans up (kubelet mounts, cgroups, /var/log/containers); the builds and images stay.
#
# The admin kubeconfig is written to $K8S_STATE/admin.kubeconfig (default
# /var/lib/infra-mcp-k8s/admin.kubeconfig); `$K8S_CACHE/bin-v1.35.4/kubectl --kubeconfig …`.
#
# Environment overrides:
#   K8S_CACHE          build cache (default ~/.cache/infra-mcp/k8s; Go module and build caches too)
#   K8S_STATE          cluster state (default /var/lib/infra-mcp-k8s)
#   K8S_WAIT_TIMEOUT   seconds to wait for each component (default 120)
set -euo pipefail

K8S_VERSION=1.35.4
STAGING_VERSION=0.35.4
CACHE="${K8S_CACHE:-$HOME/.cache/infra-mcp/k8s}"
STATE="${K8S_STATE:-/var/lib/infra-mcp-k8s}"
RUN=/run/infra-mcp-k8s
BIN="$CACHE/bin-v$K8S_VERSION"
WAIT_TIMEOUT="${K8S_WAIT_TIMEOUT:-120}"
NODE=infra-mcp-k8s
APISERVER=https://127.0.0.1:6443
ETCD_CLIENT=http://127.0.0.1:23790
ETCD_PEER=http://127.0.0.1:23800
SHELL_IMAGE=portainer/kubectl-shell:2.23.0
SANDBOX_IMAGE=infra-mcp.local/pause:1
BUSYBOX_IMAGE=busybox:local
POD_BRIDGE=imk8s0
POD_SUBNET=10.213.77.0/24
COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl)

export DEBIAN_FRONTEND=noninteractive
SCRIPT_START=$(date +%s.%N)
PHASE=startup

log() { printf '[setup-kubernetes] %s\n' "$*"; }
die() { printf '[setup-kubernetes] ERROR (%s): %s\n' "$PHASE" "$*" >&2; exit 1; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
phase() { PHASE="$1"; PHASE_START=$(date +%s.%N); log "== $PHASE"; }
phase_done() { log "   $PHASE done in $(elapsed "$PHASE_START")s"; }

# wait_for <description> <command...>: retry until it succeeds or WAIT_TIMEOUT passes.
wait_for() {
  local what="$1"; shift
  local deadline=$(( $(date +%s) + WAIT_TIMEOUT ))
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s) < deadline )) || return 1
    sleep 0.5
  done
  log "   $what is ready"
}

[[ $(id -u) -eq 0 ]] || die "must run as root"
kubectl() { "$BIN/kubectl" --kubeconfig "$STATE/admin.kubeconfig" "$@"; }

###############################################################################
# 1. Packages
###############################################################################
phase "packages"
need=()
for pkg in etcd-server containerd runc containernetworking-plugins busybox-static bash-static openssl; do
  [[ "$(dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null)" == *"ok installed" ]] || need+=("$pkg")
done
if (( ${#need[@]} )); then
  log "   installing ${need[*]}"
  # policy-rc.d 101: no package may start its own etcd or containerd service.
  policy=/usr/sbin/policy-rc.d created_policy=""
  if [[ ! -e "$policy" ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1; fi
  rc=0
  apt-get install -y --no-install-recommends "${need[@]}" || {
    apt-get update && apt-get install -y --no-install-recommends "${need[@]}"
  } || rc=$?
  [[ -n "$created_policy" ]] && rm -f "$policy"
  (( rc == 0 )) || die "apt-get install ${need[*]} failed"
fi
phase_done

###############################################################################
# 2. Kubernetes binaries (cached)
###############################################################################
phase "build kubernetes v$K8S_VERSION"
missing=0
for c in "${COMPONENTS[@]}"; do [[ -x "$BIN/$c" ]] || missing=1; done
if (( missing )); then
  export PATH="$PATH:/usr/local/go/bin"
  # Kubernetes 1.35 needs Go >= 1.25 (the machine's own Go; Debian's is older).
  gov=$(go env GOVERSION 2>/dev/null || true)
  [[ "$gov" =~ ^go1\.(2[5-9]|[3-9][0-9]) ]] || die "Go >= 1.25 is needed to build Kubernetes v$K8S_VERSION (found: ${gov:-none})"
  build="$CACHE/build-v$K8S_VERSION"
  mkdir -p "$build" "$BIN.tmp"
  export GOMODCACHE="$CACHE/gomod" GOCACHE="$CACHE/gocache" CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local
  go mod download "k8s.io/kubernetes@v$K8S_VERSION" || die "go mod download k8s.io/kubernetes@v$K8S_VERSION failed"
  upstream_mod="$GOMODCACHE/cache/download/k8s.io/kubernetes/@v/v$K8S_VERSION.mod"
  {
    echo "module infra-mcp.local/k8s-build"
    echo
    echo "go 1.25.0"
    echo
    echo "require k8s.io/kubernetes v$K8S_VERSION"
    echo
    echo "replace ("
    awk -v v="v$STAGING_VERSION" '$2 == "=>" && $3 ~ /^\.\/staging\// { print "\t" $1 " => " $1 " " v }' "$upstream_mod"
    echo ")"
  } >"$build/go.mod"
  n=$(grep -c ' => k8s.io/' "$build/go.mod" || true)
  (( n > 20 )) || die "found only $n staging modules in $upstream_mod"
  printf 'package main\n\nfunc main() {}\n' >"$build/main.go"
  ver="-X k8s.io/component-base/version.gitVersion=v$K8S_VERSION -X k8s.io/component-base/version.gitMajor=${K8S_VERSION%%.*}"
  ver+=" -X k8s.io/component-base/version.gitMinor=$(cut -d. -f2 <<<"$K8S_VERSION") -X k8s.io/component-base/version.gitTreeState=clean"
  ver+=" -X k8s.io/client-go/pkg/version.gitVersion=v$K8S_VERSION"
  pkgs=()
  for c in "${COMPONENTS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  log "   go build ${COMPONENTS[*]} ($n staging modules replaced; GOCACHE $GOCACHE)"
  (cd "$build" && go build -trimpath -ldflags "-s -w $ver" -o "$BIN.tmp/" "${pkgs[@]}") || die "go build failed"
  mkdir -p "$BIN"
  for c in "${COMPONENTS[@]}"; do mv -f "$BIN.tmp/$c" "$BIN/$c"; done
  rmdir "$BIN.tmp" 2>/dev/null || true
else
  log "   cached in $BIN"
fi
phase_done

###############################################################################
# 3. Certificates, keys, kubeconfigs (kept across restarts)
###############################################################################
phase "pki"
PKI="$STATE/pki"
mkdir -p "$PKI" "$RUN"
chmod 700 "$STATE" "$PKI"
# mkcert <name> <subject> [subjectAltName]: a key and a certificate signed by the cluster CA.
mkcert() {
  local name="$1" subj="$2" san="${3:-}" ext="$PKI/$1.ext"
  [[ -s "$PKI/$name.crt" ]] && return 0
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [[ -n "$san" ]]; then echo "extendedKeyUsage=serverAuth"; echo "subjectAltName=$san"; else echo "extendedKeyUsage=clientAuth"; fi
  } >"$ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null || die "signing $name failed"
  rm -f "$PKI/$name.csr" "$ext"
}
if [[ ! -s "$PKI/ca.crt" ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.crt" -days 3650 \
    -subj "/CN=infra-mcp-k8s-ca" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null || die "CA creation failed"
fi
mkcert apiserver "/CN=kube-apiserver" \
  "IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
mkcert admin "/O=system:masters/CN=infra-mcp-admin"
mkcert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
mkcert kubelet "/O=system:nodes/CN=system:node:$NODE"
mkcert scheduler "/CN=system:kube-scheduler"
mkcert controller-manager "/CN=system:kube-controller-manager"
[[ -s "$PKI/sa.key" ]] || openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
[[ -s "$PKI/sa.pub" ]] || openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
# kubeconfig <file> <cert name>
kubeconfig() {
  local file="$1" who="$2"
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: infra-mcp-k8s
  cluster:
    server: $APISERVER
    certificate-authority: $PKI/ca.crt
users:
- name: $who
  user:
    client-certificate: $PKI/$who.crt
    client-key: $PKI/$who.key
contexts:
- name: infra-mcp-k8s
  context: {cluster: infra-mcp-k8s, user: $who}
current-context: infra-mcp-k8s
EOF
  chmod 600 "$file"
}
kubeconfig "$STATE/admin.kubeconfig" admin
# For programs without a kubeconfig parser (portainer-mcp's tests): the same facts as JSON.
printf '{"server": "%s", "ca": "%s", "cert": "%s", "key": "%s"}\n' \
  "$APISERVER" "$PKI/ca.crt" "$PKI/admin.crt" "$PKI/admin.key" >"$STATE/cluster.json"
chmod 600 "$STATE/cluster.json"
kubeconfig "$STATE/kubelet.kubeconfig" kubelet
kubeconfig "$STATE/scheduler.kubeconfig" scheduler
kubeconfig "$STATE/controller-manager.kubeconfig" controller-manager
phase_done

# start <name> <command...>: run a component in the background (own session, log and pid file)
# unless its pid file names a live process.
start() {
  local name="$1"; shift
  local pidfile="$RUN/$name.pid" pid
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    log "   $name already running (pid $pid)"
    return 0
  fi
  mkdir -p "$STATE/log"
  setsid nohup "$@" >>"$STATE/log/$name.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  log "   started $name (pid $!, log $STATE/log/$name.log)"
}
fail_log() { die "$1 not ready after ${WAIT_TIMEOUT}s; last log lines:
$(tail -n 25 "$STATE/log/$1.log" 2>/dev/null)"; }

###############################################################################
# 4. etcd
###############################################################################
phase "etcd"
mkdir -p "$STATE/etcd"
chmod 700 "$STATE/etcd"
start etcd /usr/bin/etcd --name "$NODE" --data-dir "$STATE/etcd" \
  --listen-client-urls "$ETCD_CLIENT" --advertise-client-urls "$ETCD_CLIENT" \
  --listen-peer-urls "$ETCD_PEER" --initial-advertise-peer-urls "$ETCD_PEER" \
  --initial-cluster "$NODE=$ETCD_PEER" --initial-cluster-state new
wait_for etcd curl -fsS "$ETCD_CLIENT/health" || fail_log etcd
phase_done

###############################################################################
# 5. kube-apiserver
###############################################################################
phase "kube-apiserver"
start kube-apiserver "$BIN/kube-apiserver" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port=6443 \
  --etcd-servers="$ETCD_CLIENT" --etcd-prefix=/infra-mcp-k8s \
  --service-cluster-ip-range=10.96.0.0/24 --endpoint-reconciler-type=none \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
  --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --kubelet-preferred-address-types=InternalIP \
  --authorization-mode=Node,RBAC --allow-privileged=true \
  --enable-admission-plugins=NodeRestriction
wait_for kube-apiserver kubectl get --raw /readyz || fail_log kube-apiserver
phase_done

###############################################################################
# 6. controller-manager and scheduler
###############################################################################
phase "controller-manager, scheduler"
start kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig="$STATE/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$STATE/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$STATE/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port=10257 --leader-elect=false \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key"
start kube-scheduler "$BIN/kube-scheduler" \
  --kubeconfig="$STATE/scheduler.kubeconfig" \
  --authentication-kubeconfig="$STATE/scheduler.kubeconfig" \
  --authorization-kubeconfig="$STATE/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port=10259 --leader-elect=false
wait_for kube-controller-manager curl -fsSk https://127.0.0.1:10257/healthz || fail_log kube-controller-manager
wait_for kube-scheduler curl -fsSk https://127.0.0.1:10259/healthz || fail_log kube-scheduler
phase_done

###############################################################################
# 7. containerd (its own instance)
###############################################################################
phase "containerd"
CTRD_SOCK="$RUN/containerd/containerd.sock"
mkdir -p "$STATE/containerd" "$RUN/containerd" "$STATE/cni/net.d" "$STATE/opt"
# Pods that must talk to something use hostNetwork. The rest (Portainer's kubectl shell pod) get
# an isolated pod network: a bridge without an address on the host, no gateway, no route out and
# no NAT, so a pod reaches only other pods (containerd wants an eth0 with an address).
rm -f "$STATE/cni/net.d/10-loopback.conflist"
cat >"$STATE/cni/net.d/10-infra-mcp.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "infra-mcp-pods", "plugins": [
  {"type": "bridge", "bridge": "$POD_BRIDGE", "isGateway": false, "isDefaultGateway": false, "ipMasq": false,
   "ipam": {"type": "host-local", "dataDir": "$STATE/cni/ipam", "ranges": [[{"subnet": "$POD_SUBNET"}]]}},
  {"type": "loopback"}]}
EOF
cat >"$STATE/containerd.toml" <<EOF
version = 2
root = "$STATE/containerd"
state = "$RUN/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "$CTRD_SOCK"
[ttrpc]
  address = "$CTRD_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$SANDBOX_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # no CAP_SYS_RESOURCE here: runc must not lower a process's oom_score_adj
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$RUN/runc"
        SystemdCgroup = false
EOF
start containerd /usr/bin/containerd --config "$STATE/containerd.toml"
wait_for containerd ctr --address "$CTRD_SOCK" version || fail_log containerd
phase_done

###############################################################################
# 8. Images
###############################################################################
phase "images"
ctr_k8s() { ctr --address "$CTRD_SOCK" -n k8s.io "$@"; }
# (no `ctr … | grep -q`: grep's early exit would fail the pipeline under pipefail)
have_image() { local names; names=$(ctr_k8s images ls -q) && grep -qx "$1" <<<"$names"; }
# busybox_rootfs <dir>
busybox_rootfs() {
  local root="$1" applet
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,dev,proc,sys,tmp,var/tmp}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [[ "$applet" == busybox || -e "$root/bin/$applet" ]] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
}
# docker_archive <rootfs dir> <repo:tag> <config json (without rootfs)> <out.tar>: Docker's
# `docker save` layout (manifest.json, config, one layer), what `ctr images import` reads.
docker_archive() {
  local root="$1" tag="$2" config="$3" out="$4" dir diff cfg
  dir=$(mktemp -d)
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$dir/layer.tar" .
  diff=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
  mkdir -p "$dir/$diff" && mv "$dir/layer.tar" "$dir/$diff/layer.tar"
  printf '%s' "${config%\}}, \"architecture\": \"amd64\", \"os\": \"linux\", \"rootfs\": {\"type\": \"layers\", \"diff_ids\": [\"sha256:$diff\"]}}" >"$dir/config.json"
  cfg=$(sha256sum "$dir/config.json" | cut -d' ' -f1)
  mv "$dir/config.json" "$dir/$cfg.json"
  printf '[{"Config": "%s.json", "RepoTags": ["%s"], "Layers": ["%s/layer.tar"]}]' "$cfg" "$tag" "$diff" >"$dir/manifest.json"
  tar -C "$dir" -cf "$out" manifest.json "$cfg.json" "$diff"
  rm -rf "$dir"
}
import_image() {
  local name="$1" tar="$2"
  ctr_k8s images import "$tar" >/dev/null || die "ctr images import $name failed"
  have_image "$name" || die "$name missing after import"
  log "   imported $name"
}
work=$(mktemp -d /tmp/setup-kubernetes.XXXXXX)
trap 'rm -rf "$work"' EXIT
env_path='"Env": ["PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"]'
if ! have_image "docker.io/library/$BUSYBOX_IMAGE"; then
  busybox_rootfs "$work/bb"
  docker_archive "$work/bb" "$BUSYBOX_IMAGE" "{\"config\": {$env_path, \"Cmd\": [\"/bin/sh\"]}}" "$work/bb.tar"
  import_image "docker.io/library/$BUSYBOX_IMAGE" "$work/bb.tar"
fi
if ! have_image "$SANDBOX_IMAGE"; then
  busybox_rootfs "$work/pause"
  # The sandbox's PID 1: sleeps until told to stop.
  printf '#!/bin/sh\ntrap "exit 0" TERM INT\nwhile :; do sleep 3600 & wait $!; done\n' >"$work/pause/pause"
  chmod 755 "$work/pause/pause"
  docker_archive "$work/pause" "$SANDBOX_IMAGE" "{\"config\": {$env_path, \"Entrypoint\": [\"/pause\"]}}" "$work/pause.tar"
  import_image "$SANDBOX_IMAGE" "$work/pause.tar"
fi
if ! have_image "docker.io/$SHELL_IMAGE"; then
  # What Portainer's kubectl shell pod runs: `sleep N`, then `env COLUMNS=200 /bin/bash` in it.
  busybox_rootfs "$work/shell"
  cp /bin/bash-static "$work/shell/bin/bash"
  mkdir -p "$work/shell/usr/local/bin" "$work/shell/home/shell"
  cp "$BIN/kubectl" "$work/shell/usr/local/bin/kubectl"
  docker_archive "$work/shell" "$SHELL_IMAGE" \
    "{\"config\": {$env_path, \"Cmd\": [\"/bin/bash\"], \"WorkingDir\": \"/home/shell\"}}" "$work/shell.tar"
  import_image "docker.io/$SHELL_IMAGE" "$work/shell.tar"
fi
phase_done

###############################################################################
# 9. kubelet
###############################################################################
phase "kubelet"
mkdir -p "$STATE/kubelet" "$STATE/pod-logs"
: >"$STATE/resolv.conf"
cat >"$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
# cgroup v1 here; kubelet 1.35 refuses it unless told
failCgroupV1: false
containerRuntimeEndpoint: unix://$CTRD_SOCK
podLogsDir: $STATE/pod-logs
resolvConf: $STATE/resolv.conf
failSwapOn: false
makeIPTablesUtilChains: false
# the imported images cannot be pulled again: never collect them
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
registerNode: true
maxPods: 60
EOF
# --cloud-provider=external: the kubelet leaves the node's addresses alone once set, so they can
# be 127.0.0.1 (it refuses a loopback --node-ip and would otherwise pick the machine's address).
start kubelet "$BIN/kubelet" --config="$STATE/kubelet.yaml" --kubeconfig="$STATE/kubelet.kubeconfig" \
  --root-dir="$STATE/kubelet" --hostname-override="$NODE" --cloud-provider=external
wait_for "kubelet healthz" curl -fsS http://127.0.0.1:10248/healthz || fail_log kubelet
wait_for "node $NODE registered" kubectl get node "$NODE" || fail_log kubelet
addr=$(kubectl get node "$NODE" -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
if [[ "$addr" != 127.0.0.1 ]]; then
  kubectl patch node "$NODE" --subresource=status --type=merge \
    -p "{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"127.0.0.1\"},{\"type\":\"Hostname\",\"address\":\"$NODE\"}]}}" >/dev/null ||
    die "patching the node's addresses failed"
  log "   node address set to 127.0.0.1"
fi
# No cloud controller will initialise the node: lift its taint.
if [[ "$(kubectl get node "$NODE" -o jsonpath='{.spec.taints[*].key}')" == *node.cloudprovider.kubernetes.io/uninitialized* ]]; then
  kubectl taint node "$NODE" node.cloudprovider.kubernetes.io/uninitialized- >/dev/null
fi
node_ready() { [[ "$(kubectl get node "$NODE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" == True ]]; }
wait_for "node Ready" node_ready || fail_log kubelet
phase_done

###############################################################################
# 10. Verify: a pod runs, exec and logs work
###############################################################################
phase "verify"
wait_for "default service account" kubectl -n default get serviceaccount default || fail_log kube-controller-manager
if ! kubectl -n default get pod infra-mcp-k8s-smoke >/dev/null 2>&1; then
  kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: infra-mcp-k8s-smoke, namespace: default}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 0
  containers:
  - {name: main, image: $BUSYBOX_IMAGE, imagePullPolicy: Never, command: [sh, -c, 'echo smoke-ok; exec sleep 2147483647']}
EOF
fi
kubectl -n default wait --for=condition=Ready pod/infra-mcp-k8s-smoke --timeout="${WAIT_TIMEOUT}s" >/dev/null ||
  die "smoke pod not Ready: $(kubectl -n default describe pod infra-mcp-k8s-smoke | tail -n 15)"
out=$(kubectl -n default exec infra-mcp-k8s-smoke -- echo exec-ok 2>&1) || die "kubectl exec failed: $out"
[[ "$out" == exec-ok ]] || die "kubectl exec printed '$out'"
logs_ok() { [[ "$(kubectl -n default logs infra-mcp-k8s-smoke)" == smoke-ok ]]; }
wait_for "pod logs" logs_ok || die "kubectl logs did not show the smoke pod's line"
kubectl -n default delete pod infra-mcp-k8s-smoke --wait=false >/dev/null
phase_done

log "SUMMARY kubernetes: OK v$K8S_VERSION, apiserver $APISERVER, node $NODE (127.0.0.1), images $BUSYBOX_IMAGE $SHELL_IMAGE"
log "   KUBECONFIG=$STATE/admin.kubeconfig $BIN/kubectl get pods -A"
log "total: $(elapsed "$SCRIPT_START")s"
