#!/usr/bin/env bash
# The release build of sidecar as it ships (the Dockerfile's and scripts/bench.sh's): the Swift standard library
# and Foundation linked statically, every Swift function in a section of its own so that lld can lay the code out
# in the order of linker/sidecar.order (Package.swift passes it, with lld and packed relocations, to release links
# on Linux). Extra arguments go to `swift build`, e.g.
#   scripts/build-release.sh --product sidecar
#   scripts/build-release.sh --scratch-path .build-bench --product sidecar-bench
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift build -c release --static-swift-stdlib -Xswiftc -Xfrontend -Xswiftc -function-sections "$@"
