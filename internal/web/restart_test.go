package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/web/auth"
)

// After a time zone change freecam restarts and the sessions (kept in memory) are gone. The
// restarting page's script (static/restart.js) polls GET /live asking for a page: the server must
// answer a browser whose session is gone with a redirect to /login (or 401 to a HEAD), which the
// script takes as "back", and the login page must bring the user back to the page given as next.
func TestRestartPageFindsTheCameraBackLoggedOut(t *testing.T) {
	ts := newTestServer(t, false)
	c, csrf := ts.login(t)
	base, _ := url.Parse(ts.base)
	var session string
	for _, ck := range c.Jar.Cookies(base) {
		if ck.Name == auth.SessionCookie {
			session = ck.Value
		}
	}
	if session == "" {
		t.Fatal("no session cookie after logging in")
	}

	resp, err := c.PostForm(ts.base+"/system/host", url.Values{"csrf": {csrf}, "timezone": {"Europe/London"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `id="restarting" data-next="/system"`) {
		t.Fatalf("time zone change: got %d, want the restarting page going back to /system\n%s", resp.StatusCode, page)
	}

	// The session ends as a restart ends it; the browser still sends its cookie.
	resp, err = c.PostForm(ts.base+"/logout", url.Values{"csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	stale := map[string]string{"Cookie": auth.SessionCookie + "=" + session}

	stale["Accept"] = "text/html"
	code, _, hdr := ts.do(t, http.MethodGet, "/live", "", "", nil, stale)
	if code != http.StatusSeeOther || hdr.Get("Location") != "/login?next=%2Flive" {
		t.Errorf("restart.js's GET /live with a lost session: got %d to %q, want 303 to /login?next=%%2Flive", code, hdr.Get("Location"))
	}
	delete(stale, "Accept")
	if code, _, _ := ts.do(t, http.MethodHead, "/live", "", "", nil, stale); code != http.StatusUnauthorized {
		t.Errorf("HEAD /live with a lost session: got %d, want 401", code)
	}

	// restart.js then opens /login?next=/system; logging in goes there.
	code, body, _ := ts.do(t, http.MethodGet, "/login?next="+url.QueryEscape("/system"), "", "", nil, nil)
	if code != http.StatusOK || !strings.Contains(body, `name="next" value="/system"`) {
		t.Errorf("GET /login?next=%%2Fsystem: got %d, want the form keeping next=/system", code)
	}
	resp, err = client().PostForm(ts.base+"/login", url.Values{"name": {"admin"}, "password": {ts.adminPass}, "next": {"/system"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/system" {
		t.Errorf("login with next=/system: got %d to %q, want 303 to /system", resp.StatusCode, resp.Header.Get("Location"))
	}
}
