package conf

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the effective configuration as KEY=value lines per file,
// in the files' own key names (for `freecam conf check` and golden tests).
// Secrets print as REDACTED.
func (c *Config) WriteText(w io.Writer) error {
	var b strings.Builder
	r := c.RTSP
	fmt.Fprintf(&b, "[%s]\n", RTSPServerFile)
	fmt.Fprintf(&b, "CODEC=%s\nPORT=%d\nUSERNAME=%s\nUSERPASSWORD=%s\n", r.Codec, r.Port, r.Username, r.Password)
	fmt.Fprintf(&b, "BITRATE=%d kbit/s\nFRAMERATE=%d/%d (%.3g fps)\nVIDEOFORMAT=%d (%s)\n",
		r.BitrateKbps, r.FramerateNum, r.FramerateDen, r.FPS(), int(r.RateControl), r.RateControl)
	mc := "off"
	if r.Multicast.IsValid() {
		mc = r.Multicast.String()
	}
	fmt.Fprintf(&b, "MULTICASTDEST=%s\nSIZE=%dx%d\nFLIP=%s\n", mc, r.Width, r.Height, onOff(r.Flip))

	o := c.OSD
	fmt.Fprintf(&b, "\n[%s]\n", OSDFile)
	font := o.Font
	if font == "" {
		font = "(built-in)"
	}
	fmt.Fprintf(&b, "ENABLE_OSD=%t\nOSD=%q\nDISPLAY_AXIS=%t\nCOLOR=#%02X%02X%02X%02X\nSIZE=%d\nSPACE=%d\nPOSY=%d\nFIXEDW=%t\nFONTNAME=%s\n",
		o.Enabled, o.Format, o.DisplayAxis, o.Color.R, o.Color.G, o.Color.B, o.Color.A, o.Size, o.Spacing, o.PosY, o.FixedWidth, font)

	f := c.Freecam
	fmt.Fprintf(&b, "\n[%s]\n", FreecamFile)
	fmt.Fprintf(&b, "SOURCE=%s\nHTTP_LISTEN=%s\nRTSP_UDP_PORT=%d\nGOP_SECONDS=%g\nPREROLL_SECONDS=%g\nWATCHDOG_SECONDS=%g\nSNAPSHOT_QUALITY=%d\nLOG_LEVEL=%s\n",
		f.Source, f.HTTPListen, f.RTSPUDPPort, f.GOP.Seconds(), f.Preroll.Seconds(), f.Watchdog.Seconds(), f.SnapshotQuality, strings.ToLower(f.LogLevel.String()))
	c.AutoNight.writeText(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "OFF"
}
