package rtsp

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/stream"
)

// Options configures a Server. Hub is required; every other field has a useful zero value.
type Options struct {
	// Hub is the source of the frames. Required.
	Hub *stream.Hub
	// Codec is what the hub carries: media.CodecH264 (default) or media.CodecMJPEG (CODEC=MJPG).
	Codec media.Codec

	// Address is the TCP address of the RTSP listener. It defaults to ":8554" (rtspserver.conf
	// PORT).
	Address string
	// Path is the unicast stream path. It defaults to "unicast", the firmware's
	// rtsp://HOST:PORT/unicast.
	Path string

	// UDPRTPPort and UDPRTCPPort are the server ports of the unicast UDP transport. They default
	// to 8000 and 8001; RTP must be even and RTCP = RTP+1. DisableUDP turns UDP off (then only
	// RTP over the RTSP TCP connection is offered).
	UDPRTPPort  int
	UDPRTCPPort int
	DisableUDP  bool

	// MulticastDest is "ip:port" of the multicast group (rtspserver.conf MULTICASTDEST), served on
	// path "multicast" as the firmware did. Port is the RTP port (even); RTCP uses port+1.
	// Empty disables multicast.
	MulticastDest string

	// Username and Password are the rtspserver.conf USERNAME/USERPASSWORD account. An empty
	// Username means that account does not exist. It is checked with Basic and Digest (MD5).
	Username string
	Password string
	// Authenticate, if set, checks other accounts (freecam's users). It only ever sees Basic
	// credentials: Digest needs the plain password on the server side, which freecam does not
	// store. It must be safe for concurrent use and should be quick.
	Authenticate func(user, pass string) bool

	// WaitParams is how long a DESCRIBE or SETUP waits for the hub to have a decodable stream
	// (SPS/PPS for H.264, a first JPEG for MJPEG) before answering 503. It defaults to 5 s.
	WaitParams time.Duration
	// WriteQueueSize is the per-session queue of outbound packets inside gortsplib, a power of
	// two, for sessions gortsplib writes (UDP; TCP sessions are written directly). A new reader
	// gets a whole GOP at once, so it must hold one. It defaults to 2048.
	WriteQueueSize int
	// MaxCoalesce bounds the bytes one connection holds back to write an access unit with one
	// Write. It defaults to 1 MiB.
	MaxCoalesce int
	// WriteTimeout is the deadline of every network write. A TCP reader that takes no data for
	// that long loses its session. It defaults to 10 s.
	WriteTimeout time.Duration
	// IdleTimeout closes sessions without keepalives. It defaults to 60 s.
	IdleTimeout time.Duration

	// Listen creates the TCP listener. It defaults to net.Listen. The server wraps the
	// connections it accepts to coalesce RTP writes.
	Listen func(network, address string) (net.Listener, error)

	// Logger receives connection and session events; nothing per frame. It defaults to
	// slog.Default() with component=rtsp.
	Logger *slog.Logger
}

const (
	defaultAddress        = ":8554"
	defaultPath           = "unicast"
	multicastPath         = "multicast"
	defaultUDPRTPPort     = 8000
	defaultWaitParams     = 5 * time.Second
	defaultWriteQueueSize = 2048
	defaultMaxCoalesce    = 1 << 20
	defaultWriteTimeout   = 10 * time.Second
	defaultIdleTimeout    = 60 * time.Second
)

// withDefaults validates o and fills in the defaults.
func (o Options) withDefaults() (Options, error) {
	if o.Hub == nil {
		return o, errors.New("rtsp: options: Hub is required")
	}
	switch o.Codec {
	case 0:
		o.Codec = media.CodecH264
	case media.CodecH264, media.CodecMJPEG:
	default:
		return o, fmt.Errorf("rtsp: options: codec %v: want H264 or MJPEG", o.Codec)
	}
	if o.Address == "" {
		o.Address = defaultAddress
	}
	o.Path = strings.Trim(o.Path, "/")
	if o.Path == "" {
		o.Path = defaultPath
	}
	if o.Path == multicastPath {
		return o, fmt.Errorf("rtsp: options: path %q is reserved for multicast", o.Path)
	}
	if !o.DisableUDP {
		if o.UDPRTPPort == 0 {
			o.UDPRTPPort = defaultUDPRTPPort
		}
		if o.UDPRTCPPort == 0 {
			o.UDPRTCPPort = o.UDPRTPPort + 1
		}
		if o.UDPRTPPort%2 != 0 || o.UDPRTCPPort != o.UDPRTPPort+1 {
			return o, fmt.Errorf("rtsp: options: UDP ports %d/%d: RTP must be even and RTCP = RTP+1",
				o.UDPRTPPort, o.UDPRTCPPort)
		}
	}
	if o.MulticastDest != "" {
		if _, _, err := parseMulticastDest(o.MulticastDest); err != nil {
			return o, fmt.Errorf("rtsp: options: MulticastDest: %w", err)
		}
	}
	if o.WaitParams <= 0 {
		o.WaitParams = defaultWaitParams
	}
	if o.WriteQueueSize <= 0 {
		o.WriteQueueSize = defaultWriteQueueSize
	}
	if o.WriteQueueSize&(o.WriteQueueSize-1) != 0 {
		return o, fmt.Errorf("rtsp: options: WriteQueueSize %d: must be a power of two", o.WriteQueueSize)
	}
	if o.MaxCoalesce <= 0 {
		o.MaxCoalesce = defaultMaxCoalesce
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = defaultWriteTimeout
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = defaultIdleTimeout
	}
	if o.Listen == nil {
		o.Listen = net.Listen
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	o.Logger = o.Logger.With("component", "rtsp")
	return o, nil
}

// authEnabled reports whether requests must carry credentials.
func (o *Options) authEnabled() bool {
	return o.Username != "" || o.Authenticate != nil
}

// parseMulticastDest splits "ip:port" and checks that ip is an IPv4 multicast group and port
// an even RTP port.
func parseMulticastDest(dest string) (net.IP, int, error) {
	host, portStr, err := net.SplitHostPort(dest)
	if err != nil {
		return nil, 0, fmt.Errorf("%q: want ip:port: %w", dest, err)
	}
	ip := net.ParseIP(host).To4()
	if ip == nil || !ip.IsMulticast() {
		return nil, 0, fmt.Errorf("%q: %q is not an IPv4 multicast address (224.0.0.0/4)", dest, host)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port <= 0 || port >= 65535 || port%2 != 0 {
		return nil, 0, fmt.Errorf("%q: port must be an even number below 65535 (RTCP uses port+1)", dest)
	}
	return ip, port, nil
}
