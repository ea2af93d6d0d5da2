#!/usr/bin/env bash
# The main job: installs what is missing, builds the release binary, and runs `rogatory serve`
# with the shipped workflows on the embedded SQLite default (config/rogatory.yaml).
# Extra arguments go to `rogatory serve` (e.g. --config FILE).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target rogatory_cli
exec build/release/adapters/cli/rogatory serve "$@"
