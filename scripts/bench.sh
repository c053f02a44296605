#!/usr/bin/env bash
# Builds sidecar and sidecar-bench as they ship (scripts/build-release.sh: the Dockerfile's build) into
# .build-bench, then runs `sidecar-bench "$@"`, e.g.
#   scripts/bench.sh queue      scripts/bench.sh chain      scripts/bench.sh http
# imaging, chain, reliability and http start PostgreSQL as the `postgres` user, so run this as root.
# Figures only mean something on a quiet machine: nothing else building or testing at the same time.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ $# -eq 0 ]; then
    echo "usage: scripts/bench.sh <imaging|chain|hooks|queue|etcd|reliability|http> [options]" >&2
    exit 64
fi
echo "== building the release binaries (static Swift stdlib) into .build-bench" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for product in sidecar sidecar-bench; do
    if ! scripts/build-release.sh --scratch-path .build-bench --product "$product" >"$log" 2>&1; then
        cat "$log" >&2
        exit 1
    fi
    tail -n 1 "$log" >&2
done
exec .build-bench/release/sidecar-bench "$@"
