package conf

import (
	"net/netip"
	"strconv"
	"strings"
)

// Codec is the RTSP stream's codec (CODEC).
type Codec string

// Codecs the firmware's UI offers.
const (
	CodecH264 Codec = "H264"
	CodecMJPG Codec = "MJPG"
)

// RateControl is the encoder's rate control mode (VIDEOFORMAT).
type RateControl int

// Rate control modes, numbered as in rtspserver.conf.
const (
	RateFixedQP RateControl = 0
	RateCBR     RateControl = 1
	RateVBR     RateControl = 2
	RateSmart   RateControl = 3
)

func (r RateControl) String() string {
	switch r {
	case RateFixedQP:
		return "FixedQp"
	case RateCBR:
		return "CBR"
	case RateVBR:
		return "VBR"
	case RateSmart:
		return "SMART"
	}
	return "RateControl(" + strconv.Itoa(int(r)) + ")"
}

// Limits of the stream's picture size (RTSPOPTS -W/-H).
const (
	MinWidth, MaxWidth   = 64, 3840
	MinHeight, MaxHeight = 64, 2160
)

// RTSPServer is rtspserver.conf.
type RTSPServer struct {
	Codec        Codec       // CODEC: H264 (default) or MJPG
	Port         int         // PORT: default 8554
	Username     string      // USERNAME, or the user of RTSPOPTS -U; empty: no authentication
	Password     Secret      // USERPASSWORD, or the password of RTSPOPTS -U
	BitrateKbps  int         // BITRATE in kbit/s: default 5000
	FramerateNum int         // FRAMERATE_NUM: default 25
	FramerateDen int         // FRAMERATE_DEN: default 1; the rate is Num/Den frames per second
	RateControl  RateControl // VIDEOFORMAT: default VBR
	// Multicast is MULTICASTDEST; the zero value (invalid) means off.
	Multicast netip.AddrPort
	Width     int  // RTSPOPTS -W: default 1280
	Height    int  // RTSPOPTS -H: default 720
	Flip      bool // FLIP: ON rotates the picture by 180°
}

// DefaultRTSPServer returns the firmware's defaults.
func DefaultRTSPServer() RTSPServer {
	return RTSPServer{
		Codec:        CodecH264,
		Port:         8554,
		BitrateKbps:  5000,
		FramerateNum: 25,
		FramerateDen: 1,
		RateControl:  RateVBR,
		Width:        1280,
		Height:       720,
	}
}

// FPS returns the frame rate in frames per second.
func (c RTSPServer) FPS() float64 { return float64(c.FramerateNum) / float64(c.FramerateDen) }

func (c *RTSPServer) decode(r *reader) {
	defer c.warnEmptyPassword(r)
	// Firmware keys freecam knows but does not use yet.
	r.ignore("LOG", "LOGDIR", "LOGPATH", "DCIM_PATH", "SUB_DIR", "FILE_NAME",
		"AUDIOFORMAT", "AUDIOINBR", "AUDIOOUTBR", "HWVOLUME", "SWVOLUME",
		"FILTER", "HIGHPASSFILTER", "AECFILTER", "LD_LIBRARY_PATH")
	if s, line, ok := r.str("CODEC"); ok {
		switch Codec(strings.ToUpper(s)) {
		case CodecH264, "H.264":
			c.Codec = CodecH264
		case CodecMJPG, "MJPEG":
			c.Codec = CodecMJPG
		default:
			r.fail(line, "CODEC", "must be H264 or MJPG (got %q)", s)
		}
	}
	r.int(&c.Port, "PORT", 1, 65535, "")
	if s, _, ok := r.str("USERNAME"); ok {
		c.Username = s
	}
	passLine := 0
	if s, line, ok := r.str("USERPASSWORD"); ok {
		c.Password = Secret(s)
		passLine = line
	}
	userFromKey := c.Username != ""
	r.int(&c.BitrateKbps, "BITRATE", 1, 100000, "kbit/s")
	r.int(&c.FramerateNum, "FRAMERATE_NUM", 1, 100000, "")
	r.int(&c.FramerateDen, "FRAMERATE_DEN", 1, 100000, "")
	if fps := c.FPS(); fps > 120 || fps < 0.1 {
		e, _ := r.doc.Lookup("FRAMERATE_NUM")
		r.fail(e.Line, "FRAMERATE_NUM", "the frame rate FRAMERATE_NUM/FRAMERATE_DEN must be between 0.1 and 120 fps (got %d/%d)", c.FramerateNum, c.FramerateDen)
	}
	rc := int(c.RateControl)
	r.int(&rc, "VIDEOFORMAT", 0, 3, "(0 FixedQp, 1 CBR, 2 VBR, 3 SMART)")
	c.RateControl = RateControl(rc)
	if s, line, ok := r.str("MULTICASTDEST"); ok {
		ap, err := netip.ParseAddrPort(strings.TrimSpace(s))
		switch {
		case err != nil:
			r.fail(line, "MULTICASTDEST", "must be ip:port, for example 239.1.2.3:23912, or empty to turn multicast off (got %q)", s)
		case !ap.Addr().IsMulticast():
			r.fail(line, "MULTICASTDEST", "%s is not a multicast address (224.0.0.0/4 or ff00::/8) (got %q)", ap.Addr(), s)
		case ap.Port() == 0:
			r.fail(line, "MULTICASTDEST", "the port must be between 1 and 65535 (got %q)", s)
		default:
			c.Multicast = ap
		}
	}
	if s, line, ok := r.str("FLIP"); ok {
		b, valid := parseBool(s)
		if !valid {
			r.fail(line, "FLIP", "must be ON or OFF (got %q)", s)
		}
		c.Flip = b
	}
	if passLine > 0 && !userFromKey {
		c.Password = ""
		c.decodeOpts(r)
		if c.Username == "" {
			r.warn(passLine, "USERPASSWORD", "is set but USERNAME is empty, so RTSP authentication stays off")
		} else {
			r.warn(passLine, "USERPASSWORD", "is ignored because USERNAME is empty; the credentials come from RTSPOPTS -U")
		}
		return
	}
	c.decodeOpts(r)
}

// warnEmptyPassword warns when a user name is set with an empty password: the stream then
// opens for anyone who knows (or guesses) the name.
func (c *RTSPServer) warnEmptyPassword(r *reader) {
	if c.Username == "" || c.Password != "" {
		return
	}
	key := "USERPASSWORD"
	e, ok := r.doc.Lookup(key)
	switch u, _ := r.doc.Lookup("USERNAME"); {
	case u.Value.Text == "": // the user came from RTSPOPTS -U user:
		key = "RTSPOPTS"
		e, _ = r.doc.Lookup(key)
	case !ok:
		key, e = "USERNAME", u
	}
	r.warn(e.Line, key, "the password is empty while the user name %q is set: the stream opens for anyone who knows the name; set a password", c.Username)
}

// decodeOpts reads RTSPOPTS, where the firmware's UI writes the picture
// size ("-W1280 -H720") and users may add "-U user:password".
func (c *RTSPServer) decodeOpts(r *reader) {
	s, line, ok := r.str("RTSPOPTS")
	if !ok {
		return
	}
	const key = "RTSPOPTS"
	fields := strings.Fields(s)
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if len(f) < 2 || f[0] != '-' {
			r.warn(line, key, "%q is not an option; freecam ignores it", f)
			continue
		}
		opt, arg := f[:2], f[2:]
		switch opt {
		case "-W", "-H", "-U":
		default:
			r.warn(line, key, "option %s is not supported by freecam; ignored", f)
			continue
		}
		if arg == "" {
			if i+1 >= len(fields) {
				r.fail(line, key, "option %s needs a value", opt)
				continue
			}
			i++
			arg = fields[i]
		}
		switch opt {
		case "-W":
			c.Width = r.size(line, "-W", arg, MinWidth, MaxWidth, c.Width)
		case "-H":
			c.Height = r.size(line, "-H", arg, MinHeight, MaxHeight, c.Height)
		case "-U":
			user, pass, found := strings.Cut(arg, ":")
			if !found || user == "" {
				r.fail(line, key, "option -U must be user:password (got %q)", "-U "+user+":…")
				continue
			}
			if c.Username != "" {
				if c.Username != user || string(c.Password) != pass {
					r.warn(line, key, "-U is ignored because USERNAME is set")
				}
				continue
			}
			c.Username, c.Password = user, Secret(pass)
		}
	}
}

// size parses a width or height given with option opt; on error it records
// it and returns def.
func (r *reader) size(line int, opt, arg string, lo, hi, def int) int {
	n, err := strconv.Atoi(arg)
	switch {
	case err != nil:
		r.fail(line, "RTSPOPTS", "option %s must be a whole number of pixels (got %q)", opt, arg)
	case n < lo || n > hi:
		r.fail(line, "RTSPOPTS", "option %s must be between %d and %d pixels (got %q)", opt, lo, hi, arg)
	case n%2 != 0:
		r.fail(line, "RTSPOPTS", "option %s must be an even number of pixels (got %q)", opt, arg)
	default:
		return n
	}
	return def
}
