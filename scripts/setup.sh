#!/usr/bin/env bash
# Installs what sidecar's build, demo and tests need on a fresh Debian 12 machine, idempotently.
# Only missing packages are installed; a second run does nothing and takes a second.
set -euo pipefail

packages=(libsqlite3-dev libcurl4-openssl-dev postgresql etcd-server etcd-client pgbackrest openssl procps util-linux python3)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing packages (${missing[*]}); run as root or install them" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian's postgresql package creates and starts a 'main' cluster; sidecar's tests do not use it.
    if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q ' online '; then
        pg_ctlcluster 15 main stop >/dev/null 2>&1 || true
    fi
fi

# Python's Prometheus text parser, used by the HTTP tests to read /metrics as Prometheus would.
if ! python3 -c 'import prometheus_client' 2>/dev/null; then
    python3 -m pip install -q prometheus_client >/dev/null 2>&1 || echo "setup: could not install prometheus_client" >&2
fi

# PostgreSQL refuses to run as root: tests and the demo run it as this unprivileged user.
id postgres >/dev/null 2>&1 || { echo "setup: no 'postgres' user after installing postgresql" >&2; exit 1; }
