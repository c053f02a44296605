#!/usr/bin/env bash
# sidecar's main job on the embedded default (local DCS, no etcd).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build 2>&1 | tail -n 1
demo=$(mktemp -d /tmp/sidecar-demo.XXXXXX)
cat > "$demo/sidecar.yml" <<YML
scope: demo
name: node-a
postgresql:
  data_dir: $demo/node-a/data
YML
echo "== sidecar jobs list"
.build/debug/sidecar jobs list --config "$demo/sidecar.yml"
