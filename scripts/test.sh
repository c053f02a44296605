#!/usr/bin/env bash
# The whole test suite: set-up, format check, build with warnings as errors, every test tier
# (pure, local-real with SQLite/PostgreSQL/hooks, external-real with etcd).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== format check"
swift format lint --strict --recursive Package.swift Sources Tests
echo "== build"
swift build --build-tests 2>&1 | tail -n 3
echo "== tests"
export SWIFT_BACKTRACE=enable=no
swift test --skip-build
