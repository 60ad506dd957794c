package app

import (
	"reflect"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/osd"
)

// osdOptions maps osd.conf onto the renderer's options.
func osdOptions(cfg *conf.Config) osd.Options {
	o := cfg.OSD
	return osd.Options{
		Enabled:    o.Enabled,
		Pattern:    o.Format,
		Color:      osd.RGBA(o.Color.R, o.Color.G, o.Color.B, o.Color.A),
		Size:       o.Size,
		Space:      o.Spacing,
		PosY:       o.PosY,
		FixedWidth: o.FixedWidth,
	}
}

// onlyOSDChanged reports whether new differs from old in osd.conf alone (or not at all), which
// the running renderer can take live without restarting the video. Every other section counts,
// so a file added to conf.Config later is covered without touching this.
func onlyOSDChanged(old, new *conf.Config) bool {
	a, b := *old, *new
	a.OSD, b.OSD = conf.OSD{}, conf.OSD{}
	a.Docs, b.Docs = nil, nil             // the parsed text, comments included; the typed fields are what matter
	a.HAL, b.HAL = conf.HAL{}, conf.HAL{} // the board is set up once per run: restarting video would not apply it
	return reflect.DeepEqual(a, b)
}

// multicastDest is MULTICASTDEST as "ip:port", or "" when off.
func multicastDest(cfg *conf.Config) string {
	if !cfg.RTSP.Multicast.IsValid() {
		return ""
	}
	return cfg.RTSP.Multicast.String()
}
