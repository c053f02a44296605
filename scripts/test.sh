#!/usr/bin/env bash
# The whole test suite: set-up, format check, build with warnings as errors, every test tier
# (pure, local-real with SQLite/PostgreSQL/hooks, external-real with etcd).
#
# Each test target runs as its own `swift test` (tests inside a target run in parallel): the runner's timing tests
# then never share the two cores with a dozen PostgreSQL and etcd instances started by other targets.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== format check"
swift format lint --strict --recursive Package.swift Sources Tests
echo "== build"
swift build --build-tests 2>&1 | tail -n 3
export SWIFT_BACKTRACE=enable=no
failed=()
passed_tests=0
failed_tests=0
for target in SQLiteTests JobStoreTests HooksTests PostgresTests DCSTests ImagingTests SidecarTests; do
    echo "== $target"
    if ! swift test --skip-build --filter "^$target\." 2>&1 | tee "/tmp/sidecar-$target.log" | grep -E '^(✘|✔ Test run|✘ Test run|error)'; then
        :
    fi
    grep -qE '^✔ Test run with [0-9]+ tests? .*passed' "/tmp/sidecar-$target.log" || failed+=("$target")
    ran=$(grep -oE 'Test run with [0-9]+ test' "/tmp/sidecar-$target.log" | grep -oE '[0-9]+' | tail -n 1)
    bad=$(grep -E '^✘ Test .* failed after' "/tmp/sidecar-$target.log" | grep -cv '^✘ Test run with' || true)
    passed_tests=$((passed_tests + ${ran:-0} - bad))
    failed_tests=$((failed_tests + bad))
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED targets: ${failed[*]} (full output in /tmp/sidecar-<target>.log)"
    echo "$passed_tests passed, $failed_tests failed"
    exit 1
fi
echo "$passed_tests passed, $failed_tests failed"
