// Package record is freecam's continuous recording: it reads the stream hub and writes MP4
// segments of a configurable length, laid out like the firmware's recording service
// (DIR/YYYY-MM-DD/HH/REC_HH-MM-SS.mp4), where the firmware wrote one endless raw .h264 file.
//
// Each segment starts on a keyframe, is a progressive MP4 with the moov box before mdat (it plays
// while downloading), and appears under its final name only when it is complete: samples are
// spooled to REC_….mp4.part and the finished file is written to REC_….mp4.tmp, synced and
// renamed. Timestamps come from the frames' PTS on a 90 kHz time base. When frames were lost (the
// reader fell behind, the source restarted) the segment ends before the gap and a new one starts
// at the next keyframe, so no file ever has a hole in its timeline or undecodable frames.
//
// The package never deletes finished recordings; a storage.Retention does, and the recorder
// calls it when the disk is full.
package record
