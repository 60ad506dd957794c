package ui

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/freecam/freecam/internal/web/auth"
)

type loginData struct {
	Name, Next, Problem string
}

func (u *UI) loginForm(w http.ResponseWriter, r *http.Request) {
	v := u.newView(r, "Log in")
	v.Data = loginData{Next: safeNext(r.URL.Query().Get("next"))}
	u.render(w, http.StatusOK, "login", v)
}

func (u *UI) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	name, next := r.PostForm.Get("name"), safeNext(r.PostForm.Get("next"))
	_, err := u.auth.Login(w, r, name, r.PostForm.Get("password"))
	if err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	v := u.newView(r, "Log in")
	d := loginData{Name: name, Next: next, Problem: "wrong user name or password"}
	status := http.StatusUnauthorized
	var th *auth.ThrottledError
	if errors.As(err, &th) {
		secs := int(math.Ceil(th.Wait.Seconds()))
		if secs < 1 {
			secs = 1
		}
		d.Problem = fmt.Sprintf("too many attempts, try again in %d s", secs)
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", fmt.Sprint(secs))
	}
	v.Data = d
	u.render(w, status, "login", v)
}

func (u *UI) logout(w http.ResponseWriter, r *http.Request) {
	u.auth.Logout(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext returns next when it is a path on this server, else /live: it must start with "/" but
// not "//" or "/\" (both mean another host to a browser), and hold no control character.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) ||
		strings.ContainsFunc(next, func(c rune) bool { return c < 0x20 || c == 0x7f || c == '\\' }) ||
		strings.HasPrefix(next, "/login") || strings.HasPrefix(next, "/logout") {
		return "/live"
	}
	return next
}
