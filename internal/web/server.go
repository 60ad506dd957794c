// Package web is freecam's web server: HTTPS with the certificate from tlscert, a plain-HTTP
// listener that only redirects (and serves ONVIF, which authenticates by itself), and one
// handler that authenticates every request before it reaches the pages (ui), the JSON API, the
// snapshot URLs or the firmware's CGI URLs (firmware).
//
// The security rules live here, in one place, so no route can forget them: every route is
// registered through guard with the role it needs (there is no anonymous route except the login
// form and, when an admin turned it on, the snapshot URLs); state-changing requests must come
// from the camera's own pages (Go's CrossOriginProtection plus the session's CSRF token); every
// response carries the security headers.
package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/web/auth"
	"github.com/freecam/freecam/internal/web/firmware"
	"github.com/freecam/freecam/internal/web/tlscert"
	"github.com/freecam/freecam/internal/web/ui"
)

// Options configure a Server.
type Options struct {
	Camera camera.Camera
	Auth   *auth.Authenticator
	// Certs serves the HTTPS certificate. Required for Start (Handler works without it).
	Certs *tlscert.Manager
	// HTTPSListen and HTTPListen are host:port; an empty HTTPListen runs no redirect listener.
	HTTPSListen string
	HTTPListen  string
	// AnonymousSnapshots lets requests without credentials fetch the picture URLs, whatever
	// the camera's SNAPSHOT_ANONYMOUS says.
	AnonymousSnapshots bool
	// ONVIF, when set, serves /onvif/… on both listeners: ONVIF clients speak plain HTTP and
	// authenticate inside the SOAP envelope (WS-Security) or by HTTP Digest, which the handler
	// checks itself; it is the one route not behind guard.
	ONVIF   http.Handler
	Version string
	Log     *slog.Logger
}

// Server is the web server. Build it with New, then Start and Stop it once.
type Server struct {
	opts    Options
	log     *slog.Logger
	handler http.Handler
	// apiRoutes are the API's mux patterns, so a test can hold docs/openapi.json to them.
	apiRoutes []string

	mu       sync.Mutex
	https    *http.Server
	redirect *http.Server
	httpsLn  net.Listener
	httpLn   net.Listener
}

// New builds the server and its routes; it does not listen yet.
func New(opts Options) (*Server, error) {
	if opts.Camera == nil || opts.Auth == nil {
		return nil, errors.New("web: Camera and Auth are required")
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts, log: log}
	mux := http.NewServeMux()

	pages, err := ui.New(ui.Options{Camera: opts.Camera, Auth: opts.Auth, Log: log.With("component", "ui"), Version: opts.Version})
	if err != nil {
		return nil, fmt.Errorf("web: pages: %w", err)
	}
	pages.Register(mux, s.guard, s.public)
	firmware.New(opts.Camera, log.With("component", "cgi")).Register(mux, s.pictureGuard)
	s.registerPictures(mux)
	s.registerMedia(mux)
	s.registerAPI(mux)
	if opts.ONVIF != nil {
		mux.Handle("/onvif/", opts.ONVIF)
	}
	// Everything else needs an account too: an unknown path answers 401 before 404, so the
	// routes cannot be mapped without credentials.
	mux.Handle("/", s.guard(auth.Viewer, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/live", http.StatusSeeOther)
			return
		}
		http.NotFound(w, r)
	})))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.WriteError(w, r, http.StatusForbidden, "cross-origin request refused: change settings from the camera's own pages")
	}))
	s.handler = securityHeaders(cop.Handler(refuseCrossSite(mux)))
	s.handler = s.registerMetrics(mux, s.handler) // /metrics, /healthz; times the picture URLs
	return s, nil
}

// Handler is the HTTPS handler, for tests and for embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on both addresses and serves in the background. It fails, listening on nothing,
// when an address is taken.
func (s *Server) Start() error {
	if s.opts.Certs == nil {
		return errors.New("web: no certificate manager")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ln, err := net.Listen("tcp", s.opts.HTTPSListen)
	if err != nil {
		return fmt.Errorf("https listen %s: %w", s.opts.HTTPSListen, err)
	}
	var redirLn net.Listener
	if s.opts.HTTPListen != "" {
		if redirLn, err = net.Listen("tcp", s.opts.HTTPListen); err != nil {
			ln.Close()
			return fmt.Errorf("http listen %s: %w", s.opts.HTTPListen, err)
		}
	}
	errLog := slog.NewLogLogger(s.log.Handler(), slog.LevelDebug) // TLS handshake noise from scanners
	s.httpsLn = ln
	s.https = &http.Server{
		Handler:           s.handler,
		TLSConfig:         s.opts.Certs.TLSConfig(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          errLog,
	}
	go func() { _ = s.https.Serve(tls.NewListener(ln, s.https.TLSConfig)) }()
	if redirLn != nil {
		s.httpLn = redirLn
		s.redirect = &http.Server{
			Handler:           s.plainHandler(ln.Addr().(*net.TCPAddr).Port),
			ReadHeaderTimeout: 10 * time.Second,
			MaxHeaderBytes:    16 << 10,
			ErrorLog:          errLog,
		}
		go func() { _ = s.redirect.Serve(redirLn) }()
	}
	attrs := []any{"url", s.URL(), "redirect", s.HTTPAddr(),
		"certificate", s.opts.Certs.Source().String(), "sha256", s.opts.Certs.Fingerprint()}
	if s.opts.ONVIF != nil {
		attrs = append(attrs, "onvif", s.onvifURL())
	}
	s.log.Info("web server listening", attrs...)
	return nil
}

// Stop ends both listeners. Streams (MJPEG) are cut after a second.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, srv := range []*http.Server{s.redirect, s.https} {
		if srv == nil {
			continue
		}
		shut, cancel := context.WithTimeout(ctx, time.Second)
		err := srv.Shutdown(shut)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			err = srv.Close()
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// onvifURL is where ONVIF's device service answers: on the plain-HTTP listener, else HTTPS.
func (s *Server) onvifURL() string {
	scheme, addr := "http", s.HTTPAddr()
	if addr == "" {
		scheme, addr = "https", s.HTTPSAddr()
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/onvif/device_service"
}

// HTTPSAddr and HTTPAddr are the bound addresses ("" when not listening).
func (s *Server) HTTPSAddr() string { return addrOf(s.httpsLn) }

// HTTPAddr is the redirect listener's address, "" when it is off.
func (s *Server) HTTPAddr() string { return addrOf(s.httpLn) }

// URL is the address to open in a browser: https://localhost:PORT when listening on every
// interface.
func (s *Server) URL() string {
	host, port, err := net.SplitHostPort(s.HTTPSAddr())
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "https://" + net.JoinHostPort(host, port)
}

func addrOf(ln net.Listener) string {
	if ln == nil {
		return ""
	}
	return ln.Addr().String()
}

// plainHandler is the plain-HTTP listener's: ONVIF under /onvif/ (with the same security
// headers and cross-site refusal as HTTPS), a redirect to HTTPS for everything else.
func (s *Server) plainHandler(httpsPort int) http.Handler {
	redirect := redirectToHTTPS(httpsPort)
	if s.opts.ONVIF == nil {
		return redirect
	}
	mux := http.NewServeMux()
	mux.Handle("/onvif/", securityHeaders(refuseCrossSite(s.opts.ONVIF)))
	mux.Handle("/", redirect)
	return mux
}

// redirectToHTTPS sends every plain-HTTP request to the same host and path on the HTTPS port.
// It never serves content: credentials must not cross the network in clear.
func redirectToHTTPS(port int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if host == "" || len(host) > 255 {
			http.Error(w, "use HTTPS", http.StatusBadRequest)
			return
		}
		target := "https://" + net.JoinHostPort(trimBrackets(host), fmt.Sprint(port)) + r.URL.RequestURI()
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	})
}

func trimBrackets(h string) string {
	if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
		return h[1 : len(h)-1]
	}
	return h
}
