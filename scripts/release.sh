#!/usr/bin/env bash
# Builds freecam's release binaries into _release/VERSION/, with their sizes and SHA256SUMS.
#
#   scripts/release.sh [--allow-dirty] [--targets LIST] [--out DIR] [--extlib] [VERSION]
#
# VERSION defaults to `git describe --tags --always`. LIST is comma- or space-separated, by
# default all of:
#   linux/amd64 linux/arm64 linux/armv7 linux/mipsle   pure Go (CGO_ENABLED=0): no software H.264
#                                                      encoder, JPEG through image/jpeg
#   linux/amd64-x264                                   cgo: x264 compiled from the bundled source
#                                                      and libjpeg-turbo (needs libturbojpeg.so.0
#                                                      at run time); with --extlib it links the
#                                                      system's libx264 instead (about 2.3x less
#                                                      CPU, but needs libx264.so at run time)
# Binaries are named freecam-linux-amd64, …-arm64, …-armv7 (GOARM=7), …-mipsle (GOMIPS=softfloat,
# the Dafang's T20/T10) and freecam-linux-amd64-x264. The version, commit and build date are
# stamped into internal/buildinfo (SOURCE_DATE_EPOCH, if set, gives the date). Every binary's
# `version --json` is checked: natively for amd64, under qemu-user-static for the others when it
# is installed (scripts/install-deps.sh test), otherwise skipped with a message.
# A tree with uncommitted changes or untracked files is refused unless --allow-dirty.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

die() { echo "release: $*" >&2; exit 1; }

allow_dirty=0 extlib=0 out="" version=""
targets="linux/amd64 linux/arm64 linux/armv7 linux/mipsle linux/amd64-x264"
while [ $# -gt 0 ]; do
  case "$1" in
    --allow-dirty) allow_dirty=1 ;;
    --extlib) extlib=1 ;;
    --targets) [ $# -ge 2 ] || die "--targets needs a list"; targets=${2//,/ }; shift ;;
    --targets=*) targets=${1#--targets=}; targets=${targets//,/ } ;;
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift ;;
    --out=*) out=${1#--out=} ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$version" ] || die "more than one VERSION: $version and $1"; version=$1 ;;
  esac
  shift
done

command -v go >/dev/null || die "go is not on PATH"
git rev-parse --git-dir >/dev/null 2>&1 || die "not in a git checkout: the commit could not be stamped"

for t in $targets; do
  case "$t" in
    linux/amd64|linux/arm64|linux/armv7|linux/mipsle|linux/amd64-x264) ;;
    *) die "unknown target $t (want linux/amd64, linux/arm64, linux/armv7, linux/mipsle or linux/amd64-x264)" ;;
  esac
done

modified=false
dirty=$(git status --porcelain)
if [ -n "$dirty" ]; then
  if [ "$allow_dirty" -ne 1 ]; then
    echo "$dirty" | head -20 >&2
    die "the tree has uncommitted changes or untracked files (above): commit or stash them, or pass --allow-dirty (the binaries then say modified: true)"
  fi
  echo "release: building from a dirty tree (--allow-dirty): the binaries will say modified: true" >&2
  modified=true
fi

commit=$(git rev-parse HEAD)
[ -n "$version" ] || version=$(git describe --tags --always)
case "$version" in
  *[!A-Za-z0-9._+-]*|"") die "VERSION $version: use letters, digits and . _ + - only" ;;
esac
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
else
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
fi
if [ -z "$out" ]; then
  out=_release/$version
  mkdir -p _release
  # _release/ ignores itself, so a release build does not make the next one "dirty".
  [ -f _release/.gitignore ] || printf '*\n' >_release/.gitignore
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

pkg=github.com/freecam/freecam/internal/buildinfo
ldflags="-s -w -X $pkg.version=$version -X $pkg.commit=$commit -X $pkg.date=$date"
# The release's update key (`freecam release keygen` makes it): binaries built without one
# refuse every update until a key is given with --public-key.
if [ -n "${FREECAM_UPDATE_PUBLIC_KEY:-}" ]; then
  case $FREECAM_UPDATE_PUBLIC_KEY in *[!A-Za-z0-9+/=,]*) echo "release: FREECAM_UPDATE_PUBLIC_KEY is not base64" >&2; exit 2 ;; esac
  ldflags="$ldflags -X github.com/freecam/freecam/internal/update.builtinPublicKey=$FREECAM_UPDATE_PUBLIC_KEY"
else
  echo "release: FREECAM_UPDATE_PUBLIC_KEY is not set: these binaries trust no update key" >&2
fi

# field NAME: a top-level scalar of `version --json` on stdin (one field per line, as freecam
# prints it), without quotes.
field() { sed -n -e 's/^  "'"$1"'": "\(.*\)",\{0,1\}$/\1/p' -e 's/^  "'"$1"'": \([^",]*\),\{0,1\}$/\1/p'; }

# check BIN WANT_ARCH WANT_CGO WANT_H264 [QEMU]: runs `BIN version --json` and compares.
check() {
  local bin=$1 arch=$2 cgo=$3 h264=$4 runner=${5:-} json got want f
  if ! json=$($runner "$bin" version --json); then
    echo "release: $(basename "$bin") version --json failed" >&2; return 1
  fi
  got=""
  for f in version commit modified arch cgo; do got+="$(field $f <<<"$json") "; done
  [ -n "$(field h264_encoder <<<"$json")" ] && got+=true || got+=false
  want="$version $commit $modified $arch $cgo $h264"
  if [ "$got" != "$want" ]; then
    echo "release: $(basename "$bin") version --json: got \"$got\", want \"$want\" (version commit modified arch cgo h264); output:" >&2
    echo "$json" >&2
    return 1
  fi
  echo "  checked $(basename "$bin")${runner:+ under $(basename "$runner")}: $(field os <<<"$json")/$arch $(field arch_variant <<<"$json"), cgo $cgo, h264 $(field h264_encoder <<<"$json" | sed 's/^$/none/'), jpeg $(field jpeg_encoder <<<"$json")"
}

echo "== freecam $version ($commit) into $out"
built=()
for t in $targets; do
  env=(GOOS=linux CGO_ENABLED=0) tags="" arch="" qemu="" cgo=false h264=false
  case "$t" in
    linux/amd64)      env+=(GOARCH=amd64); arch=amd64 ;;
    linux/arm64)      env+=(GOARCH=arm64); arch=arm64; qemu=qemu-aarch64-static ;;
    linux/armv7)      env+=(GOARCH=arm GOARM=7); arch=arm; qemu=qemu-arm-static ;;
    linux/mipsle)     env+=(GOARCH=mipsle GOMIPS=softfloat); arch=mipsle; qemu=qemu-mipsel-static ;;
    linux/amd64-x264)
      env=(GOOS=linux GOARCH=amd64 CGO_ENABLED=1); arch=amd64; cgo=true; h264=true
      [ "$extlib" -eq 1 ] && tags=extlib
      command -v "${CC:-gcc}" >/dev/null || die "$t needs a C compiler (scripts/install-deps.sh run installs gcc)"
      ;;
  esac
  name=freecam-${t/\//-}
  bin=$out/$name
  echo "-- $t → $name"
  # -buildvcs=true: the toolchain records vcs.modified (and the commit) even where GOFLAGS turns
  # VCS stamping off.
  env "${env[@]}" go build -buildvcs=true -trimpath ${tags:+-tags "$tags"} -ldflags "$ldflags" -o "$bin" ./cmd/freecam
  if [ "$(uname -s)/$(uname -m)" = Linux/x86_64 ] && [ "$arch" = amd64 ]; then
    check "$bin" "$arch" "$cgo" "$h264"
  elif [ -n "$qemu" ] && command -v "$qemu" >/dev/null; then
    check "$bin" "$arch" "$cgo" "$h264" "$(command -v "$qemu")"
  else
    echo "  not checked: cannot run $t here (install qemu-user-static: scripts/install-deps.sh test)"
  fi
  if [ "$cgo" = true ] && command -v ldd >/dev/null; then
    echo "  needs at run time: $(ldd "$bin" | awk '/=>/ && !/libc\.so|libm\.so|libpthread|libdl/ {print $1}' | paste -sd' ')"
  fi
  built+=("$name")
done

(cd "$out" && sha256sum "${built[@]}" >SHA256SUMS)

echo "== sizes"
printf '%-28s %10s %9s\n' binary bytes MiB
for name in "${built[@]}"; do
  bytes=$(stat -c %s "$out/$name")
  awk -v n="$name" -v b="$bytes" 'BEGIN { printf "%-28s %10d %9.1f\n", n, b, b / 1048576 }'
done
echo "== $out/SHA256SUMS"
cat "$out/SHA256SUMS"
