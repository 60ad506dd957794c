package conf

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// TimelapseFile is the firmware's timelapse.conf.
const TimelapseFile = "timelapse.conf"

// FirmwareTimelapseDir is timelapse.conf's default DCIM_PATH.
const FirmwareTimelapseDir = "/system/sdcard/DCIM/Timelapse"

// Timelapse is timelapse.conf.
type Timelapse struct {
	Interval      time.Duration // TIMELAPSE_INTERVAL in seconds (decimal): default 2 s
	Duration      time.Duration // TIMELAPSE_DURATION in minutes: default 0 = unlimited
	DCIMPath      string        // DCIM_PATH: default FirmwareTimelapseDir; see Dir
	SaveDirPerDay bool          // SAVE_DIR_PER_DAY: default true (1)
	Quality       int           // COMPRESSION_QUALITY, JPEG quality 1–100: default 100
	MaxDays       int           // TIMELAPSE_MAX_DAYS (freecam): default 7, 0 = keep
	VideoFPS      int           // TIMELAPSE_VIDEO_FPS (freecam): the daily video's rate, default 25
}

// DefaultTimelapse returns the firmware's defaults plus freecam's.
func DefaultTimelapse() Timelapse {
	return Timelapse{
		Interval:      2 * time.Second,
		DCIMPath:      FirmwareTimelapseDir,
		SaveDirPerDay: true,
		Quality:       100,
		MaxDays:       7,
		VideoFPS:      25,
	}
}

func (c *Timelapse) decode(r *reader) {
	r.seconds(&c.Interval, "TIMELAPSE_INTERVAL", false, 24*3600)
	if s, line, ok := r.str("TIMELAPSE_DURATION"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || v != v || v < 0 || v > 1e6 {
			r.fail(line, "TIMELAPSE_DURATION", "must be a number of minutes, 0 for unlimited (got %q)", s)
		} else {
			c.Duration = time.Duration(v * float64(time.Minute))
		}
	}
	if s, _, ok := r.str("DCIM_PATH"); ok {
		c.DCIMPath = s
	}
	r.bool(&c.SaveDirPerDay, "SAVE_DIR_PER_DAY")
	r.int(&c.Quality, "COMPRESSION_QUALITY", 1, 100, "")
	r.int(&c.MaxDays, "TIMELAPSE_MAX_DAYS", 0, 100000, "days")
	r.int(&c.VideoFPS, "TIMELAPSE_VIDEO_FPS", 1, 120, "fps")
}

// Dir is where timelapse pictures go: DCIM_PATH, or dataDir/Timelapse when DCIM_PATH is the
// firmware's default on a machine without the firmware's SD card (/system/sdcard).
func (c Timelapse) Dir(dataDir string) string {
	return mediaDir(c.DCIMPath, FirmwareTimelapseDir, filepath.Join(dataDir, "Timelapse"))
}
