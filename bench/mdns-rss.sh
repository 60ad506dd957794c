#!/usr/bin/env bash
# What the mdns service costs in memory: RSS of a running freecam (synthetic source, 640×360,
# 15 fps, no readers) SECONDS after it runs, with the mdns service on and off, REPEAT times each;
# quote the median of each.
#
#   bench/mdns-rss.sh [SECONDS] [REPEAT]     defaults 25 and 3
source "$(dirname "$0")/lib.sh"
need go
SECS=${1:-25} REPEAT=${2:-3}

build_freecam
printf '%-6s %s\n' mdns "RSS MiB (each run)"
for mode in off on; do
  rss=()
  for run in $(seq 1 "$REPEAT"); do
    cfg=$WORK/config-$mode-$run
    mkdir -p "$cfg/autostart"
    printf 'PORT=18554\nRTSPOPTS="-W640 -H360"\nFRAMERATE_NUM=15\nFRAMERATE_DEN=1\n' > "$cfg/rtspserver.conf"
    # HTTPS and RTSP on every interface, so that there is something to announce.
    printf 'SOURCE=synthetic\nHTTPS_LISTEN=:18443\nHTTP_LISTEN=off\nRTSP_UDP_PORT=0\n' > "$cfg/freecam.conf"
    for s in rtsp auto-night onvif; do : > "$cfg/autostart/$s"; done
    if [ "$mode" = on ]; then : > "$cfg/autostart/mdns"; fi
    "$WORK/freecam" run --config "$cfg" --data "$WORK/data-$mode-$run" > "$WORK/freecam.log" 2>&1 &
    FREECAM_PID=$!
    PIDS+=("$FREECAM_PID")
    for _ in $(seq 1 100); do grep -q 'freecam running' "$WORK/freecam.log" && break; sleep 0.2; done
    sleep "$SECS"
    rss+=("$(rss_mib "$FREECAM_PID")")
    stop_freecam
  done
  printf '%-6s %s\n' "$mode" "${rss[*]}"
done
