#!/usr/bin/env bash
# Motion detection, freecam against Debian's motion daemon, on the performance anchors' footage:
# OpenCV's vtest.avi (pedestrians, 768×576, 10 fps) framed by 20 s of its first frame frozen
# before and 10 s of its last frame after, with light noise (noise=alls=8:allf=t) throughout,
# encoded like a camera stream (x264 ultrafast/zerolatency, 2 Mbit/s, GOP 2 s). A second clip
# adds a +40 % brightness step 10 s in (a light switch on the still scene), kept to the end.
#
# motion 4.5 reads each clip itself (netcam_url file://, MPEG-TS) with Debian's detection settings
# (threshold 1500, despeckle_filter EedDl, minimum_motion_frames 1) and event_gap 5, no pictures,
# movies, stream or web control; both clips play at once. It paces a file at its framerate (the
# clip's), but ran 6-9 % fast here, so clip time is measured: 0 when it opens the file, the
# end when it has read the last byte (/proc/PID/fdinfo, polled every 50 ms), linear in between.
# That is good to about ±0.3 s (it put the light switch at 9.7-10.0 s), and motion's own timing
# varies from run to run, so its onset and event times are rough; its event count is not. Its events come from on_event_start/on_event_end hooks; its CPU from
# /proc/PID/stat over that span, per frame of the clip; that includes its H.264 decode. (Fed
# through a pipe in real time instead, it buffers its stream probe and then lags seconds behind.)
#
# freecam's detector runs through bench/motionbench on the same clips decoded to Y4M, as fast as
# it can, at 10 fps (every frame) and 5 fps, with event gap 5 s and the default sensitivity (2).
# Its CPU is the thread CPU inside Detector.Process; "total" adds reading the Y4M file (no video
# decode: on the camera the detector gets raw frames).
#
# A false event is one that starts on the frozen parts (before 20 s or after the footage ends).
# "onset" is the delay from 20 s (people start walking) to the first event, or "hidden" if an
# event was already open then.
#
#   bench/motion.sh            needs ffmpeg, go, apt-get (downloads opencv-doc, installs motion)
# Takes about 2.5 minutes. Nothing listens on the network (motion's stream and web control are
# off); everything is under a temporary directory, removed at the end with the processes.
set -euo pipefail
own_work=no
[ -z "${WORK:-}" ] && own_work=yes # lib.sh makes a temporary WORK: remove it at the end
source "$(dirname "$0")/lib.sh"
trap 'cleanup; if [ "$own_work" = yes ]; then rm -rf "$WORK"; fi' EXIT
need ffmpeg ffprobe go

FPS=10          # the clip's rate (vtest.avi's own)
PRE=20 POST=10  # frozen seconds before and after the footage
LIGHT_AT=10     # the light switch, seconds into the clip
GAP=5           # event_gap, seconds, for both tools

"$ROOT/scripts/fetch-testclips.sh" >&2
if ! command -v motion >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "bench: installing Debian's motion" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends motion >/dev/null
fi

# make_clips: $WORK/{plain,light}.ts for motion and .y4m for freecam.
make_clips() {
  local src=$ROOT/_testclips/vtest.avi name pre
  for name in plain light; do
    pre="tpad=start_mode=clone:start_duration=$PRE:stop_mode=clone:stop_duration=$POST"
    [ $name = light ] && pre="$pre,lutyuv=y='clip(val*1.4,0,255)':enable='gte(t,$LIGHT_AT)'"
    ffmpeg -v error -nostdin -y -i "$src" -vf "$pre,noise=alls=8:allf=t" -r $FPS \
      -c:v libx264 -preset ultrafast -tune zerolatency -g $((FPS * 2)) -bf 0 \
      -b:v 2000k -maxrate 2000k -bufsize 2000k -pix_fmt yuv420p "$WORK/$name.ts"
    ffmpeg -v error -nostdin -y -i "$WORK/$name.ts" -f yuv4mpegpipe "$WORK/$name.y4m"
  done
  FOOTAGE=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$src")
  LEN=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$WORK/plain.ts")
  FRAMES=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets \
    -of csv=p=0 "$WORK/plain.ts" | awk "NR == 1")
  FOOT_END=$(awk -v a=$PRE -v b="$FOOTAGE" 'BEGIN { print a + b }')
}

now() { date +%s.%N; }

# start_motion NAME: motion on $WORK/NAME.ts; sets MPID[NAME].
start_motion() {
  local name=$1 d=$WORK/motion-$1
  mkdir -p "$d"
  printf '#!/bin/sh\necho "$1 $(date +%%s.%%N)" >> "%s/events.txt"\n' "$d" > "$d/hook.sh"
  chmod +x "$d/hook.sh"
  cat > "$d/motion.conf" <<CONF
daemon off
setup_mode off
log_file $d/motion.log
log_level 6
target_dir $d
netcam_url file://$WORK/$name.ts
framerate $FPS
text_left CAMERA1
text_right %Y-%m-%d\n%T-%q
emulate_motion off
threshold 1500
despeckle_filter EedDl
minimum_motion_frames 1
event_gap $GAP
pre_capture 3
post_capture 0
picture_output off
movie_output off
snapshot_interval 0
stream_port 0
webcontrol_port 0
on_event_start $d/hook.sh start
on_event_end $d/hook.sh end
CONF
  motion -n -c "$d/motion.conf" >"$d/stdout.log" 2>&1 &
  PIDS+=($!)
  MPID[$name]=$!
}

# file_pos PID PATH: how far the process has read into PATH (empty while it has not opened it).
file_pos() {
  local f
  for f in /proc/$1/fd/*; do
    if [ "$(readlink "$f" 2>/dev/null)" = "$2" ]; then
      awk '/^pos:/ { print $2 }' "/proc/$1/fdinfo/${f##*/}" 2>/dev/null
      return
    fi
  done
}

# stop_motion PID: SIGTERM, then SIGKILL if it lingers.
stop_motion() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# motion_events NAME T0 RATE: the hook's lines as "event N start S end E|open", in clip seconds
# (RATE clip seconds per second since T0). Lines past the clip's end are dropped: motion loops
# the file (the jump back is a change) and closes the open event when it stops.
motion_events() {
  awk -v t0="$2" -v r="$3" -v len="$LEN" '
    { c = ($2 - t0) * r }
    c > len { next }
    $1 == "start" { n++; s[n] = c; e[n] = "open" }
    $1 == "end" && n > 0 { e[n] = sprintf("%.3f", c) }
    END { for (i = 1; i <= n; i++) printf "event %d start %.3f end %s\n", i, s[i], e[i] }
  ' "$WORK/motion-$1/events.txt" 2>/dev/null || true
}

# summary TOOL CLIP CPU FRAMES: one table row from "event ..." lines on stdin.
summary() {
  awk -v tool="$1" -v clip="$2" -v cpu="$3" -v frames="$4" -v pre=$PRE -v fend="$FOOT_END" '
    $1 == "event" {
      s = $4 + 0; e = ($6 == "open") ? 1e9 : $6 + 0
      list = list sprintf("%s%.2f–%s", (n++ ? ", " : ""), s, ($6 == "open") ? "open" : sprintf("%.2f", e))
      if (s < pre || s >= fend + 0.5) falses++
      if (s < pre && e > pre) hidden = 1
      if (s >= pre && s < fend && onset == "") onset = sprintf("%.2f s", s - pre)
    }
    END {
      if (hidden) onset = "hidden"
      if (onset == "") onset = "none"
      printf "%-16s %-6s %14s %7s %8s %6d  %s\n", tool, clip, cpu, frames, onset, falses, (list == "" ? "-" : list)
    }'
}

echo "bench: making the clips (vtest.avi + ${PRE} s / ${POST} s frozen, noise; light switch at ${LIGHT_AT} s)" >&2
make_clips
(cd "$ROOT" && go build -o "$WORK/motionbench" ./bench/motionbench)

echo "bench: motion plays both clips (${LEN} s)" >&2
HZ=$(getconf CLK_TCK)
declare -A MPID T0 C0 TE T1 C1 MCPU RATE
start_motion plain
start_motion light
# Poll both: file opened (T0, C0), last byte read (TE), 0.3 s later for the last frames (T1, C1).
left=2
for _ in $(seq 1 $((4 * ${LEN%.*} * 20))); do
  for name in plain light; do
    pid=${MPID[$name]}
    [ -n "${T1[$name]:-}" ] && continue
    t=$(now)
    if [ -z "${T0[$name]:-}" ]; then
      pos=$(file_pos "$pid" "$WORK/$name.ts")
      [ -n "$pos" ] && T0[$name]=$t C0[$name]=$(cpu_ticks "$pid")
    elif [ -z "${TE[$name]:-}" ]; then
      pos=$(file_pos "$pid" "$WORK/$name.ts")
      [ "${pos:-0}" -ge "$(stat -c %s "$WORK/$name.ts")" ] && TE[$name]=$t
    elif awk -v t="$t" -v te="${TE[$name]}" 'BEGIN { exit !(t >= te + 0.3) }'; then
      C1[$name]=$(cpu_ticks "$pid") T1[$name]=$t
      kill "$pid"
      left=$((left - 1))
    fi
  done
  [ $left -eq 0 ] && break
  sleep 0.05
done
for name in plain light; do
  [ -n "${T1[$name]:-}" ] || { echo "bench: motion did not play $name.ts to the end; log:" >&2; cat "$WORK/motion-$name/motion.log" >&2; exit 1; }
  MCPU[$name]=$(awk -v c0="${C0[$name]}" -v c1="${C1[$name]}" -v hz="$HZ" -v f="$FRAMES" 'BEGIN { printf "%.3f", (c1 - c0) / hz * 1000 / f }')
  RATE[$name]=$(awk -v t0="${T0[$name]}" -v te="${TE[$name]}" -v l="$LEN" 'BEGIN { printf "%.4f", l / (te - t0) }')
  stop_motion "${MPID[$name]}"
done

rows=()
declare -A FCPU
for name in plain light; do
  echo "bench: motion played $name.ts at ${RATE[$name]}× real time" >&2
  rows+=("$(motion_events "$name" "${T0[$name]}" "${RATE[$name]}" |
    summary "motion $(motion -h 2>&1 | awk '/Version/ { sub(",", "", $3); print $3; exit }')" "$name" "${MCPU[$name]}" "$FRAMES")")
done
# freecam: events from the first run (the detector is deterministic), CPU the median of three.
for fps in 10 5; do
  for name in plain light; do
    cpus=()
    for run in 1 2 3; do
      out=$("$WORK/motionbench" -fps $fps -event-gap ${GAP}s "$WORK/$name.y4m")
      [ $run = 1 ] && first=$out
      cpus+=("$(awk '$1 == "process_cpu_ms_per_frame" { p = $2 } $1 == "total_cpu_ms_per_frame" { t = $2 }
        END { printf "%.3f (%.2f)", p, t }' <<<"$out")")
    done
    cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n 2p)
    frames=$(awk '$1 == "frames_processed" { print $2 }' <<<"$first")
    rows+=("$(summary "freecam ${fps} fps" "$name" "$cpu" "$frames" <<<"$first")")
    [ $fps = 10 ] && FCPU[$name]=${cpu%% *}
  done
done
printf '\n%-16s %-6s %14s %7s %8s %6s  %s\n' tool clip "CPU ms/frame" frames onset false "events (clip seconds, start–end)"
printf '%s\n' "${rows[@]}"
for name in plain light; do
  awk -v f="${FCPU[$name]}" -v m="${MCPU[$name]}" -v n=$name 'BEGIN {
    printf "%s: freecam (every frame) uses %.1f %% of motion'"'"'s CPU per frame (target: at most 20 %%)\n", n, 100 * f / m }'
done
echo
echo "freecam CPU: inside Detector.Process (in brackets: with reading the Y4M file). motion: whole" \
  "daemon, its H.264 decode included. false: events starting on the frozen parts (< ${PRE} s or" \
  ">= ${FOOT_END} s). onset: first event after the people start walking at ${PRE} s."
