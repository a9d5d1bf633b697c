#!/usr/bin/env bash
# Installs every Debian package Shakedown needs, and the npm packages of the independent
# checker and the external conformance peers. Safe to run repeatedly.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

pkgs=(
  cmake make g++ clang-14 libfuzzer-14-dev libclang-rt-14-dev lld-14
  libsodium-dev libssl-dev
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev
  libboost-dev libboost-system-dev
  nodejs ccache zlib1g-dev
  llvm-14 python3-yaml afl++ valgrind
  chromium  # headless, for the browser test of the HTML reports (tests/conformance/matrix_browser.sh)
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v npm >/dev/null 2>&1 || {
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends npm
}

# npm packages for the independent vector checker and the external peers (lock files committed).
# Every folder with a package-lock.json gets `npm ci` (vectors/check/<variant>/, conformance/peers/*).
while IFS= read -r lock; do
  d=$(dirname "$lock")
  if [ ! -d "$d/node_modules" ]; then
    (cd "$d" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done < <(find "$here/vectors" "$here/conformance" -name package-lock.json -not -path '*/node_modules/*' | sort)
