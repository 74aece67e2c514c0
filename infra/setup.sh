#!/usr/bin/env bash
# Idempotent set-up of a Debian 12 machine for Memoco (run as root): Debian packages, npm
# packages, the native addon. Quiet when there is nothing to do; a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------------------
DEB_PACKAGES=(dpdk libdpdk-dev dpdk-dev pkg-config nats-server postgresql tcpdump tshark tcpreplay
  iproute2 netsniff-ng python3 make g++ procps mseed2sac)
missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages: ${missing[*]}; run this script as root (or install them)"; exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer once, non-interactively.
  echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- npm packages ----------------------------------------------------------------------
# onnxruntime-node's install script downloads a CUDA provider (no network here); the CPU
# runtime ships inside the package. node-gyp must build against the installed headers.
export ONNXRUNTIME_NODE_INSTALL=skip
export npm_config_nodedir=/usr
stamp=node_modules/.memoco-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  touch "$stamp"
fi

# --- native addon ----------------------------------------------------------------------
if [ -f native/txcore/binding.gyp ]; then
  addon=native/txcore/build/Release/txcore.node
  if [ ! -f "$addon" ] || [ -n "$(find native/txcore/src native/txcore/binding.gyp -newer "$addon" -print -quit 2>/dev/null)" ]; then
    say "building the native addon (native/txcore)"
    (cd native/txcore && npx --no-install node-gyp rebuild --silent -j 2 >/dev/null) || { say "native build failed: run 'cd native/txcore && npx node-gyp rebuild' to see why"; exit 1; }
  fi
fi
