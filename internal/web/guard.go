package web

import (
	"crypto/subtle"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/freecam/freecam/internal/web/auth"
)

// guard is the only way a route is registered: it authenticates the request (session cookie,
// Basic or Digest; no address is trusted, localhost included), checks the role, and for a
// browser session checks the CSRF token of a state-changing request.
func (s *Server) guard(need auth.Role, h http.Handler) http.Handler {
	return s.guarded(need, false, h)
}

// pictureGuard is guard for routes that include the picture URLs, which SNAPSHOT_ANONYMOUS may
// open to anyone: only the paths in anonymousPictures are opened, whatever else shares the guard.
func (s *Server) pictureGuard(need auth.Role, h http.Handler) http.Handler {
	return s.guarded(need, need == auth.Viewer, h)
}

// anonymousPictures are the URLs SNAPSHOT_ANONYMOUS opens.
var anonymousPictures = map[string]bool{
	"/snapshot.jpg": true, "/mjpeg": true,
	"/cgi-bin/currentpic.cgi": true, "/cgi-bin/currentpicoptim.cgi": true, "/cgi-bin/downloadpic.cgi": true,
}

func (s *Server) guarded(need auth.Role, pictures bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.opts.Auth.Check(r)
		anonymousOK := pictures && anonymousPictures[r.URL.Path] && s.anonymousSnapshots()
		switch {
		case errors.Is(err, auth.ErrNoCredentials) && anonymousOK:
			u = auth.User{Name: "anonymous", Role: auth.Viewer, Via: "anonymous"}
		case errors.Is(err, auth.ErrNoCredentials) && wantsPage(r):
			// A browser opening a page gets the login form, not the Basic pop-up.
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		case err != nil:
			s.opts.Auth.Challenge(w, r, err)
			return
		}
		if !u.Role.Allows(need) {
			auth.WriteError(w, r, http.StatusForbidden, "forbidden: this needs an admin account")
			return
		}
		if u.Via == "session" && !safeMethod(r.Method) && !csrfOK(r, u.CSRF) {
			auth.WriteError(w, r, http.StatusForbidden, "forbidden: missing or wrong CSRF token; reload the page")
			return
		}
		h.ServeHTTP(w, r.WithContext(auth.WithUser(r.Context(), u)))
	})
}

// anonymousSnapshots reports whether an admin opened the picture URLs: Options, or freecam.conf's
// SNAPSHOT_ANONYMOUS as the camera runs it now (so the setting applies without a restart).
func (s *Server) anonymousSnapshots() bool {
	if s.opts.AnonymousSnapshots {
		return true
	}
	cfg := s.opts.Camera.Config()
	return cfg != nil && cfg.Freecam.SnapshotAnonymous
}

// public wraps the few routes that must work without an account (the login form).
func (s *Server) public(h http.Handler) http.Handler { return h }

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// wantsPage reports whether a request is a browser navigating to a page.
func wantsPage(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Authorization") == "" &&
		strings.Contains(r.Header.Get("Accept"), "text/html") &&
		!strings.HasPrefix(r.URL.Path, "/api/") && !strings.HasPrefix(r.URL.Path, "/cgi-bin/")
}

func csrfOK(r *http.Request, want string) bool {
	if want == "" {
		return false
	}
	got := r.Header.Get("X-CSRF-Token")
	// The pages' forms are urlencoded (whose parsing Go caps at 10 MB); an upload (multipart)
	// must send the header, so that checking the token never spools a large body to disk.
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); got == "" && ct == "application/x-www-form-urlencoded" {
		got = r.PostFormValue("csrf")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// refuseCrossSite refuses requests that another site's page makes the browser send, whatever the
// method. CrossOriginProtection covers POST and the like; this covers the firmware's GET-with-side-
// effects URLs (action.cgi?cmd=reboot in an <img> on a hostile page would otherwise ride on the
// browser's remembered Basic credentials) and stops other sites embedding the pictures. A
// top-level navigation to a page is allowed: following a link to the camera's UI is fine, and
// the session cookie is SameSite=Strict, so such a request arrives logged out.
func refuseCrossSite(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		site := r.Header.Get("Sec-Fetch-Site")
		crossSite := site == "cross-site" || site == "same-site"
		if crossSite {
			navigate := r.Header.Get("Sec-Fetch-Mode") == "navigate" && safeMethod(r.Method)
			sideEffects := strings.HasPrefix(r.URL.Path, "/cgi-bin/action.cgi") || strings.HasPrefix(r.URL.Path, "/api/")
			if !navigate || sideEffects {
				auth.WriteError(w, r, http.StatusForbidden, "cross-site request refused")
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// securityHeaders sets the headers every response carries. There is no HSTS: with the
// self-signed certificate most cameras use, HSTS would stop a browser from ever accepting it.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "+
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			hd.Set("Cache-Control", "no-store")
		}
		h.ServeHTTP(w, r)
	})
}
