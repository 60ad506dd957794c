#!/usr/bin/env bash
# Puts OpenCV's pedestrian clip (vtest.avi, 768×576, the clip the performance anchors' motion
# figures were measured on) at _testclips/vtest.avi in the repository root. It comes from Debian's
# opencv-doc package, downloaded (not installed) and unpacked in a temporary directory.
# Does nothing when the file is already there.
#
#   scripts/fetch-testclips.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=$ROOT/_testclips/vtest.avi

if [ -s "$DEST" ]; then
  echo "fetch-testclips: $DEST is already there"
  exit 0
fi
for b in apt-get dpkg-deb; do
  command -v "$b" >/dev/null || { echo "fetch-testclips: needs $b (a Debian system)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/freecam-testclips.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# As root, apt-get download would try to drop to the _apt user, who cannot write to our
# private temporary directory: stay root (only a .deb is fetched, nothing is run or installed).
aptopts=()
[ "$(id -u)" -eq 0 ] && aptopts=(-o APT::Sandbox::User=root)

download() { (cd "$tmp" && apt-get download -qq "${aptopts[@]}" opencv-doc); }
if ! download 2>"$tmp/err"; then
  echo "fetch-testclips: apt-get download failed ($(tail -1 "$tmp/err")); updating the package lists" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "fetch-testclips: need root (or sudo) for apt-get update" >&2; exit 1; }
    sudo=sudo
  fi
  $sudo apt-get update -qq
  download
fi
deb=$(ls "$tmp"/opencv-doc_*.deb)

# The clip's path inside the package; older packages shipped it gzipped.
member=$(dpkg-deb -c "$deb" | awk '{ print $NF }' | grep -E '/examples/data/vtest\.avi(\.gz)?$' | head -1)
[ -n "$member" ] || { echo "fetch-testclips: $(basename "$deb") has no examples/data/vtest.avi" >&2; exit 1; }

dpkg-deb -x "$deb" "$tmp/x"
mkdir -p "$(dirname "$DEST")"
case $member in
  *.gz) gzip -dc "$tmp/x/$member" > "$DEST.part" ;;
  *) cp "$tmp/x/$member" "$DEST.part" ;;
esac
mv "$DEST.part" "$DEST"
echo "fetch-testclips: wrote $DEST ($(stat -c %s "$DEST") bytes) from $(basename "$deb"):${member#.}"
