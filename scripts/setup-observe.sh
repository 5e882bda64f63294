#!/usr/bin/env bash
# Installs what the observability tests talk to (issue 24): Debian's Prometheus, which a test runs
# on loopback to scrape a server's /metrics and answer a PromQL query. Only the binary is used; the
# package's own service is not started by the tests (they run their own instance on a free port).
# Debian bookworm, run as root. Idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
log() { printf '[setup-observe] %s\n' "$*"; }

if command -v prometheus >/dev/null 2>&1; then
  log "prometheus present: $(prometheus --version 2>&1 | head -1)"
else
  log "installing prometheus (Debian package)"
  apt-get install -y --no-install-recommends prometheus || {
    apt-get update && apt-get install -y --no-install-recommends prometheus
  }
fi

# Jaeger, built from its Go module at v1.75.0 (the traces test sends it OTLP and queries its HTTP
# API). The build is cached outside the repository; a second run finds the binary and skips it.
JAEGER_DIR="${HOME}/.cache/infra-mcp/jaeger-v1.75.0"
if [ -x "$JAEGER_DIR/jaeger" ]; then
  log "jaeger present: $JAEGER_DIR/jaeger"
else
  command -v go >/dev/null 2>&1 || { log "go not found: install Go to build Jaeger"; exit 1; }
  log "building jaeger v1.75.0 from its Go module into $JAEGER_DIR (several minutes, once)"
  mkdir -p "$JAEGER_DIR"
  (
    cd "$JAEGER_DIR"
    [ -f go.mod ] || go mod init infra-mcp-jaeger-build >/dev/null
    go get -tool github.com/jaegertracing/jaeger/cmd/jaeger@v1.75.0
    go build -o jaeger.tmp github.com/jaegertracing/jaeger/cmd/jaeger
    mv jaeger.tmp jaeger
  )
fi
