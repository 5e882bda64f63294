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
