#!/usr/bin/env bash
# Helm for the chart in deploy/helm/infra-mcp, built from its Go module (no prebuilt binary can be
# downloaded on the development machines or CI; the Go module proxy serves helm.sh/helm/v4).
#
#   bash scripts/helm.sh check     helm lint --strict + helm template of the chart, with the default
#                                  values and each variant deploy/test/helm.test.ts renders
#   bash scripts/helm.sh path      print the helm binary's path (building it first if missing)
#   bash scripts/helm.sh ARGS...   run helm with ARGS
#
# The binary is cached outside the repository, in $INFRA_MCP_HELM_CACHE (default
# ~/.cache/infra-mcp/helm/<version>/helm); the first build takes a few minutes (needs Go >= 1.24).
set -euo pipefail

HELM_VERSION=v4.3.2
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${INFRA_MCP_HELM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/infra-mcp/helm}"
bin="$cache/$HELM_VERSION/helm"
chart="$root/deploy/helm/infra-mcp"

log() { printf '[helm] %s\n' "$*" >&2; }
die() { printf '[helm] ERROR: %s\n' "$*" >&2; exit 1; }

ensure_helm() {
  [[ -x "$bin" ]] && return 0
  command -v go >/dev/null 2>&1 || die "go not found: building helm $HELM_VERSION needs the Go toolchain"
  mkdir -p "$cache"
  # One build at a time (./dev test and the deploy suite may both ask); the binary appears whole.
  exec 9>"$cache/.lock"
  flock 9
  if [[ ! -x "$bin" ]]; then
    local tmp
    tmp="$(mktemp -d "$cache/build.XXXXXX")"
    log "building helm.sh/helm/v4/cmd/helm@$HELM_VERSION into $bin (a few minutes, once)"
    GOBIN="$tmp" GOFLAGS=-buildvcs=false CGO_ENABLED=0 go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" ||
      { rm -rf "$tmp"; die "go install helm.sh/helm/v4/cmd/helm@$HELM_VERSION failed"; }
    mkdir -p "$(dirname "$bin")"
    mv "$tmp/helm" "$bin"
    rm -rf "$tmp"
  fi
  exec 9>&-
}

# Each line: the --set values of one variant the chart must render (lint and template).
variants() {
  cat <<'EOF'

server=qovery-mcp,image.repository=qovery-mcp
server=incus-mcp,incusTls.enabled=true,credentials.incusClientCert=c,credentials.incusClientKey=k,credentials.incusServerCert=s
stateless=true,replicaCount=3
replicaCount=3,ingress.enabled=true,ingress.tlsSecretName=tls,http.allowedHosts[0]=mcp.example.internal
existingSecret=team-credentials
oauth.issuer=https://id.example.com/realms/team,oauth.publicUrl=https://mcp.example.com,credentials.mcpHttpToken=
networkPolicy.enabled=true,networkPolicy.from[0].podSelector.matchLabels.role=client
hostNetwork=true,ports.mcp=29190,ports.rest=29180,http.bindAddress=127.0.0.1
metrics.enabled=true,networkPolicy.enabled=true,networkPolicy.from[0].podSelector.matchLabels.app=prometheus
metrics.enabled=true,metrics.port=29464,hostNetwork=true,ports.mcp=29190,ports.rest=29180,http.bindAddress=127.0.0.1
audit.enabled=true,audit.reads=true
tracing.endpoint=http://otel-collector.observability.svc:4318,tracing.protocol=http/json,tracing.serviceName=infra-mcp-prod
server=incus-mcp,metrics.enabled=true,audit.enabled=true,tracing.endpoint=http://jaeger:4318
EOF
}

check() {
  ensure_helm
  local n=0 set
  while IFS= read -r set; do
    local args=()
    [[ -n "$set" ]] && args=(--set "$set")
    "$bin" lint --strict "$chart" "${args[@]}" >/dev/null ||
      { "$bin" lint --strict "$chart" "${args[@]}" >&2 || true; die "helm lint failed with --set '${set}'"; }
    "$bin" template check "$chart" "${args[@]}" >/dev/null || die "helm template failed with --set '${set}'"
    n=$((n + 1))
  done < <(variants)
  # Values the servers refuse must be refused at install time too.
  if "$bin" template check "$chart" --set oauth.issuer=https://id.example.com,credentials.mcpHttpToken=t0ken-x \
    >/dev/null 2>&1; then
    die "the chart rendered OAuth together with a bearer token (the servers refuse both)"
  fi
  if "$bin" template check "$chart" --set serviceMonitor.enabled=true --api-versions monitoring.coreos.com/v1 \
    >/dev/null 2>&1; then
    die "the chart rendered a ServiceMonitor without metrics.enabled (it would scrape nothing)"
  fi
  # The ServiceMonitor needs the Operator's API, which a plain lint or template does not have.
  "$bin" template check "$chart" --set serviceMonitor.enabled=true,metrics.enabled=true \
    --api-versions monitoring.coreos.com/v1 >/dev/null || die "helm template failed with the ServiceMonitor on"
  log "helm $HELM_VERSION: lint --strict and template passed for $n value sets of deploy/helm/infra-mcp"
}

case "${1:-check}" in
  check) check ;;
  path)
    ensure_helm
    echo "$bin"
    ;;
  *)
    ensure_helm
    exec "$bin" "$@"
    ;;
esac
