#!/usr/bin/env bash
# Memory of a running freecam: RSS after 60 s at 1280×720, 15 fps with 5 RTSP/TCP readers, once
# with the synthetic source encoded by x264 and once with a source that already delivers H.264
# (an exec: relay of a pre-encoded clip, as a camera's hardware encoder would).
#
#   bench/rss.sh [SECONDS]     default 60
source "$(dirname "$0")/lib.sh"
need ffmpeg ffprobe go
SECS=${1:-60} W=1280 H=720 FPS=15 READERS=5

build_freecam
make_clip $W $H $FPS
printf '%-34s %10s %10s %12s\n' source "RSS MiB" "peak MiB" "cpu %core"
for kind in synthetic h264; do
  if [ $kind = synthetic ]; then src=synthetic; label="synthetic + x264 encode"
  else src="$(relay_source)"; label="exec: H.264 relay (no encode)"; fi
  start_freecam "$src" $W $H $FPS
  start_readers $READERS
  sleep $((SECS - 10))
  cpu=$(cpu_percent "$FREECAM_PID" 10)
  peak=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$FREECAM_PID/status")
  printf '%-34s %10s %10s %12s\n' "$label" "$(rss_mib "$FREECAM_PID")" "$peak" "$cpu"
  stop_readers
  stop_freecam
done
