package auth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func cookieRequest(token string) *http.Request {
	r := httptest.NewRequest("GET", "/live", nil)
	r.RemoteAddr = "192.0.2.7:5000"
	r.AddCookie(&http.Cookie{Name: SessionCookie, Value: token})
	return r
}

// loginToken logs in through Login and returns the session cookie's value.
func loginToken(t testing.TB, a *Authenticator, name, password string) string {
	t.Helper()
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/login", nil)
	r.RemoteAddr = "192.0.2.7:5000"
	if _, err := a.Login(w, r, name, password); err != nil {
		t.Fatalf("Login: %v", err)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == SessionCookie {
			return c.Value
		}
	}
	t.Fatal("got no session cookie from Login")
	return ""
}

func TestSessionCookie(t *testing.T) {
	a, clk := newTestAuth(t, "")
	mustSet(t, a, "admin", Admin, "admin password", false)

	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/login", nil)
	r.RemoteAddr = "192.0.2.7:5000"
	u, err := a.Login(w, r, "admin", "admin password")
	if err != nil {
		t.Fatal(err)
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("got %d cookies, want 1", len(cookies))
	}
	c := cookies[0]
	if c.Name != SessionCookie || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || len(c.Value) != 43 {
		t.Errorf("got cookie %+v, want freecam_session, HttpOnly, Secure, SameSite=Strict, Path=/, 32 random bytes", c)
	}
	if u.Via != "session" || u.CSRF == "" || u.Role != Admin {
		t.Errorf("got %+v from Login, want a session user with a CSRF token", u)
	}

	got, err := a.Check(cookieRequest(c.Value))
	if err != nil || got != u {
		t.Errorf("got %+v, %v; want %+v", got, err, u)
	}
	if _, err := a.Check(cookieRequest(c.Value + "x")); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("got %v for a forged token, want ErrNoCredentials", err)
	}
	if _, err := a.Login(httptest.NewRecorder(), r, "admin", "wrong"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("got %v for a wrong login, want ErrBadCredentials", err)
	}

	// Sliding idle expiry: 11 h of quiet twice keeps it, 13 h ends it.
	clk.Add(11 * time.Hour)
	if _, err := a.Check(cookieRequest(c.Value)); err != nil {
		t.Errorf("got %v after 11 h idle, want the session alive", err)
	}
	clk.Add(11 * time.Hour)
	if _, err := a.Check(cookieRequest(c.Value)); err != nil {
		t.Errorf("got %v 11 h after the last use, want the session alive", err)
	}
	clk.Add(13 * time.Hour)
	if _, err := a.Check(cookieRequest(c.Value)); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("got %v after 13 h idle, want ErrNoCredentials", err)
	}

	tok := loginToken(t, a, "admin", "admin password")
	lw := httptest.NewRecorder()
	a.Logout(lw, cookieRequest(tok))
	if _, err := a.Check(cookieRequest(tok)); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("got %v after Logout, want ErrNoCredentials", err)
	}
	if cs := lw.Result().Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 {
		t.Errorf("got cookies %v from Logout, want the session cookie cleared", cs)
	}
}

func TestSetPasswordAndDeleteEndSessions(t *testing.T) {
	a, _ := newTestAuth(t, "")
	mustSet(t, a, "admin", Admin, "admin password", false)
	mustSet(t, a, "bob", Viewer, "bob password", false)
	adminTok := loginToken(t, a, "admin", "admin password")
	bobTok := loginToken(t, a, "bob", "bob password")

	mustSet(t, a, "bob", Viewer, "bob's new password", false)
	if _, err := a.Check(cookieRequest(bobTok)); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("got %v for bob's session after his password changed, want ErrNoCredentials", err)
	}
	if _, err := a.Check(cookieRequest(adminTok)); err != nil {
		t.Errorf("got %v for admin's session, want it untouched by bob's change", err)
	}
	bobTok = loginToken(t, a, "bob", "bob's new password")
	if err := a.DeleteUser("bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Check(cookieRequest(bobTok)); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("got %v for a deleted user's session, want ErrNoCredentials", err)
	}
}

func TestSessionsAreBounded(t *testing.T) {
	dir := t.TempDir()
	a, err := New(Options{ConfigDir: dir, MaxSessions: 3})
	if err != nil {
		t.Fatal(err)
	}
	a.params = cheapParams
	mustSet(t, a, "admin", Admin, "admin password", false)
	var toks []string
	for range 4 {
		toks = append(toks, loginToken(t, a, "admin", "admin password"))
	}
	if n := len(a.sessions.m); n != 3 {
		t.Errorf("got %d sessions, want 3", n)
	}
	if _, err := a.Check(cookieRequest(toks[3])); err != nil {
		t.Errorf("got %v for the newest session, want it kept", err)
	}
	if _, err := a.Check(cookieRequest(toks[0])); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("got %v for the oldest session, want it evicted", err)
	}
}
