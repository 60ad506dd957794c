package conf

import (
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"
)

// Freecam is freecam.conf, freecam's own settings in the same style.
type Freecam struct {
	// Source is SOURCE, the video source spec: "synthetic" (default),
	// "y4m:FILE", "exec:COMMAND", "v4l2:DEVICE" …; the source package
	// interprets it, conf only checks its "kind[:argument]" shape.
	Source string
	// HTTPSListen is HTTPS_LISTEN, host:port of the web server (UI, API, snapshots, the
	// firmware's CGI URLs); default :8443.
	HTTPSListen string
	// HTTPListen is HTTP_LISTEN, host:port of the plain-HTTP listener, which serves ONVIF and
	// redirects everything else to HTTPS; default :8080. "off" (stored as "") turns it off.
	HTTPListen string
	// SnapshotAnonymous is SNAPSHOT_ANONYMOUS: when on, /snapshot.jpg, /mjpeg and the
	// currentpic/downloadpic CGI URLs answer without credentials. Default off.
	SnapshotAnonymous bool
	// RTSPAnonymous is RTSP_ANONYMOUS: when on, the RTSP stream plays without credentials (as
	// the firmware's did by default). Default off: freecam's accounts and rtspserver.conf's
	// USERNAME/USERPASSWORD are asked for.
	RTSPAnonymous bool
	// RTSPUDPPort is RTSP_UDP_PORT, the even UDP port for RTP (RTCP uses the next one) when a
	// client asks for RTSP over UDP; default 8000, 0 turns UDP off (TCP only).
	RTSPUDPPort int
	// GOP is GOP_SECONDS, the time between keyframes; default 2 s.
	GOP time.Duration
	// Preroll is PREROLL_SECONDS, the video kept before a motion event; default 3 s, 0 = off.
	Preroll time.Duration
	// Watchdog is WATCHDOG_SECONDS: a source that delivers no frame for this
	// long is restarted; default 5 s.
	Watchdog time.Duration
	// SnapshotQuality is SNAPSHOT_QUALITY, the JPEG quality 1–100; default 80.
	SnapshotQuality int
	// LogLevel is LOG_LEVEL: debug, info (default), warn or error.
	LogLevel slog.Level
}

// DefaultFreecam returns freecam's defaults.
func DefaultFreecam() Freecam {
	return Freecam{
		Source:          "synthetic",
		HTTPSListen:     ":8443",
		HTTPListen:      ":8080",
		RTSPUDPPort:     8000,
		GOP:             2 * time.Second,
		Preroll:         3 * time.Second,
		Watchdog:        5 * time.Second,
		SnapshotQuality: 80,
		LogLevel:        slog.LevelInfo,
	}
}

func (f *Freecam) decode(r *reader) {
	if s, line, ok := r.str("SOURCE"); ok {
		kind, _, _ := strings.Cut(s, ":")
		if !isSourceKind(kind) {
			r.fail(line, "SOURCE", "must be a source spec such as synthetic, y4m:FILE, exec:COMMAND or v4l2:DEVICE (got %q)", s)
		} else {
			f.Source = s
		}
	}
	r.listen(&f.HTTPSListen, "HTTPS_LISTEN", false, ":8443")
	r.listen(&f.HTTPListen, "HTTP_LISTEN", true, ":8080")
	r.bool(&f.SnapshotAnonymous, "SNAPSHOT_ANONYMOUS")
	r.bool(&f.RTSPAnonymous, "RTSP_ANONYMOUS")
	if r.int(&f.RTSPUDPPort, "RTSP_UDP_PORT", 0, 65534, ""); f.RTSPUDPPort%2 != 0 {
		_, line, _ := r.str("RTSP_UDP_PORT")
		r.fail(line, "RTSP_UDP_PORT", "must be an even port (RTCP uses the next one) or 0 for TCP only (got %d)", f.RTSPUDPPort)
		f.RTSPUDPPort = DefaultFreecam().RTSPUDPPort
	}
	r.seconds(&f.GOP, "GOP_SECONDS", false, 60)
	r.seconds(&f.Preroll, "PREROLL_SECONDS", true, 60)
	r.seconds(&f.Watchdog, "WATCHDOG_SECONDS", false, 3600)
	r.int(&f.SnapshotQuality, "SNAPSHOT_QUALITY", 1, 100, "")
	if s, line, ok := r.str("LOG_LEVEL"); ok {
		var l slog.Level
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "debug":
			l = slog.LevelDebug
		case "info":
			l = slog.LevelInfo
		case "warn", "warning":
			l = slog.LevelWarn
		case "error":
			l = slog.LevelError
		default:
			r.fail(line, "LOG_LEVEL", "must be debug, info, warn or error (got %q)", s)
			return
		}
		f.LogLevel = l
	}
}

// listen reads a host:port listen address; offOK allows "off", stored as "".
func (r *reader) listen(dst *string, key string, offOK bool, example string) {
	s, line, ok := r.str(key)
	if !ok {
		return
	}
	if offOK && strings.EqualFold(strings.TrimSpace(s), "off") {
		*dst = ""
		return
	}
	_, port, err := net.SplitHostPort(s)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		hint := ""
		if offOK {
			hint = `, or off`
		}
		r.fail(line, key, "must be host:port, for example 127.0.0.1%s or %s%s (got %q)", example, example, hint, s)
		return
	}
	*dst = s
}

func isSourceKind(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// seconds reads a number of seconds (decimals allowed) up to hi; zero is
// allowed only with zeroOK.
func (r *reader) seconds(dst *time.Duration, key string, zeroOK bool, hi float64) {
	s, line, ok := r.str(key)
	if !ok {
		return
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	lo := "greater than 0"
	if zeroOK {
		lo = "0 or more"
	}
	switch {
	case err != nil || v != v:
		r.fail(line, key, "must be a number of seconds (got %q)", s)
	case v < 0 || v == 0 && !zeroOK || v > hi:
		r.fail(line, key, "must be %s and at most %g seconds (got %q)", lo, hi, s)
	default:
		*dst = time.Duration(v * float64(time.Second))
	}
}
