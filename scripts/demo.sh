#!/usr/bin/env bash
# sidecar's main job on the embedded default (local DCS, no etcd), on one machine:
#   node-a bootstraps a new cluster through a custom bootstrap hook (hooks.d/initdb_bootstrap, which runs initdb
#   itself and shows that --scope/--datadir arrive); node-b builds its replica through the chain
#   [wal_g_restore, basebackup]: wal_g_restore fails (no wal-g here), basebackup succeeds, node-b streams from node-a.
# Then both nodes' `sidecar jobs list` and node-b's `sidecar jobs show` tell the story.
# PostgreSQL refuses root: everything runs as the `postgres` user in a temp dir it owns. KEEP=1 leaves both running.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== building sidecar"
swift build --product sidecar 2>&1 | tail -n 1

demo=$(mktemp -d /tmp/sidecar-demo.XXXXXX)
chmod 755 "$demo"
mkdir -p "$demo/bin"
cp .build/debug/sidecar "$demo/bin/sidecar"
cp -r hooks.d "$demo/hooks.d"
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
port_a=$((20000 + RANDOM % 20000))
port_b=$((port_a + 1))

for node in a b; do
    port=$port_a
    [ "$node" = b ] && port=$port_b
    cat >"$demo/node-$node.yml" <<YML
scope: demo
name: node-$node
loop_wait: 2
bootstrap:
  method: initdb_bootstrap
  initdb_bootstrap:
    command: initdb_bootstrap
    encoding: UTF8
  pg_hba:
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
postgresql:
  data_dir: $demo/node-$node/data
  bin_dir: $bindir
  listen: 127.0.0.1:$port
  parameters:
    unix_socket_directories: $demo
  authentication:
    superuser: {username: postgres, password: demo-superuser-secret}
    replication: {username: replicator, password: demo-replication-secret}
  create_replica_methods: [wal_g_restore, basebackup]
  wal_g_restore:
    command: wal_g_restore
sidecar:
  listen: 127.0.0.1:$((port + 1000))
  state_dir: $demo/node-$node/state
  hooks_dir: $demo/hooks.d
  dcs:
    local:
      path: $demo/dcs.sqlite
YML
done
chown -R postgres:postgres "$demo"

# A plain PATH: root's own PATH has directories the postgres user cannot read.
as_pg() { runuser -u postgres -- env PATH=/usr/local/bin:/usr/bin:/bin "$@"; }
cleanup() {
    if [ "${KEEP:-0}" != 1 ]; then
        for node in a b; do
            [ -f "$demo/node-$node/data/postmaster.pid" ] && as_pg "$bindir/pg_ctl" stop -m fast -D "$demo/node-$node/data" >/dev/null 2>&1 || true
        done
    fi
}
trap cleanup EXIT

echo
echo "== node-a: sidecar run --once   (no leader, no initialize: it races and bootstraps)"
as_pg "$demo/bin/sidecar" run --once --config "$demo/node-a.yml" 2>&1 | grep -vE ' (stdout|stderr): ' || true
echo
echo "== node-b: sidecar run --once   (a leader exists: the replica chain runs)"
as_pg "$demo/bin/sidecar" run --once --config "$demo/node-b.yml" 2>&1 | grep -vE ' (stdout|stderr): ' || true
echo
echo "== node-a: pg_stat_replication"
for _ in $(seq 1 50); do
    state=$(psql -X -A -t -h "$demo" -p "$port_a" -U postgres -d postgres \
        -c "SELECT application_name || ' ' || state FROM pg_stat_replication" 2>/dev/null || true)
    [ -n "$state" ] && break
    sleep 0.2
done
echo "${state:-no replica streaming}"
echo
echo "== node-a: sidecar jobs list"
as_pg "$demo/bin/sidecar" jobs list --config "$demo/node-a.yml"
echo
echo "== node-b: sidecar jobs list"
as_pg "$demo/bin/sidecar" jobs list --config "$demo/node-b.yml"
echo
echo "== node-b: sidecar jobs show 1"
as_pg "$demo/bin/sidecar" jobs show 1 --config "$demo/node-b.yml"
echo
echo "== sidecar dcs show"
as_pg "$demo/bin/sidecar" dcs show --config "$demo/node-b.yml" || true
echo
if [ "${KEEP:-0}" = 1 ]; then
    echo "demo left running in $demo (node-a on port $port_a, node-b on $port_b)"
else
    echo "demo files are in $demo (both PostgreSQL instances stopped; KEEP=1 leaves them running)"
fi
[ "${state:-}" = "node-b streaming" ]
