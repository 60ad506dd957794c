# Shared helpers for the bench scripts: build freecam, make a test clip, start and stop servers.
# Sourced, not run. Everything stays on 127.0.0.1 and under $WORK.

set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${WORK:-$(mktemp -d /tmp/freecam-bench.XXXXXX)}
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

need() { for b in "$@"; do command -v "$b" >/dev/null || { echo "bench: $b is not installed (scripts/install-deps.sh test)" >&2; exit 1; }; done; }

build_freecam() {
  (cd "$ROOT" && go build ${GOFLAGS_BENCH:-} -o "$WORK/freecam" ./cmd/freecam)
}

# make_clip W H FPS: the anchors' test stream: x264 ultrafast/zerolatency, GOP 2 s, 4.5 Mbit/s,
# with noise so frames are the size of a real camera's (about 37 KB at 720p).
make_clip() {
  local w=$1 h=$2 fps=$3
  CLIP=$WORK/clip-${w}x${h}.mp4 # MP4, not raw .h264: ffmpeg can loop (seek) only the former
  [ -f "$CLIP" ] && return
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=${w}x${h}:rate=${fps}" -vf "noise=alls=12:allf=t" -t 20 \
    -c:v libx264 -preset ultrafast -tune zerolatency -g $((fps * 2)) -bf 0 -b:v 4500k -maxrate 4500k -bufsize 4500k \
    -pix_fmt yuv420p -movflags +faststart "$CLIP"
}

# relay_source: an exec: source spec that plays the clip in a loop as H.264 Annex B on stdout, in
# real time, without re-encoding: a stand-in for a camera's hardware encoder. It loops by running
# ffmpeg again (ffmpeg's own -re -stream_loop stalls for seconds at each loop point).
relay_source() {
  cat > "$WORK/relay.sh" <<RELAY
#!/usr/bin/env bash
while :; do
  ffmpeg -hide_banner -loglevel error -re -i "$CLIP" -c copy -bsf:v h264_mp4toannexb -f h264 - || exit 1
done
RELAY
  chmod +x "$WORK/relay.sh"
  echo "exec:$WORK/relay.sh"
}

# start_freecam SOURCE W H FPS: writes a config dir and starts freecam; sets FREECAM_PID and URL.
start_freecam() {
  local src=$1 w=$2 h=$3 fps=$4
  local cfg=$WORK/config-$RANDOM
  mkdir -p "$cfg"
  RTSP_PORT=${RTSP_PORT:-18554}
  printf 'PORT=%s\nRTSPOPTS="-W%s -H%s"\nFRAMERATE_NUM=%s\nFRAMERATE_DEN=1\nBITRATE=4500\nVIDEOFORMAT=1\n' "$RTSP_PORT" "$w" "$h" "$fps" > "$cfg/rtspserver.conf"
  printf "SOURCE='%s'\nHTTP_LISTEN=127.0.0.1:0\nRTSP_UDP_PORT=0\nLOG_LEVEL=warn\n" "$src" > "$cfg/freecam.conf"
  "$WORK/freecam" run --config "$cfg" --data "$WORK/data" 2> "$WORK/freecam.log" &
  FREECAM_PID=$!
  PIDS+=("$FREECAM_PID")
  URL=rtsp://127.0.0.1:$RTSP_PORT/unicast
  for _ in $(seq 1 100); do
    ffprobe -v quiet -rtsp_transport tcp "$URL" && return 0
    sleep 0.2
  done
  echo "bench: freecam did not come up; log:" >&2; cat "$WORK/freecam.log" >&2; exit 1
}

stop_freecam() { kill "$FREECAM_PID" 2>/dev/null || true; wait "$FREECAM_PID" 2>/dev/null || true; }

# start_readers N: N ffmpeg RTSP/TCP readers that copy the stream to nowhere (no decoding, so
# the machine's CPU goes to the server under test).
READER_PIDS=()
start_readers() {
  local n=$1
  for _ in $(seq 1 "$n"); do
    ffmpeg -v error -nostdin -rtsp_transport tcp -i "$URL" -c copy -f null - 2>>"$WORK/readers.log" &
    READER_PIDS+=($!)
    PIDS+=($!)
  done
}
stop_readers() {
  for p in "${READER_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${READER_PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  READER_PIDS=()
}

# cpu_ticks PID: user+system clock ticks the process (all its threads) has used.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# cpu_percent PID SECONDS: the process's CPU over the window, in % of one core.
cpu_percent() {
  local pid=$1 secs=$2 hz t0 t1
  hz=$(getconf CLK_TCK)
  t0=$(cpu_ticks "$pid"); sleep "$secs"; t1=$(cpu_ticks "$pid")
  awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$secs" 'BEGIN { printf "%.2f", (b - a) / hz / s * 100 }'
}

rss_mib() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
