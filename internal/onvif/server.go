package onvif

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// The paths of the services. Clients are given absolute XAddrs built on them; the handler
// routes by the operation's namespace, not by path, so any /onvif/ path reaches every service.
const (
	DevicePath   = "/onvif/device_service"
	MediaPath    = "/onvif/media_service"
	EventsPath   = "/onvif/events_service"
	PTZPath      = "/onvif/ptz_service"
	ImagingPath  = "/onvif/imaging_service"
	SnapshotPath = "/onvif/snapshot.jpg"
)

// Options configure a Server. Accounts, Info and Stream are required.
type Options struct {
	// Accounts checks credentials (freecam's *auth.Authenticator).
	Accounts Accounts
	// Info returns the camera's identity; it is read at each call, so it may change.
	Info func() DeviceInfo
	// Stream returns the current stream; false while the camera restarts, which the media
	// operations answer with a Receiver fault "camera restarting".
	Stream func() (StreamInfo, bool)
	// Events is the event service (package events), routed the tev and wsnt namespaces; nil:
	// not offered (GetCapabilities and GetServices leave it out).
	Events soap.Service
	// PTZ is the PTZ service (package ptzsvc), routed the tptz namespace; nil when the camera
	// has no motor (GetCapabilities and GetServices leave it out, profiles have no
	// PTZConfiguration).
	PTZ soap.Service
	// Imaging is the imaging service (package imaging: the IR-cut filter as night mode), routed
	// the timg namespace; nil: not offered (GetCapabilities and GetServices leave it out).
	Imaging soap.Service
	// PTZConfiguration returns a value that xml-marshals as the complete
	// <tt:PTZConfiguration token="…">…</tt:PTZConfiguration> element, embedded in the profile;
	// nil when there is no motor.
	PTZConfiguration func() any
	// Snapshot is the camera's JPEG handler, served at SnapshotPath after HTTP Digest; nil: 404.
	Snapshot http.Handler
	// SetClock sets the system clock (SetSystemDateAndTime with Manual); nil: refused with
	// ter:InvalidArgVal, the clock being set by the system (NTP).
	SetClock func(time.Time) error
	// Enabled is the ONVIF service's switch; false answers every request with 503 and a
	// Receiver fault. nil: always on.
	Enabled func() bool
	// StaleDigest reports whether an error of Accounts.CheckDigest refused a right response
	// whose nonce had expired (auth.IsStale), so the challenge says stale=true. nil: never.
	StaleDigest func(error) bool
	// MaxBody bounds a request body. Default soap.DefaultLimit.
	MaxBody int64
	// Log receives refused logins (Info) and internal errors. Default: discard.
	Log *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Server is the ONVIF server. It is safe for concurrent use.
type Server struct {
	o        Options
	verifier *soap.Verifier
	device   soap.Ops
	media    soap.Ops
}

// New checks o and returns a Server.
func New(o Options) (*Server, error) {
	switch {
	case o.Accounts == nil:
		return nil, errors.New("onvif: new server: Accounts is required")
	case o.Info == nil:
		return nil, errors.New("onvif: new server: Info is required")
	case o.Stream == nil:
		return nil, errors.New("onvif: new server: Stream is required")
	}
	if o.MaxBody <= 0 {
		o.MaxBody = soap.DefaultLimit
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{o: o}
	s.verifier = &soap.Verifier{Secret: o.Accounts.DigestSecret, Now: o.Now}
	s.device = (&deviceService{s: s}).operations()
	s.media = (&mediaService{s: s}).operations()
	return s, nil
}

// Handler returns the handler of every path under /onvif/: SOAP requests (POST, to any path)
// and GET SnapshotPath.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.o.Enabled != nil && !s.o.Enabled() {
		soap.WriteFault(w, soap.V12, soap.Receiver, nil, "ONVIF service is stopped", http.StatusServiceUnavailable)
		return
	}
	if r.URL.Path == SnapshotPath {
		s.serveSnapshot(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		soap.WriteFault(w, soap.V12, soap.Sender, nil, "ONVIF requests are HTTP POST", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.o.MaxBody)
	req, err := soap.ParseRequest(r.Body, s.o.MaxBody)
	if err != nil {
		soap.ParseError(w, err)
		return
	}
	svc := s.route(req.Operation.Space)
	if svc == nil {
		soap.NotImplemented(w, req.Version)
		return
	}
	access, ok := svc.Access(req.Operation.Local)
	if !ok {
		soap.NotImplemented(w, req.Version)
		return
	}
	call, ok := s.authenticate(w, r, req, access)
	if !ok {
		return
	}
	svc.ServeSOAP(w, r, call)
}

// route returns the service of an operation namespace, nil when none.
func (s *Server) route(space string) soap.Service {
	switch space {
	case soap.NSDevice:
		return s.device
	case soap.NSMedia:
		return s.media
	case soap.NSEvents, soap.NSWSNT:
		if s.o.Events != nil {
			return s.o.Events
		}
	case soap.NSPTZ:
		if s.o.PTZ != nil {
			return s.o.PTZ
		}
	case soap.NSImaging:
		if s.o.Imaging != nil {
			return s.o.Imaging
		}
	}
	return nil
}

// baseURL is the scheme and host the client reached the camera by: r.Host, or the local
// address of the connection when the Host header is missing or not a plain host[:port].
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + requestHost(r)
}

// requestHost is host[:port] as the client used it.
func requestHost(r *http.Request) string {
	if h := r.Host; h != "" && !strings.ContainsAny(h, "/?#@\\ \t\r\n\"'<>%") {
		return h
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if ta, ok := a.(*net.TCPAddr); ok {
			return ta.AddrPort().String()
		}
		return a.String()
	}
	return "localhost"
}

// hostOnly is the host of requestHost without its port, bracketed when IPv6.
func hostOnly(r *http.Request) string {
	hp := requestHost(r)
	if h, _, err := net.SplitHostPort(hp); err == nil {
		hp = h
	}
	hp = strings.TrimSuffix(strings.TrimPrefix(hp, "["), "]")
	if strings.Contains(hp, ":") {
		return "[" + hp + "]"
	}
	return hp
}

// writeResponse writes body as the response in the request's version, logging a body that
// cannot be marshalled (a programming error; the client got a Receiver fault).
func (s *Server) writeResponse(w http.ResponseWriter, c *soap.Call, body any) {
	if err := soap.WriteResponse(w, c.Req.Version, body); err != nil {
		s.o.Log.Error("onvif: write response", "op", c.Req.Operation.Local, "err", err)
	}
}

// fault writes a fault with the ONVIF subcodes (ter:…) and a reason; status 0 is the SOAP
// default (400 Sender, 500 Receiver).
func fault(w http.ResponseWriter, c *soap.Call, code soap.Code, reason string, subcodes ...string) {
	soap.WriteFault(w, c.Req.Version, code, subcodes, reason, 0)
}

// invalidArg writes the Sender/ter:InvalidArgVal fault with a more precise subcode (ter:NoProfile…).
func invalidArg(w http.ResponseWriter, c *soap.Call, sub, reason string) {
	subs := []string{soap.SubInvalidArgVal}
	if sub != "" {
		subs = append(subs, sub)
	}
	soap.WriteFault(w, c.Req.Version, soap.Sender, subs, reason, 0)
}
