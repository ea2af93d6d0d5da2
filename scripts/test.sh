#!/usr/bin/env bash
# Installs what is missing, builds, and passes every test twice: a normal optimised build
# (with the benchmarks compiled) and an AddressSanitizer + UndefinedBehaviorSanitizer build.
# Then the concurrency tests under ThreadSanitizer (`tsan`: only their targets are built) and a
# short run of every libFuzzer target over its seed corpus (`fuzz`, clang-14).
# PostgreSQL tests start their own throwaway server on 127.0.0.1; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
jobs=$(nproc)
# Each stage's wall time since the start, so a slow CI run shows where its time went.
started=$SECONDS
stage() { echo "== $* (at $((SECONDS - started)) s)"; }

stage "format check"
files=$(git ls-files '*.h' '*.cc' 2>/dev/null || find engine adapters tests -name '*.h' -o -name '*.cc')
clang-format --dry-run -Werror $files


# The asan preset leaves out UBSan's vptr check: Debian's SOCI libraries do not export the
# typeinfo of their classes, which that check needs at link time.
for preset in ci asan; do
  stage "build: $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  if [ "$preset" = ci ]; then
    build/ci/adapters/cli/rogatory validate workflows/
    # The shipped scenarios must pass and exercise every transition, deadline and state.
    build/ci/adapters/cli/rogatory test workflows/tests --coverage --min-coverage 100
  fi
  stage "test: $preset"
  ctest --preset "$preset" -j "$jobs" --timeout 600
done

# The build presets name their targets: the concurrency tests, and the fuzz targets.
for preset in tsan fuzz; do
  stage "build: $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  stage "test: $preset"
  ctest --preset "$preset" -j "$jobs" --timeout 600
done
stage "all tests passed (normal, ASan/UBSan and TSan builds, fuzz smoke runs)"
