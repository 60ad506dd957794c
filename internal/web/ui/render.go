package ui

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/web/auth"
)

// navItem is one link of the navigation.
type navItem struct {
	Path, Title string
	Admin       bool // only admins see it
}

func nav() []navItem {
	return []navItem{
		{"/live", "Live", false},
		{"/camera", "Camera", true},
		{"/motion", "Motion", true},
		{"/notifications", "Notifications", true},
		{"/storage", "Storage", true},
		{"/services", "Services", true},
		{"/system", "System", true},
		{"/events", "Events", false},
		{"/logs", "Logs", true},
	}
}

// view is what the layout needs, plus the page's own Data.
type view struct {
	Title   string
	Path    string // the page's path, to mark its nav link
	Nav     []navItem
	User    auth.User
	Admin   bool
	CSRF    string
	Version string
	Flash   string   // a success message
	Error   string   // a problem to show at the top
	Scripts []string // the page's scripts under /static/, run in this order
	Data    any
	host    string // the request's Host, for URLs the browser's machine can use
}

// parseTemplates parses each page with the layout: one template set per page file.
func parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"since": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return time.Since(t).Round(time.Second).String()
		},
		"clock": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.Local().Format("2006-01-02 15:04:05")
		},
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template)
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || base == "form.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/form.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", base, err)
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

// newView starts a page's view for the request's user.
func (u *UI) newView(r *http.Request, title string) *view {
	usr, _ := auth.UserFrom(r.Context())
	v := &view{Title: title, Path: r.URL.Path, User: usr, Admin: usr.Role == auth.Admin, CSRF: usr.CSRF,
		Version: u.versionString(), host: r.Host}
	for _, n := range nav() {
		if !n.Admin || v.Admin {
			v.Nav = append(v.Nav, n)
		}
	}
	return v
}

func (u *UI) versionString() string {
	if u.version != "" {
		return u.version
	}
	return u.cam.Status().Version
}

// render executes page into a buffer first, so a template error is a clean 500, not half a page.
func (u *UI) render(w http.ResponseWriter, status int, page string, v *view) {
	t, ok := u.pages[page]
	if !ok {
		u.log.Error("no such page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		u.log.Error("render page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// back redirects to the page a form was posted from, with an optional flash query.
func back(w http.ResponseWriter, r *http.Request, page, flash string) {
	target := page
	if flash != "" {
		target += "?done=" + flash
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// flashFor returns the fixed message a redirect asked for with ?done=…; nothing from the query is
// ever shown as it is.
func flashFor(r *http.Request) string {
	switch r.URL.Query().Get("done") {
	case "saved", "host":
		return "Saved."
	case "network":
		return "Address saved."
	case "wifi":
		return "Wi-Fi saved."
	case "wifi-removed":
		return "Wi-Fi removed."
	case "password":
		return "Password changed."
	case "user":
		return "Account added."
	case "deleted":
		return "Account deleted."
	case "done":
		return "Done."
	}
	return ""
}
