package app

import (
	"testing"
	"time"

	"github.com/freecam/freecam/internal/conf"
)

func TestOnlyOSDChangedLooksAtEveryOtherFile(t *testing.T) {
	base := conf.Defaults()
	for name, change := range map[string]func(c *conf.Config){
		"nothing":         func(c *conf.Config) {},
		"osd.conf":        func(c *conf.Config) { c.OSD.Size = 24 },
		"motion.conf":     func(c *conf.Config) { c.Motion.Sensitivity = 4 },
		"autonight.conf":  func(c *conf.Config) { c.AutoNight.MinDwell = time.Hour },
		"recording.conf":  func(c *conf.Config) { c.Recording.MaxDays = 1 },
		"timelapse.conf":  func(c *conf.Config) { c.Timelapse.Quality = 10 },
		"rtspserver.conf": func(c *conf.Config) { c.RTSP.Port = 1 },
		"freecam.conf":    func(c *conf.Config) { c.Freecam.SnapshotQuality = 1 },
		"hal.conf":        func(c *conf.Config) { c.HAL.Board = "dafang" }, // applied only at restart
	} {
		next := conf.Defaults()
		change(next)
		want := name == "nothing" || name == "osd.conf" || name == "hal.conf"
		if got := onlyOSDChanged(base, next); got != want {
			t.Errorf("%s changed: got onlyOSDChanged %v, want %v", name, got, want)
		}
	}
}
