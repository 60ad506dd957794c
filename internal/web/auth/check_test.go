package auth

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestBasic(t *testing.T) {
	a, _ := newTestAuth(t, "")
	mustSet(t, a, "admin", Admin, "admin password", false)
	mustSet(t, a, "ha", Viewer, "viewer:with:colons", false)
	for name, c := range map[string]struct {
		r       *http.Request
		want    User
		wantErr error
	}{
		"admin":         {basicRequest("10.0.0.1:1", "admin", "admin password"), User{Name: "admin", Role: Admin, Via: "basic"}, nil},
		"colons":        {basicRequest("10.0.0.1:1", "ha", "viewer:with:colons"), User{Name: "ha", Role: Viewer, Via: "basic"}, nil},
		"wrong":         {basicRequest("10.0.0.2:1", "admin", "admin passwor"), User{}, ErrBadCredentials},
		"unknown user":  {basicRequest("10.0.0.3:1", "mallory", "admin password"), User{}, ErrBadCredentials},
		"none":          {httptest.NewRequest("GET", "/", nil), User{}, ErrNoCredentials},
		"garbage":       {withAuth("Basic !!!"), User{}, ErrBadCredentials},
		"other scheme":  {withAuth("Bearer abc"), User{}, ErrBadCredentials},
		"lowercase too": {withAuth("basic YWRtaW46YWRtaW4gcGFzc3dvcmQ="), User{Name: "admin", Role: Admin, Via: "basic"}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := a.Check(c.r)
			if got != c.want || !errors.Is(err, c.wantErr) || (c.wantErr == nil) != (err == nil) {
				t.Errorf("got %+v, %v; want %+v, %v", got, err, c.want, c.wantErr)
			}
		})
	}
}

func withAuth(h string) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", h)
	return r
}

func TestChallengeWithoutDigestAccounts(t *testing.T) {
	a, _ := newTestAuth(t, "")
	mustSet(t, a, "admin", Admin, "admin password", false)
	w := httptest.NewRecorder()
	a.Challenge(w, httptest.NewRequest("GET", "/", nil), ErrNoCredentials)
	got := w.Result().Header.Values("WWW-Authenticate")
	if w.Code != 401 || len(got) != 1 || got[0] != `Basic realm="freecam", charset="UTF-8"` {
		t.Errorf("got %d %q, want 401 with only the Basic challenge", w.Code, got)
	}
	if w.Body.Len() == 0 {
		t.Error("got an empty body, want a short message")
	}
}

func TestChallengeThrottled(t *testing.T) {
	a, _ := newTestAuth(t, "")
	w := httptest.NewRecorder()
	a.Challenge(w, httptest.NewRequest("GET", "/", nil), fmt.Errorf("wrapped: %w", &ThrottledError{Wait: 2100 * time.Millisecond}))
	if w.Code != 429 || w.Header().Get("Retry-After") != "3" || w.Header().Get("WWW-Authenticate") != "" {
		t.Errorf("got %d, Retry-After %q, WWW-Authenticate %q; want 429, 3, none", w.Code, w.Header().Get("Retry-After"), w.Header().Get("WWW-Authenticate"))
	}
}

// digestClient answers a Digest challenge the way RFC 7616 §3.4 says, with MD5 and qop=auth
// (or none, like an RFC 2069 client).
type digestClient struct {
	user, password string
	qop            bool
	nc             int
}

func (c *digestClient) authorize(r *http.Request, nonce, uri string) {
	h := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	ha1 := h(c.user + ":freecam:" + c.password)
	ha2 := h(r.Method + ":" + uri)
	if !c.qop {
		resp := h(ha1 + ":" + nonce + ":" + ha2)
		r.Header.Set("Authorization", fmt.Sprintf(`Digest username="%s", realm="freecam", nonce="%s", uri="%s", response="%s"`, c.user, nonce, uri, resp))
		return
	}
	c.nc++
	nc := fmt.Sprintf("%08x", c.nc)
	cnonce := "0a4f113b"
	resp := h(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)
	r.Header.Set("Authorization", fmt.Sprintf(`Digest username="%s", realm="freecam", nonce="%s", uri="%s", algorithm=MD5, qop=auth, nc=%s, cnonce="%s", response="%s", opaque=""`,
		c.user, nonce, uri, nc, cnonce, resp))
}

// challenge returns the Digest challenge's parameters that a refused request gets.
func challenge(t *testing.T, a *Authenticator, err error) map[string]string {
	t.Helper()
	w := httptest.NewRecorder()
	a.Challenge(w, httptest.NewRequest("GET", "/", nil), err)
	hs := w.Result().Header.Values("WWW-Authenticate")
	if len(hs) != 2 || !strings.HasPrefix(hs[1], "Digest ") {
		t.Fatalf("got challenges %q, want Basic then Digest", hs)
	}
	p, ok := digestParams(strings.TrimPrefix(hs[1], "Digest "))
	if !ok || p["realm"] != "freecam" || p["qop"] != "auth" || p["algorithm"] != "MD5" || p["nonce"] == "" {
		t.Fatalf("got Digest challenge %q, want realm, qop=auth, algorithm=MD5 and a nonce", hs[1])
	}
	return p
}

func TestDigest(t *testing.T) {
	a, clk := newTestAuth(t, "")
	mustSet(t, a, "admin", Admin, "admin password", false)
	mustSet(t, a, "cam", Viewer, "cam password", true)
	nonce := challenge(t, a, ErrNoCredentials)["nonce"]

	req := func(c *digestClient, nonce, uri string) *http.Request {
		r := httptest.NewRequest("GET", "/cgi-bin/currentpic.cgi?x=1", nil)
		r.RemoteAddr = "10.1.1.1:999"
		c.authorize(r, nonce, uri)
		return r
	}
	good := &digestClient{user: "cam", password: "cam password", qop: true}
	want := User{Name: "cam", Role: Viewer, Via: "digest"}
	for i := range 2 { // nc counts up
		if got, err := a.Check(req(good, nonce, "/cgi-bin/currentpic.cgi?x=1")); err != nil || got != want {
			t.Fatalf("request %d: got %+v, %v; want %+v", i, got, err, want)
		}
	}
	// A captured request sent again (the same nc) is a replay.
	captured := req(good, nonce, "/cgi-bin/currentpic.cgi?x=1")
	if _, err := a.Check(captured); err != nil {
		t.Fatalf("captured request, first time: %v", err)
	}
	if _, err := a.Check(captured.Clone(captured.Context())); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("replayed Digest request: got %v, want ErrBadCredentials", err)
	}
	old := &digestClient{user: "cam", password: "cam password"}
	if got, err := a.Check(req(old, nonce, "/cgi-bin/currentpic.cgi?x=1")); err != nil || got != want {
		t.Errorf("without qop: got %+v, %v; want %+v", got, err, want)
	}

	for name, r := range map[string]*http.Request{
		"wrong uri":      req(good, nonce, "/cgi-bin/action.cgi?cmd=reboot"),
		"wrong password": req(&digestClient{user: "cam", password: "cam passwor", qop: true}, nonce, "/cgi-bin/currentpic.cgi?x=1"),
		"forged nonce":   req(good, newNonce([]byte("another key"), clk.Now()), "/cgi-bin/currentpic.cgi?x=1"),
		"no digest hash": req(&digestClient{user: "admin", password: "admin password", qop: true}, nonce, "/cgi-bin/currentpic.cgi?x=1"),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := a.Check(r); !errors.Is(err, ErrBadCredentials) || errors.Is(err, errStaleNonce) {
				t.Errorf("got %v, want ErrBadCredentials, not stale", err)
			}
		})
	}
	bad := req(good, nonce, "/cgi-bin/currentpic.cgi?x=1")
	bad.Header.Set("Authorization", regexp.MustCompile(`nc=[0-9a-f]{8}`).ReplaceAllString(bad.Header.Get("Authorization"), "nc=5"))
	if _, err := a.Check(bad); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("got %v for a malformed nc, want ErrBadCredentials", err)
	}

	// After 5 minutes the nonce is stale: the right answer gets stale=true, a wrong one does not.
	clk.Add(nonceTTL + time.Second)
	_, err := a.Check(req(good, nonce, "/cgi-bin/currentpic.cgi?x=1"))
	if !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("got %v for a stale nonce, want ErrBadCredentials", err)
	}
	ch := challenge(t, a, err)
	if ch["stale"] != "true" {
		t.Errorf("got challenge %v, want stale=true", ch)
	}
	if got, err := a.Check(req(good, ch["nonce"], "/cgi-bin/currentpic.cgi?x=1")); err != nil || got != want {
		t.Errorf("with the new nonce: got %+v, %v; want %+v", got, err, want)
	}
	_, err = a.Check(req(&digestClient{user: "cam", password: "wrong password", qop: true}, nonce, "/cgi-bin/currentpic.cgi?x=1"))
	if ch := challenge(t, a, err); ch["stale"] != "" {
		t.Errorf("got stale=%q for a wrong password with a stale nonce, want no stale", ch["stale"])
	}
}

func TestDigestParams(t *testing.T) {
	for name, c := range map[string]struct {
		in   string
		want map[string]string
	}{
		"quoted and token": {`username="a\"b", nc=00000001 ,qop=auth`, map[string]string{"username": `a"b`, "nc": "00000001", "qop": "auth"}},
		"case":             {`UserName="x"`, map[string]string{"username": "x"}},
		"comma in quotes":  {`uri="/a,b", realm="freecam"`, map[string]string{"uri": "/a,b", "realm": "freecam"}},
		"unterminated":     {`username="x`, nil},
		"duplicate":        {`nonce="a", nonce="b"`, nil},
		"junk after":       {`nonce="a" b`, nil},
		"no value":         {`nonce`, nil},
	} {
		t.Run(name, func(t *testing.T) {
			got, ok := digestParams(c.in)
			if ok != (c.want != nil) || fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got %v, %v; want %v", got, ok, c.want)
			}
		})
	}
}

func FuzzDigestParams(f *testing.F) {
	f.Add(`username="a\"b", nc=00000001 ,qop=auth, uri="/x?y=1,2"`)
	f.Add(`realm="freecam", response="0123456789abcdef0123456789abcdef"`)
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := digestParams(s)
		if ok && p == nil {
			t.Fatal("got ok with a nil map")
		}
		parseDigest(s)
	})
}

func FuzzParseUsers(f *testing.F) {
	f.Add([]byte("# c\nadmin:admin:$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5\n"))
	f.Add([]byte("a:viewer:x:y\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := parseUsers("f", data)
		if err != nil {
			return
		}
		again, err := parseUsers("f", doc.bytes())
		if err != nil {
			t.Fatalf("got %v re-parsing what was written, want nil", err)
		}
		if len(again.accounts()) != len(doc.accounts()) {
			t.Fatalf("got %d accounts after a round trip, want %d", len(again.accounts()), len(doc.accounts()))
		}
	})
}

// A browser's fetch without credentials gets its 401 without a challenge (no native password
// dialog over the page); everything else — curl, ffmpeg, a navigation, a browser sending
// remembered credentials — still gets the Basic and Digest challenges.
func TestChallengeOnlyOutsideBrowserFetches(t *testing.T) {
	a, _ := newTestAuth(t, "")
	mustSet(t, a, "admin", Admin, "admin password", false)
	mustSet(t, a, "cam", Viewer, "cam password", true)
	for name, c := range map[string]struct {
		hdr  map[string]string
		want int // WWW-Authenticate headers
	}{
		"curl":                        {nil, 2},
		"navigation":                  {map[string]string{"Sec-Fetch-Mode": "navigate"}, 2},
		"fetch":                       {map[string]string{"Sec-Fetch-Mode": "cors"}, 0},
		"same-origin fetch":           {map[string]string{"Sec-Fetch-Mode": "same-origin"}, 0},
		"img":                         {map[string]string{"Sec-Fetch-Mode": "no-cors"}, 0},
		"fetch with remembered basic": {map[string]string{"Sec-Fetch-Mode": "cors", "Authorization": "Basic YTpi"}, 2},
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/v1/update", nil)
			for k, v := range c.hdr {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			a.Challenge(w, r, ErrNoCredentials)
			got := w.Result().Header.Values("WWW-Authenticate")
			if w.Code != 401 || len(got) != c.want {
				t.Errorf("got %d with challenges %q, want 401 with %d", w.Code, got, c.want)
			}
			if c.want > 0 && !strings.HasPrefix(got[0], "Basic ") {
				t.Errorf("got first challenge %q, want Basic", got[0])
			}
		})
	}
}

// The API's errors are JSON, as docs/api.md promises; the firmware's URLs and the pages keep
// plain text.
func TestChallengeBody(t *testing.T) {
	a, _ := newTestAuth(t, "")
	for name, c := range map[string]struct {
		path, ctype, body string
		err               error
		code              int
	}{
		"api 401":  {"/api/v1/status", "application/json", `{"error":"authentication required"}`, ErrNoCredentials, 401},
		"api 429":  {"/api/v1/status", "application/json", `{"error":"too many failed logins: wait and try again"}`, &ThrottledError{Wait: time.Second}, 429},
		"cgi 401":  {"/cgi-bin/currentpic.cgi", "text/plain; charset=utf-8", "authentication required", ErrNoCredentials, 401},
		"page 429": {"/live", "text/plain; charset=utf-8", "too many failed logins: wait and try again", &ThrottledError{Wait: time.Second}, 429},
	} {
		t.Run(name, func(t *testing.T) {
			w := httptest.NewRecorder()
			a.Challenge(w, httptest.NewRequest("GET", c.path, nil), c.err)
			if w.Code != c.code || w.Header().Get("Content-Type") != c.ctype || strings.TrimSpace(w.Body.String()) != c.body {
				t.Errorf("got %d %q %q, want %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body.String(), c.code, c.ctype, c.body)
			}
		})
	}
}
