// Package ui is freecam's web pages: server-rendered html/template pages with small vanilla
// JavaScript files, all embedded in the binary, for the live view, the settings (through
// internal/web/settings), services, system and accounts, events and logs.
//
// It authenticates nothing itself: every route is registered through the server's Guard, which
// has checked the account, the role and the CSRF token before a handler runs. The pages load
// nothing from the Internet, use no inline script or style (the server's CSP is default-src
// 'self'), and never show a secret.
package ui

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/web/auth"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Guard wraps a handler with authentication and the role it needs; the web server provides it.
type Guard func(need auth.Role, h http.Handler) http.Handler

// Authenticator is what the pages need of the accounts (*auth.Authenticator).
type Authenticator interface {
	// Login checks a password and starts a session (sets its cookie). It returns a
	// *auth.ThrottledError when the address or user failed too often.
	Login(w http.ResponseWriter, r *http.Request, name, password string) (auth.User, error)
	// Logout ends the request's session and clears its cookie.
	Logout(w http.ResponseWriter, r *http.Request)
	Users() []auth.Account
	SetPassword(name string, role auth.Role, password string, digest bool) error
	DeleteUser(name string) error
}

// Options configure the pages.
type Options struct {
	Camera camera.Camera // required
	Auth   Authenticator // required
	// Log receives problems the user cannot act on (a template failing). Default: discard.
	Log *slog.Logger
	// Version is shown on the System page and in the footer. Default: Status().Version.
	Version string
}

// UI is the pages. It is safe for concurrent use and holds no state besides its templates.
type UI struct {
	cam     camera.Camera
	auth    Authenticator
	log     *slog.Logger
	version string
	pages   map[string]*template.Template
}

// New parses the templates. It starts nothing.
func New(opts Options) (*UI, error) {
	if opts.Camera == nil || opts.Auth == nil {
		return nil, errors.New("ui: Camera and Auth are required")
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	return &UI{cam: opts.Camera, auth: opts.Auth, log: log, version: opts.Version, pages: pages}, nil
}

// Register adds the pages' routes to mux. guard wraps every route with the role it needs; public
// wraps the routes that must work without an account (the login form and its stylesheet).
func (u *UI) Register(mux *http.ServeMux, guard Guard, public func(http.Handler) http.Handler) {
	viewer := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, guard(auth.Viewer, h)) }
	admin := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, guard(auth.Admin, h)) }

	mux.Handle("GET /login", public(http.HandlerFunc(u.loginForm)))
	mux.Handle("POST /login", public(http.HandlerFunc(u.login)))
	// The login page's stylesheet: public so the form is styled before anyone logged in.
	mux.Handle("GET /static/style.css", public(u.staticFiles()))
	mux.Handle("GET /static/", guard(auth.Viewer, u.staticFiles()))
	viewer("POST /logout", u.logout)

	viewer("GET /live", u.live)
	admin("POST /live/switch", u.liveSwitch)
	admin("POST /live/night", u.liveNight)
	admin("POST /live/move", u.liveMove)
	admin("POST /live/calibrate", u.liveCalibrate)

	for _, name := range settingsPages() {
		admin("GET /"+name, u.settingsGet(name))
		admin("POST /"+name, u.settingsPost(name))
	}

	admin("GET /services", u.services)
	admin("POST /services/{name}/{action}", u.serviceControl)

	admin("GET /system", u.system)
	admin("POST /system", u.settingsPost("system"))
	admin("POST /system/host", u.systemHost)
	admin("POST /system/address", u.systemAddress)
	admin("POST /system/wifi", u.systemWiFi)
	admin("POST /system/wifi/remove", u.systemWiFiRemove)
	admin("POST /system/users", u.addUser)
	admin("POST /system/users/{name}/password", u.userPassword)
	admin("POST /system/users/{name}/delete", u.deleteUser)
	admin("POST /system/restart", u.restart)

	viewer("GET /events", u.events)
	viewer("GET /events/{id}/thumb.jpg", u.thumb)
	admin("GET /logs", u.logs)
}

// staticFiles serves the embedded files under /static/ (no directory listings).
func (u *UI) staticFiles() http.Handler {
	files := http.FileServerFS(staticFS)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
