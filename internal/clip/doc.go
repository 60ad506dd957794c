// Package clip cuts one motion clip out of the stream hub: the hub's pre-roll (the seconds
// before the trigger, from a keyframe), then the live frames, until the clip has run
// video_duration past the trigger and the post-roll past the end of the motion, never longer than
// its maximum. The clip is a fast-start MP4 written by record.MP4File, streamed to disk (the clip
// is never held in memory) under temporary names and renamed when it is complete, so a clip at
// its final path is always whole.
//
// The package records H.264 only; a hub carrying MJPEG gives ErrUnsupportedCodec. It does not
// choose file names, create directories, apply retention or upload anything: its caller does.
package clip
