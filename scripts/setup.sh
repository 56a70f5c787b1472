#!/usr/bin/env bash
# Everything a fresh machine needs, in one command: on Linux Debian's Wine, MinGW-w64
# cross compiler, cmake and openssl (the test certificates; clang-format comes pinned
# from npm); then npm ci, the win32-x64 prebuild, the addon and TypeScript builds,
# and (on Linux) the Wine prefix with Windows Node.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -s)" = "Linux" ]; then
  packages=(wine64 g++-mingw-w64-x86-64-posix mingw-w64-x86-64-dev cmake tar openssl)
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

npm ci --no-audit --no-fund
# The addon once (build/Release, copied to prebuilds/win32-x64/windows-bits.node
# as the package ships it), the test addon, and lib/ compiled to dist/.
npm run build
if [ "$(uname -s)" = "Linux" ]; then
  node scripts/wine.mjs setup
  # The main job, once, so a newcomer sees it work (SKIP_DEMO=1 skips it).
  if [ "${SKIP_DEMO:-0}" != "1" ]; then npm run demo; fi
fi
echo "setup: done. Run the tests with: npm test"
