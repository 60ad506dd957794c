#!/usr/bin/env bash
# Installs what freecam needs on a Debian machine, and nothing that is already there.
#   scripts/install-deps.sh run    gcc and libturbojpeg (the cgo build: x264 is compiled from source)
#   scripts/install-deps.sh test   + the real peers the tests talk to: ffmpeg, GStreamer, qemu-user,
#                                  headless Chromium (the web UI test), curl, mosquitto (the MQTT tests
#                                  start their own brokers; the system service is not needed), vsftpd
#                                  and samba (the delivery tests start their own FTP and SMB servers),
#                                  Node.js and the npm onvif client (testdata/onvif-client, the ONVIF peer),
#                                  and for the system settings and mDNS tests (network namespaces):
#                                  iproute2, dnsmasq (DHCP server), chrony (NTP server, run by the
#                                  tests with -x: it never sets this machine's clock), drill (mDNS
#                                  queries) and util-linux's blkid (swap signatures)
set -euo pipefail

what=${1:-run}
pkgs=(gcc libc6-dev libturbojpeg0-dev pkg-config)
if [ "$what" = test ]; then
  pkgs+=(ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
         gstreamer1.0-plugins-bad gstreamer1.0-libav qemu-user-static strace procps
         chromium curl mosquitto mosquitto-clients openssl vsftpd samba smbclient
         iproute2 dnsmasq-base chrony ldnsutils util-linux)
  command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# The npm onvif client at the version the lock file pins, next to the test scripts.
npm_deps() {
  [ "$what" = test ] || return 0
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/testdata/onvif-client"
  if [ ! -d "$dir/node_modules/onvif" ]; then
    echo "install-deps: npm ci in $dir" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  npm_deps
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Packages such as chrony and mosquitto would start their system daemons on install; the tests
# start their own. Debian's policy-rc.d hook says no (101) while we install, unless the machine
# already has one.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
npm_deps
