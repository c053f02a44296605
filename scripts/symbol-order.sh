#!/usr/bin/env bash
# Regenerates linker/sidecar.order: the functions a running sidecar executes, most used first, which lld places
# together at the start of the code (Package.swift). Run it as root on a machine with a `postgres` user after
# changes that move a lot of code; a stale list still links (names no longer present are skipped), it only packs
# less well. Takes about five minutes.
#
# How: the release binary (scripts/build-release.sh) runs `sidecar-bench http` (a primary bootstrapped by
# `sidecar run --once`, its daemon idle, a replica daemon running the chain [noisy hook, basebackup] under /status
# load, connection churn), with every `sidecar` process under valgrind's callgrind. Every function of the sidecar
# binary that executed is listed: first what every profiled process ran, then what fewer of them ran, each group
# ordered by the instructions run in the function itself.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if ! command -v valgrind >/dev/null; then
    echo "symbol-order: installing valgrind" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null
fi
for product in sidecar sidecar-bench; do
    scripts/build-release.sh --scratch-path .build-order --product "$product" >/dev/null
done
work=$(mktemp -d /tmp/sidecar-symbol-order-XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 1777 "$work"
# valgrind 3.19 cannot read the DWARF of an lld-linked binary; the symbol table is all it needs.
strip --strip-debug -o "$work/sidecar.real" .build-order/release/sidecar
cp .build-order/release/sidecar-bench "$work/"
cat >"$work/sidecar" <<EOF
#!/bin/sh
exec valgrind -q --tool=callgrind --demangle=no --callgrind-out-file=$work/callgrind.%p.out $work/sidecar.real "\$@"
EOF
chmod 755 "$work/sidecar" "$work/sidecar.real"
echo "symbol-order: profiling sidecar-bench http under callgrind" >&2
"$work/sidecar-bench" http >"$work/bench.log" 2>&1 || { cat "$work/bench.log" >&2; exit 1; }
python3 - "$work" linker/sidecar.order <<'EOF'
import collections, glob, re, sys
work, out = sys.argv[1], sys.argv[2]
cost = collections.Counter()     # instructions run in each function itself, all processes
used_by = collections.Counter()  # in how many of the profiled processes each function ran
profiles = glob.glob(f"{work}/callgrind.*.out")
if not profiles:
    sys.exit("symbol-order: no callgrind profile was written; linker/sidecar.order is unchanged")
for path in profiles:
    objects, functions, seen = {}, {}, set()
    in_sidecar, current, call_cost_next = False, None, False
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("calls="):
            # The next cost line is the whole call's cost (the callee's, inclusive), not the caller's own.
            call_cost_next = True
            continue
        m = re.match(r"^(c?ob|c?fn)=\((\d+)\)(?: (.*))?$", line)
        if m:
            kind, ident, name = m.groups()
            table = objects if kind.endswith("ob") else functions
            if name:
                table[ident] = name
            if kind == "ob":
                in_sidecar = objects.get(ident, "").endswith("/sidecar.real")
            elif kind == "fn":
                name = re.sub(r"'\d+$", "", functions.get(ident, ""))
                # Symbol names only: callgrind's own "0x…" (no symbol) and "(below main)" are not.
                symbol = in_sidecar and name and not name.startswith("0x") and " " not in name and "(" not in name
                current = name if symbol else None
                if current and current not in seen:
                    seen.add(current)
                    used_by[current] += 1
            continue
        # A cost line of the current function: "<position> <instructions>".
        if line[:1] in "0123456789+-*":
            if call_cost_next:
                call_cost_next = False
                continue
            parts = line.split()
            if current and len(parts) >= 2 and parts[1].isdigit():
                cost[current] += int(parts[1])
# Code every process runs first (start-up, configuration, the job store, logging), then code fewer processes ran
# (the daemons' cycles and HTTP, the chain's hooks, the bootstrap): functions that run together share pages.
names = sorted(used_by, key=lambda name: (-used_by[name], -cost[name], name))
if len(names) < 1000:
    sys.exit(f"symbol-order: only {len(names)} functions of sidecar ran under the profile; linker/sidecar.order is unchanged")
with open(out, "w") as f:
    f.write("\n".join(names) + "\n")
print(f"symbol-order: {len(names)} functions written to {out}", file=sys.stderr)
EOF
