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
	fmt.Fprintf(&b, "SOURCE=%s\nHTTPS_LISTEN=%s\nHTTP_LISTEN=%s\nSNAPSHOT_ANONYMOUS=%s\nRTSP_ANONYMOUS=%s\nRTSP_UDP_PORT=%d\nGOP_SECONDS=%g\nPREROLL_SECONDS=%g\nWATCHDOG_SECONDS=%g\nSNAPSHOT_QUALITY=%d\nLOG_LEVEL=%s\n",
		f.Source, f.HTTPSListen, orOff(f.HTTPListen), onOff(f.SnapshotAnonymous), onOff(f.RTSPAnonymous), f.RTSPUDPPort, f.GOP.Seconds(), f.Preroll.Seconds(), f.Watchdog.Seconds(), f.SnapshotQuality, strings.ToLower(f.LogLevel.String()))
	c.AutoNight.writeText(&b)

	c.HAL.writeText(&b)
	c.Motion.writeText(&b)
	c.MQTT.writeText(&b)

	rec := c.Recording
	fmt.Fprintf(&b, "\n[%s]\nSEGMENT_SECONDS=%g\nMAX_DAYS=%d\nMAX_SIZE_MB=%d\nMIN_FREE_PERCENT=%d\nMIN_FREE_MB=%d\n",
		RecordingFile, rec.Segment.Seconds(), rec.MaxDays, rec.MaxSizeMB, rec.MinFreePercent, rec.MinFreeMB)
	tl := c.Timelapse
	fmt.Fprintf(&b, "\n[%s]\nTIMELAPSE_INTERVAL=%g\nTIMELAPSE_DURATION=%g\nDCIM_PATH=%s\nSAVE_DIR_PER_DAY=%s\nCOMPRESSION_QUALITY=%d\nTIMELAPSE_MAX_DAYS=%d\nTIMELAPSE_VIDEO_FPS=%d\n",
		TimelapseFile, tl.Interval.Seconds(), tl.Duration.Minutes(), tl.DCIMPath, onOff(tl.SaveDirPerDay), tl.Quality, tl.MaxDays, tl.VideoFPS)
	_, err := io.WriteString(w, b.String())
	return err
}

func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "OFF"
}

func orOff(s string) string {
	if s == "" {
		return "off"
	}
	return s
}
