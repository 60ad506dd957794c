// Package timelapse is the firmware's timelapse service: a JPEG every TIMELAPSE_INTERVAL seconds
// for TIMELAPSE_DURATION minutes, named like the firmware
// (DIR/YYYY-MM-DD/HH/YYYY-MM-DD_HH-MM-SS_NNN.jpg), plus what the firmware lacked: retention by
// days and an MP4 assembled from each finished day's pictures.
//
// The day video is H.264 when this build has an encoder (each JPEG decoded to I420 and encoded),
// otherwise the JPEGs themselves become an MJPEG track, without re-encoding. Days that ended while
// freecam was not running are assembled at the next start.
//
// Pictures come from a Snapshotter (snapshot.Cache); time from a Clock, so tests can cross
// midnight at once. The package never deletes anything but its own pictures and videos.
package timelapse
