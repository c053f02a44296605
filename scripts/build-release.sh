#!/usr/bin/env bash
# The release build of sidecar as it ships (the Dockerfile's and scripts/bench.sh's): the Swift standard library
# and Foundation linked statically, every Swift function in a section of its own so that lld can lay the code out
# in the order of linker/sidecar.order (Package.swift passes it, with lld and packed relocations, to release links
# on Linux); the C modules of the dependencies (Yams' libyaml) get sections per function
# too. Extra arguments go to `swift build`, e.g.
#   scripts/build-release.sh --product sidecar
#   scripts/build-release.sh --scratch-path .build-bench --product sidecar-bench
# `-disable-incremental-llvm-codegen`: a release build keeps an object file whose generated code hashes the same as
# before, and splitting code into sections does not change the hash, so a build directory made without these flags
# would keep its unsplit objects.
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift build -c release --static-swift-stdlib \
    -Xswiftc -Xfrontend -Xswiftc -function-sections \
    -Xswiftc -Xfrontend -Xswiftc -disable-incremental-llvm-codegen \
    -Xcc -ffunction-sections \
    "$@"
