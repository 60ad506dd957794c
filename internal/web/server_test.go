package web

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera/camtest"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/testutil"
	"github.com/freecam/freecam/internal/web/auth"
	"github.com/freecam/freecam/internal/web/tlscert"
)

// testServer is a real web server on loopback (HTTPS with a generated certificate, the redirect
// listener) in front of the fake camera, with a real users file.
type testServer struct {
	srv       *Server
	cam       *camtest.Camera
	auth      *auth.Authenticator
	dir       string
	adminPass string
	base      string // https://127.0.0.1:PORT
}

func newTestServer(t testing.TB, anonymousSnapshots bool) *testServer {
	t.Helper()
	return newTestServerWith(t, Options{AnonymousSnapshots: anonymousSnapshots})
}

// newTestServerWith is newTestServer with more options (Camera, Auth, Certs and the addresses
// are filled in).
func newTestServerWith(t testing.TB, opts Options) *testServer {
	t.Helper()
	dir := t.TempDir()
	if _, err := conf.EnsureFiles(dir); err != nil {
		t.Fatal(err)
	}
	cam, err := camtest.NewIn(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(auth.Options{ConfigDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	pass, created, err := a.EnsureAdmin()
	if err != nil || !created {
		t.Fatalf("EnsureAdmin: created %v, err %v", created, err)
	}
	if err := a.SetPassword("viewer", auth.Viewer, "viewer-pass-1", false); err != nil {
		t.Fatal(err)
	}
	certs, err := tlscert.New(tlscert.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	opts.Camera, opts.Auth, opts.Certs, opts.HTTPSListen, opts.HTTPListen = cam, a, certs, "127.0.0.1:0", "127.0.0.1:0"
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop(t.Context()) })
	return &testServer{srv: srv, cam: cam, auth: a, dir: dir, adminPass: pass, base: "https://" + srv.HTTPSAddr()}
}

func client() *http.Client {
	return &http.Client{
		Timeout:       10 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// do sends a request; user "" sends no credentials. It returns the status and body.
func (ts *testServer) do(t *testing.T, method, path, user, pass string, body io.Reader, hdr map[string]string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, ts.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// Every route — pages, static files, API, pictures, CGI, media, thumbnails, unknown paths — asks
// for an account, and nothing happens to the camera on the way.
func TestEveryRouteNeedsAnAccount(t *testing.T) {
	ts := newTestServer(t, false)
	paths := []string{"/", "/live", "/camera", "/motion", "/notifications", "/storage", "/services", "/system",
		"/events", "/logs", "/static/app.css", "/static/app.js", "/api/v1/status", "/api/v1/settings/motion",
		"/api/v1/users", "/snapshot.jpg", "/mjpeg", "/cgi-bin/currentpic.cgi", "/cgi-bin/downloadpic.cgi",
		"/cgi-bin/state.cgi?cmd=all", "/cgi-bin/action.cgi?cmd=blue_led_on", "/cgi-bin/action.cgi?cmd=reboot",
		"/media/recordings/a.mp4", "/events/x/thumb.jpg", "/no/such/path"}
	for _, p := range paths {
		code, _, hdr := ts.do(t, http.MethodGet, p, "", "", nil, nil)
		if code != http.StatusUnauthorized || !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Basic ") {
			t.Errorf("GET %s without credentials: got %d (WWW-Authenticate %q), want 401 with a Basic challenge", p, code, hdr.Get("WWW-Authenticate"))
		}
		// Wrong passwords soon get throttled (429) instead of checked (401).
		code, _, _ = ts.do(t, http.MethodGet, p, "admin", "wrong-password", nil, nil)
		if code != http.StatusUnauthorized && code != http.StatusTooManyRequests {
			t.Errorf("GET %s with a wrong password: got %d, want 401 or 429", p, code)
		}
	}
	for _, p := range []string{"/api/v1/night", "/api/v1/hardware/blue_led", "/api/v1/restart", "/logout", "/services/rtsp/stop"} {
		if code, _, _ := ts.do(t, http.MethodPost, p, "", "", strings.NewReader("{}"), nil); code != http.StatusUnauthorized {
			t.Errorf("POST %s without credentials: got %d, want 401", p, code)
		}
	}
	if calls := ts.cam.Calls(); len(calls) > 0 {
		t.Errorf("requests without an account changed the camera: %v", calls)
	}
	// A browser opening a page gets the login form instead of the Basic pop-up.
	code, _, hdr := ts.do(t, http.MethodGet, "/motion", "", "", nil, map[string]string{"Accept": "text/html"})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/login?next=%2Fmotion" {
		t.Errorf("browser GET /motion: got %d to %q, want 303 to /login?next=%%2Fmotion", code, hdr.Get("Location"))
	}
}

// Home Assistant's generic camera: Basic on currentpic.cgi. Viewers watch and change nothing.
func TestRolesAndBasicSnapshots(t *testing.T) {
	ts := newTestServer(t, false)
	for _, who := range [][2]string{{"admin", ts.adminPass}, {"viewer", "viewer-pass-1"}} {
		code, body, hdr := ts.do(t, http.MethodGet, "/cgi-bin/currentpic.cgi", who[0], who[1], nil, nil)
		if code != http.StatusOK || hdr.Get("Content-Type") != "image/jpeg" || !bytes.HasPrefix([]byte(body), []byte{0xff, 0xd8}) {
			t.Errorf("%s currentpic.cgi: got %d %s, want a JPEG", who[0], code, hdr.Get("Content-Type"))
		}
	}
	for _, p := range []string{"/cgi-bin/action.cgi?cmd=blue_led_on", "/api/v1/settings/motion", "/api/v1/users", "/api/v1/logs", "/system", "/logs"} {
		if code, _, _ := ts.do(t, http.MethodGet, p, "viewer", "viewer-pass-1", nil, nil); code != http.StatusForbidden {
			t.Errorf("viewer GET %s: got %d, want 403", p, code)
		}
	}
	if code, _, _ := ts.do(t, http.MethodPut, "/api/v1/hardware/blue_led", "viewer", "viewer-pass-1", strings.NewReader(`{"on":true}`), nil); code != http.StatusForbidden {
		t.Errorf("viewer PUT blue_led: got %d, want 403", code)
	}
	if code, _, _ := ts.do(t, http.MethodPut, "/api/v1/hardware/blue_led", "admin", ts.adminPass, strings.NewReader(`{"on":true}`), nil); code != http.StatusOK || !ts.cam.Hardware().BlueLED {
		t.Errorf("admin PUT blue_led: got %d and LED %v, want 200 and on", code, ts.cam.Hardware().BlueLED)
	}
}

func TestAnonymousSnapshotsOnlyWhenTurnedOn(t *testing.T) {
	ts := newTestServer(t, false)
	if code, _, _ := ts.do(t, http.MethodGet, "/snapshot.jpg", "", "", nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("GET /snapshot.jpg anonymously by default: got %d, want 401", code)
	}
	// An admin turns it on in freecam.conf; it applies with the reload, without a restart.
	if _, err := conf.Apply(ts.dir, conf.Edits{conf.FreecamFile: {"SNAPSHOT_ANONYMOUS": "on"}}); err != nil {
		t.Fatal(err)
	}
	if err := ts.cam.Reload(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/snapshot.jpg", "/cgi-bin/currentpic.cgi"} {
		if code, _, _ := ts.do(t, http.MethodGet, p, "", "", nil, nil); code != http.StatusOK {
			t.Errorf("GET %s anonymously with SNAPSHOT_ANONYMOUS=on: got %d, want 200", p, code)
		}
	}
	for _, p := range []string{"/live", "/api/v1/status", "/cgi-bin/action.cgi?cmd=blue_led_on", "/cgi-bin/state.cgi?cmd=all"} {
		if code, _, _ := ts.do(t, http.MethodGet, p, "", "", nil, nil); code != http.StatusUnauthorized {
			t.Errorf("GET %s anonymously with SNAPSHOT_ANONYMOUS=on: got %d, want 401 (only pictures open)", p, code)
		}
	}
}

// 100 wrong passwords in a row: after the first few, the server refuses without checking, and
// the right password waits too.
func TestWrongPasswordsAreThrottled(t *testing.T) {
	ts := newTestServer(t, false)
	var unauthorized, throttled int
	var lockedUntil time.Time // from the last 429's Retry-After
	for i := range 100 {
		code, _, hdr := ts.do(t, http.MethodGet, "/api/v1/status", "admin", fmt.Sprintf("guess-%d", i), nil, nil)
		switch code {
		case http.StatusUnauthorized:
			unauthorized++
		case http.StatusTooManyRequests:
			throttled++
			secs, err := strconv.Atoi(hdr.Get("Retry-After"))
			if err != nil || secs < 1 {
				t.Fatalf("got 429 with Retry-After %q, want whole seconds", hdr.Get("Retry-After"))
			}
			// Retry-After is rounded up: the lock lasts at least secs-1 seconds from now.
			lockedUntil = time.Now().Add(time.Duration(secs-1) * time.Second)
		default:
			t.Fatalf("wrong password %d: got %d", i, code)
		}
	}
	if throttled < 90 {
		t.Errorf("got %d of 100 wrong passwords throttled (%d checked), want at least 90", throttled, unauthorized)
	}
	// The right password is refused too while the lock lasts. Keep guessing until a lock of at
	// least 2 s is announced (the delays grow 1 s, 2 s, 4 s …), so that the check below is made
	// well inside it even on a loaded machine.
	deadline := time.Now().Add(20 * time.Second)
	for time.Until(lockedUntil) < time.Second && time.Now().Before(deadline) {
		code, _, hdr := ts.do(t, http.MethodGet, "/api/v1/status", "admin", "another-guess", nil, nil)
		if code == http.StatusTooManyRequests { // else the lock had run out: this guess starts a longer one
			secs, _ := strconv.Atoi(hdr.Get("Retry-After"))
			lockedUntil = time.Now().Add(time.Duration(secs-1) * time.Second)
		}
	}
	if code, _, _ := ts.do(t, http.MethodGet, "/api/v1/status", "admin", ts.adminPass, nil, nil); code != http.StatusTooManyRequests {
		t.Errorf("right password while throttled (lock announced until %s): got %d, want 429", lockedUntil.Format("15:04:05.000"), code)
	}
	// The login form is throttled by the same counts.
	form := url.Values{"name": {"admin"}, "password": {ts.adminPass}}
	if code, _, _ := ts.do(t, http.MethodPost, "/login", "", "", strings.NewReader(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); code != http.StatusTooManyRequests {
		t.Errorf("login form while throttled: got %d, want 429", code)
	}
}

// login logs in through the form and returns a client with the session cookie and the CSRF token
// of the pages.
func (ts *testServer) login(t *testing.T) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := client()
	c.Jar = jar
	resp, err := c.PostForm(ts.base+"/login", url.Values{"name": {"admin"}, "password": {ts.adminPass}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: got %d, want 303", resp.StatusCode)
	}
	resp, err = c.Get(ts.base + "/live")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field on /live (status %d)", resp.StatusCode)
	}
	return c, string(m[1])
}

func TestCrossSiteRequestsAreRefused(t *testing.T) {
	ts := newTestServer(t, false)
	ts.cam.SetHardware(func() hal.State { h := ts.cam.Hardware(); h.BlueLED, h.YellowLED = false, false; return h }())
	c, csrf := ts.login(t)
	post := func(path string, hdr map[string]string) int {
		req, _ := http.NewRequest(http.MethodPut, ts.base+path, strings.NewReader(`{"on":true}`))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	evil := map[string]string{"X-CSRF-Token": csrf, "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
	if code := post("/api/v1/hardware/blue_led", evil); code != http.StatusForbidden {
		t.Errorf("cross-origin PUT with the session: got %d, want 403", code)
	}
	if code := post("/api/v1/hardware/blue_led", map[string]string{"Sec-Fetch-Site": "same-origin"}); code != http.StatusForbidden {
		t.Errorf("session PUT without the CSRF token: got %d, want 403", code)
	}
	if ts.cam.Hardware().BlueLED {
		t.Fatalf("a refused request turned the LED on")
	}
	// An upload carries the token in the header: a multipart body is never parsed to look for
	// it (that would spool the body to disk before any size limit).
	multipart := "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf + "\r\n--b--\r\n"
	req, _ := http.NewRequest(http.MethodPut, ts.base+"/api/v1/hardware/blue_led", strings.NewReader(multipart))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("session multipart PUT with the token only in the body: got %d, want 403", resp.StatusCode)
	}
	if code := post("/api/v1/hardware/blue_led", map[string]string{"X-CSRF-Token": csrf, "Sec-Fetch-Site": "same-origin", "Origin": ts.base}); code != http.StatusOK {
		t.Errorf("same-origin PUT with the token: got %d, want 200", code)
	}
	// The firmware's GET-with-side-effects, from another site's <img>, with remembered Basic
	// credentials: refused.
	code, _, _ := ts.do(t, http.MethodGet, "/cgi-bin/action.cgi?cmd=yellow_led_on", "admin", ts.adminPass, nil,
		map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"})
	if code != http.StatusForbidden || ts.cam.Hardware().YellowLED {
		t.Errorf("cross-site action.cgi: got %d, LED %v; want 403 and the LED off", code, ts.cam.Hardware().YellowLED)
	}
	// A cross-origin form POST to the login form is refused too.
	code, _, _ = ts.do(t, http.MethodPost, "/login", "", "", strings.NewReader("name=admin&password=x"),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
	if code != http.StatusForbidden {
		t.Errorf("cross-site POST /login: got %d, want 403", code)
	}
}

// rawGet sends a request line exactly as given (no client-side path cleaning).
func (ts *testServer) rawGet(t *testing.T, target string, user, pass string) int {
	t.Helper()
	conn, err := tls.Dial("tcp", ts.srv.HTTPSAddr(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
	if user != "" {
		req += "Authorization: Basic " + basic(user, pass) + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var status int
	if _, err := fmt.Fscanf(conn, "HTTP/1.1 %d", &status); err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	rest, _ := io.ReadAll(conn)
	if strings.Contains(string(rest), "root:") || strings.Contains(string(rest), "package web") || strings.Contains(string(rest), "$argon2id$") {
		t.Errorf("GET %s leaked a file outside the served directory", target)
	}
	return status
}

func basic(user, pass string) string {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(user, pass)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

func TestPathTraversalIsRefusedOnEveryFileRoute(t *testing.T) {
	ts := newTestServer(t, false)
	media := t.TempDir()
	os.WriteFile(filepath.Join(media, "clip.mp4"), []byte("not really a clip"), 0o644)
	os.Symlink(filepath.Join(ts.dir, "freecam.users"), filepath.Join(media, "users.mp4"))
	os.Symlink("/etc", filepath.Join(media, "etc"))
	ts.cam.SetMediaDir(media)

	if code := ts.rawGet(t, "/media/recordings/clip.mp4", "admin", ts.adminPass); code != http.StatusOK {
		t.Fatalf("GET a real clip: got %d, want 200", code)
	}
	for _, target := range []string{
		"/media/recordings/../freecam.users", "/media/recordings/..%2ffreecam.users", "/media/recordings/%2e%2e/%2e%2e/etc/passwd",
		"/media/recordings/..%5c..%5cetc%5cpasswd", "/media/recordings/users.mp4", "/media/recordings/etc/passwd",
		"/media/recordings//etc/passwd", "/media/recordings/%2fetc%2fpasswd", "/media/..%2frecordings/clip.mp4",
		"/media/../etc/passwd", "/media/nosuchroot/clip.mp4", "/events/..%2f..%2ffreecam.users/thumb.jpg", "/events/../../etc/passwd",
		"/static/../server.go", "/static/..%2fserver.go", "/static/%2e%2e/%2e%2e/etc/passwd",
		"/cgi-bin/../../etc/passwd", "/cgi-bin/..%2f..%2fetc%2fpasswd",
	} {
		if code := ts.rawGet(t, target, "admin", ts.adminPass); code == http.StatusOK {
			t.Errorf("GET %s: got 200, want it refused", target)
		}
	}
}

// Secrets set in the files never come back from the API, in any setting page or list.
func TestSecretsNeverInAPIResponses(t *testing.T) {
	ts := newTestServer(t, false)
	const secret = "Sup3rSecretValue"
	if _, err := conf.Apply(ts.dir, conf.Edits{
		conf.MotionFile:     {"ftp_password": secret, "smb_password": secret, "dropbox_token": secret},
		conf.RTSPServerFile: {"USERNAME": "cam", "USERPASSWORD": secret},
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/api/v1/settings/camera", "/api/v1/settings/motion", "/api/v1/settings/notifications",
		"/api/v1/settings/storage", "/api/v1/settings/system", "/api/v1/users", "/api/v1/status", "/api/v1/me"} {
		code, body, _ := ts.do(t, http.MethodGet, p, "admin", ts.adminPass, nil, nil)
		if code != http.StatusOK {
			t.Errorf("GET %s: got %d", p, code)
		}
		for _, leak := range []string{secret, ts.adminPass, "$argon2id$", "viewer-pass-1"} {
			if strings.Contains(body, leak) {
				t.Errorf("GET %s: the response contains a secret (%.6s…)", p, leak)
			}
		}
	}
	_, body, _ := ts.do(t, http.MethodGet, "/api/v1/settings/storage", "admin", ts.adminPass, nil, nil)
	if !strings.Contains(body, `"set": true`) {
		t.Errorf("the storage settings do not say that the FTP password is set:\n%.400s", body)
	}
}

// A refused value writes nothing; a hostile value is stored so that sh reads it literally.
func TestAPISettingsValidateAndQuote(t *testing.T) {
	ts := newTestServer(t, false)
	path := filepath.Join(ts.dir, conf.MotionFile)
	before, _ := os.ReadFile(path)
	code, body, _ := ts.do(t, http.MethodPut, "/api/v1/settings/motion", "admin", ts.adminPass,
		strings.NewReader(`{"motion.conf/motion_sensitivity": "loud", "motion.conf/motion_fps": 3}`), nil)
	var refused struct{ Fields map[string]string }
	json.Unmarshal([]byte(body), &refused)
	if code != http.StatusUnprocessableEntity || refused.Fields["motion.conf/motion_sensitivity"] == "" {
		t.Errorf("bad sensitivity: got %d %s, want 422 naming motion.conf/motion_sensitivity", code, body)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Errorf("a refused save changed motion.conf")
	}

	code, body, _ = ts.do(t, http.MethodPut, "/api/v1/settings/motion", "admin", ts.adminPass,
		strings.NewReader(`{"motion.conf/motion_sensitivity": 4}`), nil)
	cfg, _, err := conf.Load(ts.dir)
	if code != http.StatusOK || err != nil || cfg.Motion.Sensitivity != 4 || !cfg.Motion.Detection {
		t.Errorf("save sensitivity 4: got %d %.200s, config %+v (err %v); want 4 with detection still on", code, body, cfg.Motion, err)
	}

	hostile := `x"; reboot; "`
	code, body, _ = ts.do(t, http.MethodPut, "/api/v1/settings/storage", "admin", ts.adminPass,
		strings.NewReader(`{"motion.conf/ftp_host": `+jsonString(hostile)+`}`), nil)
	if code != http.StatusOK {
		t.Fatalf("save ftp_host: got %d %s", code, body)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	out, err := exec.Command(sh, "-c", `. "$1" && printf %s "$ftp_host"`, "sh", path).Output()
	if err != nil || string(out) != hostile {
		t.Errorf("sh read ftp_host as %q (err %v), want %q exactly", out, err, hostile)
	}
	if n := len(ts.cam.Calls()); n == 0 {
		t.Errorf("saving did not reload the camera")
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestPlainHTTPOnlyRedirects(t *testing.T) {
	ts := newTestServer(t, false)
	_, httpsPort, _ := net.SplitHostPort(ts.srv.HTTPSAddr())
	req, _ := http.NewRequest(http.MethodGet, "http://"+ts.srv.HTTPAddr()+"/cgi-bin/currentpic.cgi?x=1", nil)
	req.SetBasicAuth("admin", ts.adminPass)
	resp, err := client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := "https://127.0.0.1:" + httpsPort + "/cgi-bin/currentpic.cgi?x=1"
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want || bytes.Contains(body, []byte{0xff, 0xd8}) {
		t.Errorf("plain HTTP: got %d to %q, want 301 to %q and no picture", resp.StatusCode, resp.Header.Get("Location"), want)
	}
}

// ONVIF is served on plain HTTP and HTTPS by its own handler (which checks WS-Security itself);
// every other plain-HTTP path still only redirects.
func TestONVIFOnBothListeners(t *testing.T) {
	onvif := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/soap+xml")
		io.WriteString(w, "onvif "+r.URL.Path)
	})
	ts := newTestServerWith(t, Options{ONVIF: onvif})
	for _, base := range []string{"http://" + ts.srv.HTTPAddr(), ts.base} {
		resp, err := client().Post(base+"/onvif/device_service", "application/soap+xml", strings.NewReader("<x/>"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != "onvif /onvif/device_service" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s/onvif/device_service: got %d %q, want the ONVIF handler with the security headers", base, resp.StatusCode, body)
		}
	}
	resp, err := client().Get("http://" + ts.srv.HTTPAddr() + "/snapshot.jpg")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently {
		t.Errorf("plain /snapshot.jpg with ONVIF on: got %d, want 301 to HTTPS", resp.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := newTestServer(t, false)
	for _, p := range []string{"/login", "/api/v1/status", "/no/such"} {
		_, _, hdr := ts.do(t, http.MethodGet, p, "admin", ts.adminPass, nil, nil)
		for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if got := hdr.Get(k); got != want {
				t.Errorf("GET %s: %s is %q, want %q", p, k, got, want)
			}
		}
		if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: CSP %q, want default-src 'self' and nothing inline", p, csp)
		}
	}
}

// HTTP Digest from a real client (curl --digest) for an account that opted in; an account that
// did not is refused.
func TestCurlDigest(t *testing.T) {
	testutil.Need(t, "curl")
	ts := newTestServer(t, false)
	if err := ts.auth.SetPassword("digestor", auth.Viewer, "digest-pass-1", true); err != nil {
		t.Fatal(err)
	}
	curl := func(user, pass string) string {
		out, _ := exec.Command("curl", "-sk", "--noproxy", "*", "--digest", "-u", user+":"+pass, "-o", "/dev/null",
			"-w", "%{http_code}", ts.base+"/cgi-bin/currentpic.cgi").Output()
		return string(out)
	}
	if got := curl("digestor", "digest-pass-1"); got != "200" {
		t.Errorf("curl --digest with an opted-in account: got %s, want 200", got)
	}
	if got := curl("digestor", "wrong-pass-1"); got != "401" {
		t.Errorf("curl --digest with a wrong password: got %s, want 401", got)
	}
	if got := curl("viewer", "viewer-pass-1"); got != "401" {
		t.Errorf("curl --digest for an account without Digest: got %s, want 401", got)
	}
}

// The System page's poll after freecam restarted into a new version (its session ended with the
// old process): a browser's fetch gets 401 without a challenge, so no native password dialog
// opens over the page; curl and a CGI URL opened in a tab still get the Basic challenge.
func TestNoChallengeForABrowsersFetch(t *testing.T) {
	ts := newTestServer(t, false)
	for _, c := range []struct {
		path      string
		hdr       map[string]string
		challenge bool
	}{
		{"/api/v1/update", map[string]string{"Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin", "Accept": "application/json"}, false},
		{"/api/v1/status", map[string]string{"Sec-Fetch-Mode": "same-origin", "Sec-Fetch-Site": "same-origin"}, false},
		{"/snapshot.jpg", map[string]string{"Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Site": "same-origin"}, false},
		{"/api/v1/update", nil, true}, // curl, Home Assistant
		{"/cgi-bin/currentpic.cgi", map[string]string{"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none"}, true},
		{"/mjpeg", map[string]string{"User-Agent": "Lavf/61.7.100"}, true}, // ffmpeg
	} {
		code, _, hdr := ts.do(t, http.MethodGet, c.path, "", "", nil, c.hdr)
		got := hdr.Get("WWW-Authenticate")
		if code != http.StatusUnauthorized || (got != "") != c.challenge {
			t.Errorf("GET %s with %v: got %d, WWW-Authenticate %q; want 401, challenge %v", c.path, c.hdr, code, got, c.challenge)
		}
	}
}

// Auth errors under /api/ are {"error": …} as application/json, as docs/api.md says; the
// firmware's URLs keep plain text.
func TestAuthErrorsAreJSONUnderAPI(t *testing.T) {
	ts := newTestServer(t, false)
	c, _ := ts.login(t)
	for _, tc := range []struct {
		name, method, path, user, pass string
		hdr                            map[string]string
		code                           int
		json                           bool
		msg                            string
	}{
		{"no account", "GET", "/api/v1/status", "", "", nil, 401, true, "authentication required"},
		{"viewer", "GET", "/api/v1/users", "viewer", "viewer-pass-1", nil, 403, true, "forbidden: this needs an admin account"},
		{"cross-site", "GET", "/api/v1/status", "viewer", "viewer-pass-1", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, true, "cross-site request refused"},
		{"cross-origin", "PUT", "/api/v1/hardware/blue_led", "admin", ts.adminPass, map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, 403, true, ""},
		{"cgi no account", "GET", "/cgi-bin/currentpic.cgi", "", "", nil, 401, false, "authentication required"},
		{"cgi viewer", "GET", "/cgi-bin/action.cgi?cmd=blue_led_on", "viewer", "viewer-pass-1", nil, 403, false, "forbidden: this needs an admin account"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, hdr := ts.do(t, tc.method, tc.path, tc.user, tc.pass, strings.NewReader(`{"on":true}`), tc.hdr)
			ct := hdr.Get("Content-Type")
			if code != tc.code {
				t.Fatalf("got %d, want %d", code, tc.code)
			}
			if !tc.json {
				if !strings.HasPrefix(ct, "text/plain") || strings.TrimSpace(body) != tc.msg {
					t.Errorf("got %q %q, want text/plain %q", ct, body, tc.msg)
				}
				return
			}
			var e struct{ Error string }
			if err := json.Unmarshal([]byte(body), &e); ct != "application/json" || err != nil || e.Error == "" || (tc.msg != "" && e.Error != tc.msg) {
				t.Errorf("got %q %q, want application/json {\"error\": %q}", ct, body, tc.msg)
			}
		})
	}
	// A session without the CSRF token.
	req, _ := http.NewRequest(http.MethodPut, ts.base+"/api/v1/hardware/blue_led", strings.NewReader(`{"on":true}`))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct{ Error string }
	if err := json.NewDecoder(resp.Body).Decode(&e); resp.StatusCode != 403 || resp.Header.Get("Content-Type") != "application/json" || err != nil ||
		!strings.Contains(e.Error, "CSRF") {
		t.Errorf("session PUT without CSRF: got %d %q %q (%v), want 403 JSON naming the CSRF token", resp.StatusCode, resp.Header.Get("Content-Type"), e.Error, err)
	}
}
