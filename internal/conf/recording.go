package conf

import (
	"os"
	"path/filepath"
	"time"
)

// RecordingFile is freecam's recording.conf.
const RecordingFile = "recording.conf"

// FirmwareRecordingDir is rtspserver.conf's default DCIM_PATH.
const FirmwareRecordingDir = "/system/sdcard/DCIM/Recording"

// Recording is recording.conf: segment length and retention of the continuous recording. Where
// the files go is rtspserver.conf's DCIM_PATH (see Config.RecordingDir).
type Recording struct {
	Segment        time.Duration // SEGMENT_SECONDS: default 300 s
	MaxDays        int           // MAX_DAYS: delete recordings older than this; default 7, 0 = keep
	MaxSizeMB      int           // MAX_SIZE_MB: total size limit; default 0 = none
	MinFreePercent int           // MIN_FREE_PERCENT: free space to keep on the card; default 10, 0 = off
	MinFreeMB      int           // MIN_FREE_MB: free space to keep in MB; default 0 = off
}

// DefaultRecording returns freecam's defaults.
func DefaultRecording() Recording {
	return Recording{Segment: 5 * time.Minute, MaxDays: 7, MinFreePercent: 10}
}

func (c *Recording) decode(r *reader) {
	r.seconds(&c.Segment, "SEGMENT_SECONDS", false, 24*3600)
	if c.Segment < time.Second {
		_, line, _ := r.str("SEGMENT_SECONDS")
		r.fail(line, "SEGMENT_SECONDS", "must be at least 1 second (got %v)", c.Segment.Seconds())
		c.Segment = DefaultRecording().Segment
	}
	r.int(&c.MaxDays, "MAX_DAYS", 0, 100000, "days")
	r.int(&c.MaxSizeMB, "MAX_SIZE_MB", 0, 1<<30, "MB")
	r.int(&c.MinFreePercent, "MIN_FREE_PERCENT", 0, 99, "%")
	r.int(&c.MinFreeMB, "MIN_FREE_MB", 0, 1<<30, "MB")
}

// RecordingDir is where recordings go: rtspserver.conf's DCIM_PATH when it is a static value,
// or dataDir/Recording when it is absent, dynamic ($(…)) or the firmware's default on a machine
// without the firmware's SD card (/system/sdcard). The firmware's SUB_DIR and FILE_NAME ran
// `date`, which freecam does not execute; the recorder builds the same layout itself.
func (c *Config) RecordingDir(dataDir string) string {
	fallback := filepath.Join(dataDir, "Recording")
	d, ok := c.Docs[RTSPServerFile]
	if !ok {
		return mediaDir(FirmwareRecordingDir, FirmwareRecordingDir, fallback)
	}
	v, _, found, err := d.Static("DCIM_PATH")
	if err != nil || !found || v == "" {
		return fallback
	}
	return mediaDir(v, FirmwareRecordingDir, fallback)
}

// firmwareSDCard is where the firmware's media paths live.
const firmwareSDCard = "/system/sdcard"

// mediaDir returns value, except that the firmware's default path is replaced by fallback on a
// machine that has no firmware SD card, so a PC never gets a /system tree.
func mediaDir(value, firmwareDefault, fallback string) string {
	if filepath.Clean(value) == firmwareDefault {
		if _, err := os.Stat(firmwareSDCard); err != nil {
			return fallback
		}
	}
	return value
}
