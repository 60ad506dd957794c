#!/usr/bin/env bash
# Fan-out cost of freecam's RTSP server: CPU (% of one core) and write syscalls per reader per
# frame with 0, 1, 10 and 50 TCP readers, on the anchors' stream (1280×720, 15 fps, 4.5 Mbit/s).
# The source is an exec: command relaying a pre-encoded clip, so freecam encodes nothing and the
# figure is the relay cost, comparable with MediaMTX and go2rtc in
# ../shared/reference/performance-anchors.md.
#
#   bench/fanout.sh [READERS...]        default: 0 1 10 50
source "$(dirname "$0")/lib.sh"
need ffmpeg ffprobe strace go
READERS=("${@:-0 1 10 50}")
read -r -a READERS <<< "${READERS[*]}"
W=1280 H=720 FPS=15 WINDOW=${WINDOW:-20} STRACE_WINDOW=${STRACE_WINDOW:-10}

build_freecam
make_clip $W $H $FPS
SRC="$(relay_source)"
start_freecam "$SRC" $W $H $FPS

syscw() { awk '/^syscw/ { print $2 }' "/proc/$1/io"; }

printf '%-8s %10s %18s %20s %10s\n' readers "cpu %core" "writes/reader/frame" "strace writes/r/f" "rss MiB"
for n in "${READERS[@]}"; do
  start_readers "$n"
  sleep 5 # settle: every reader connected and past its first GOP
  # CPU and write syscalls (the kernel's syscw counter: write/writev on any fd) in one window,
  # with nothing attached to the process.
  w0=$(syscw "$FREECAM_PID")
  cpu=$(cpu_percent "$FREECAM_PID" "$WINDOW")
  w1=$(syscw "$FREECAM_PID")
  per=$(awk -v w=$((w1 - w0)) -v n="$n" -v f="$FPS" -v s="$WINDOW" 'BEGIN { if (n == 0) printf "(%d/s)", w / s; else printf "%.2f", w / (n * f * s) }')
  # A cross-check with strace -c for small counts; strace slows the traced process, which at
  # many readers makes it fall behind and drop, so it is not used there.
  st=-
  if [ "$n" -gt 0 ] && [ "$n" -le 10 ]; then
    strace -qq -f -c -e trace=write,writev,sendmsg,sendto,sendmmsg -p "$FREECAM_PID" -o "$WORK/strace.txt" 2>/dev/null &
    spid=$!
    sleep "$STRACE_WINDOW"
    kill -INT $spid; wait $spid 2>/dev/null || true
    st=$(awk -v n="$n" -v f="$FPS" -v s="$STRACE_WINDOW" '$NF ~ /^(write|writev|sendmsg|sendto|sendmmsg)$/ { w += $4 } END { printf "%.2f", w / (n * f * s) }' "$WORK/strace.txt")
  fi
  printf '%-8s %10s %18s %20s %10s\n' "$n" "$cpu" "$per" "$st" "$(rss_mib "$FREECAM_PID")"
  stop_readers
done
if [ -s "$WORK/readers.log" ]; then
  echo "reader errors (first lines):"; head -5 "$WORK/readers.log"
fi
