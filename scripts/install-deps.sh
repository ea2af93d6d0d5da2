#!/usr/bin/env bash
# Installs, from Debian 12's own packages, whatever Rogatory needs to build, test and run and
# is not on this machine yet. Idempotent: a second run installs nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format
  libboost-dev libsoci-dev libsqlite3-dev libpq-dev sqlite3
  libspdlog-dev libcpp-httplib-dev libyaml-cpp-dev nlohmann-json3-dev libssl-dev
  libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql wrk curl ca-certificates
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
  python3-jsonschema python3-yaml
  libgraphviz-dev  # rogatory graph --format svg: Graphviz's C library, in-process
  # the web console's browser test (tests/e2e/console): headless chromium driven by selenium,
  # and a font with Arabic glyphs for its right-to-left pages and screenshots
  chromium chromium-driver python3-selenium fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${missing[*]}; run as root (or with sudo) to install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
