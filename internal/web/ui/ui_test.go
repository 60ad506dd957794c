package ui

import (
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
	"github.com/freecam/freecam/internal/service"
	"github.com/freecam/freecam/internal/web/auth"
	"github.com/freecam/freecam/internal/web/settings"
)

func adminPages() []string {
	return []string{"/camera", "/motion", "/notifications", "/storage", "/services", "/system", "/logs"}
}

func TestPagesRender(t *testing.T) {
	e := newEnv(t)
	e.cam.AddEvent(camera.Event{ID: "clip-2", Kind: "motion", Time: time.Now(), Text: "person at the door", Clip: "recordings/2024-05-01/12/clip 1.mp4"}, nil)
	e.cam.SetDeliveries([]deliver.Status{{Target: "smb", Queued: 3, Delivered: 7, LastError: "dial tcp: connection refused", LastErrorAt: time.Now()}})
	tests := []struct {
		path string
		want []string
	}{
		{"/login", []string{`id="login"`, `name="name"`, `name="password"`}},
		{"/live", []string{`id="live-img"`, `src="/static/live.js"`, `id="sw-blue_led"`, `id="ptz-left"`, `id="night-auto"`, "rtsp://camtest:8554/unicast"}},
		{"/camera", []string{`id="f-rtspserver.conf-BITRATE"`, `name="rtspserver.conf/RTSPOPTS-W" value="1280"`, `id="f-osd.conf-OSD"`, `id="save"`}},
		{"/motion", []string{`id="roi-canvas" width="1280" height="720"`, `id="roi-value"`, `id="motion-save"`, `id="f-motion.conf-motion_sensitivity"`, `src="/static/roi.js"`}},
		{"/notifications", []string{`name="mqtt.conf/HOST"`, `name="motion.conf/send_email"`, `name="telegram.conf/apiToken"`}},
		{"/storage", []string{`name="recording.conf/MAX_DAYS"`, `name="motion.conf/ftp_host"`, `id="delivery-smb"`, "<td>3</td><td>7</td>", "connection refused"}},
		{"/services", []string{`id="svc-rtsp-state"`, `id="svc-motion-start"`, `id="svc-rtsp-disable"`, `id="svc-motion-enable"`}},
		{"/system", []string{`id="version">test-1`, `id="restart"`, `id="user-admin-password"`, `id="update-check"`, `name="freecam.conf/LOG_LEVEL"`}},
		{"/events", []string{`src="/events/ev-1/thumb.jpg"`, "person at the door", `src="/media/recordings/2024-05-01/12/clip%201.mp4"`}},
		{"/logs", []string{"freecam started", `class="lvl-info"`}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			code, body := e.get(t, tt.path)
			if code != http.StatusOK {
				t.Fatalf("GET %s: got %d, want 200\n%s", tt.path, code, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s: no %q in the page", tt.path, w)
				}
			}
			if tt.path != "/login" {
				if !strings.Contains(body, `name="csrf" value="`+testCSRF+`"`) {
					t.Errorf("GET %s: the logout form has no csrf field", tt.path)
				}
				if n, m := strings.Count(body, "<form"), strings.Count(body, `name="csrf"`); n != m {
					t.Errorf("GET %s: got %d forms and %d csrf fields, want one per form", tt.path, n, m)
				}
			}
		})
	}
}

func TestViewerGetsNoAdminPage(t *testing.T) {
	e := newEnv(t)
	e.role = auth.Viewer
	for _, p := range adminPages() {
		if code, _ := e.get(t, p); code != http.StatusForbidden {
			t.Errorf("viewer GET %s: got %d, want 403", p, code)
		}
	}
	for _, p := range []string{"/motion", "/live/switch", "/services/rtsp/stop", "/system/restart"} {
		if res, _ := e.post(t, p, url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Errorf("viewer POST %s: got %d, want 403", p, res.StatusCode)
		}
	}
	for _, p := range []string{"/live", "/events", "/events/ev-1/thumb.jpg"} {
		if code, _ := e.get(t, p); code != http.StatusOK {
			t.Errorf("viewer GET %s: got %d, want 200", p, code)
		}
	}
	_, body := e.get(t, "/live")
	if strings.Contains(body, `action="/live/switch"`) || strings.Contains(body, `href="/system"`) {
		t.Errorf("viewer's live page shows admin controls or links")
	}
	if len(e.cam.Calls()) != 0 {
		t.Errorf("a viewer's requests changed something: %v", e.cam.Calls())
	}
}

// motionForm is what the Motion page submits when nothing is changed.
func motionForm(e *env) url.Values {
	form := url.Values{}
	secs := settings.Page("motion")
	vals := settings.Values(e.dir, secs)
	for _, s := range secs {
		form.Set(settings.SectionMarker(s), "1")
		for _, f := range s.Fields {
			switch {
			case f.IsSecret():
			case f.Kind == settings.KindBool:
				if f.On(vals[f.Name()]) {
					form.Set(f.Name(), f.OnWord())
				}
			default:
				form.Set(f.Name(), vals[f.Name()])
			}
		}
	}
	return form
}

func TestSaveMotionWritesMotionConf(t *testing.T) {
	e := newEnv(t)
	form := motionForm(e)
	form.Set("motion.conf/motion_sensitivity", "4")
	form.Del("motion.conf/motion_detection") // unchecked
	res, body := e.post(t, "/motion", form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/motion?done=saved" {
		t.Fatalf("POST /motion: got %d to %q, want 303 to /motion?done=saved\n%s", res.StatusCode, res.Header.Get("Location"), body)
	}
	mc := e.file(t, "motion.conf")
	for _, want := range []string{"\nmotion_sensitivity=4\n", "\nmotion_detection=off\n"} {
		if !strings.Contains(mc, want) {
			t.Errorf("motion.conf has no %q:\n%s", strings.TrimSpace(want), mc)
		}
	}
	if !hasCall(e.cam.Calls(), "Reload") {
		t.Errorf("calls %v: want a Reload after saving", e.cam.Calls())
	}
	if e.cam.Config().Motion.Sensitivity != 4 {
		t.Errorf("after reload: got sensitivity %d, want 4", e.cam.Config().Motion.Sensitivity)
	}
	if _, body := e.get(t, "/motion?done=saved"); !strings.Contains(body, `id="flash">Saved.`) {
		t.Errorf("the page after saving does not say saved")
	}
}

func TestRefusedValueIsShownAndNothingWritten(t *testing.T) {
	e := newEnv(t)
	before := e.file(t, "motion.conf")
	form := motionForm(e)
	form.Set("motion.conf/motion_sensitivity", "4")
	form.Set("motion.conf/motion_fps", "500")
	res, body := e.post(t, "/motion", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("POST /motion: got %d, want 422", res.StatusCode)
	}
	for _, want := range []string{
		`id="f-motion.conf-motion_fps-error">must be from 1 to 60`,
		`name="motion.conf/motion_fps" value="500"`, // the submitted value is shown again
		`<option value="4" selected>`,
		"Nothing was saved",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused page has no %q", want)
		}
	}
	if got := e.file(t, "motion.conf"); got != before {
		t.Errorf("motion.conf changed although the save was refused")
	}
	if hasCall(e.cam.Calls(), "Reload") {
		t.Errorf("a refused save reloaded the camera")
	}

	// A value only the whole configuration refuses (not a multicast address) is named too.
	res, body = e.post(t, "/camera", url.Values{"rtspserver.conf/MULTICASTDEST": {"10.1.1.1:5000"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-rtspserver.conf-MULTICASTDEST-error">`) {
		t.Errorf("POST /camera with a unicast destination: got %d without the field's message, want 422 with it", res.StatusCode)
	}
}

func TestReloadErrorIsShown(t *testing.T) {
	e := newEnv(t)
	e.cam.Fail("Reload", errSentinel("encoder refused the size"))
	res, body := e.post(t, "/camera", url.Values{"rtspserver.conf/BITRATE": {"1234"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "did not apply it: encoder refused the size") {
		t.Errorf("got %d, want 200 with the reload error at the top", res.StatusCode)
	}
	if !strings.Contains(e.file(t, "rtspserver.conf"), "BITRATE=1234") {
		t.Errorf("the value was not saved")
	}
}

type errSentinel string

func (e errSentinel) Error() string { return string(e) }

func TestNoSecretInAnyPage(t *testing.T) {
	e := newEnv(t)
	const secret = "Very-Secret-9f3a"
	if _, err := conf.Apply(e.dir, conf.Edits{
		"rtspserver.conf": {"USERNAME": "rtspuser", "USERPASSWORD": secret},
		"motion.conf":     {"ftp_password": secret, "smb_password": secret, "dropbox_token": secret},
		"mqtt.conf":       {"PASS": secret},
		"sendmail.conf":   {"PASS": secret},
		"telegram.conf":   {"apiToken": secret},
		"matrix.conf":     {"access_token": secret},
	}); err != nil {
		t.Fatal(err)
	}
	pages := append([]string{"/live", "/events", "/login"}, adminPages()...)
	for _, p := range pages {
		code, body := e.get(t, p)
		if code != http.StatusOK {
			t.Errorf("GET %s: got %d", p, code)
		}
		if strings.Contains(body, secret) {
			t.Errorf("GET %s: the page contains a secret", p)
		}
	}
	_, body := e.get(t, "/camera")
	if !strings.Contains(body, `id="f-rtspserver.conf-USERPASSWORD-clear"`) {
		t.Errorf("a set secret has no clear box")
	}
	// A refused save does not echo a submitted secret either.
	res, body := e.post(t, "/storage", url.Values{"motion.conf/ftp_password": {"Other-Secret-77"}, "motion.conf/ftp_port": {"0"}})
	if res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, "Other-Secret-77") {
		t.Errorf("refused save: got %d, secret echoed %v; want 422 and no echo", res.StatusCode, strings.Contains(body, "Other-Secret-77"))
	}
}

var roiValue = regexp.MustCompile(`id="roi-value" name="motion.conf/region_of_interest" value="([^"]*)"`)

func TestROIRoundTrip(t *testing.T) {
	e := newEnv(t)
	_, body := e.get(t, "/motion")
	if m := roiValue.FindStringSubmatch(body); m == nil || m[1] != "0,0,0,0" {
		t.Fatalf("initial ROI: got %v, want 0,0,0,0", m)
	}
	const rois = "10,20,300,200,640,360,1280,720"
	form := motionForm(e)
	form.Set("motion.conf/region_of_interest", rois)
	if res, body := e.post(t, "/motion", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /motion: got %d\n%s", res.StatusCode, body)
	}
	if mc := e.file(t, "motion.conf"); !strings.Contains(mc, "region_of_interest="+rois+"\n") {
		t.Errorf("motion.conf: no region_of_interest=%s", rois)
	}
	_, body = e.get(t, "/motion")
	if m := roiValue.FindStringSubmatch(body); m == nil || m[1] != rois {
		t.Errorf("ROI after saving: got %v, want %s", m, rois)
	}
	if n := len(e.cam.Config().Motion.Regions); n != 2 {
		t.Errorf("regions loaded after reload: got %d, want 2", n)
	}
}

func TestServiceActions(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		path string
		code int
		call string
	}{
		{"/services/motion/start", http.StatusSeeOther, "ServiceControl motion start"},
		{"/services/rtsp/stop", http.StatusSeeOther, "ServiceControl rtsp stop"},
		{"/services/mqtt/enable", http.StatusSeeOther, "ServiceControl mqtt enable"},
		{"/services/rtsp/explode", http.StatusBadRequest, ""},
		{"/services/nope/start", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			n := len(e.cam.Calls())
			res, _ := e.post(t, tt.path, url.Values{})
			if res.StatusCode != tt.code {
				t.Fatalf("got %d, want %d", res.StatusCode, tt.code)
			}
			calls := e.cam.Calls()[n:]
			if tt.call == "" && len(calls) > 0 || tt.call != "" && !hasCall(calls, tt.call) {
				t.Errorf("calls: got %v, want %q", calls, tt.call)
			}
		})
	}
	states := map[string]service.Info{}
	for _, s := range e.cam.Services() {
		states[s.Name] = s
	}
	if states["motion"].State != service.Running || states["rtsp"].State != service.Stopped || !states["mqtt"].Autostart {
		t.Errorf("service states after the actions: %+v", states)
	}
	_, body := e.get(t, "/services")
	if !strings.Contains(body, `id="svc-motion-state" class="state-running">running`) {
		t.Errorf("services page does not show motion running")
	}
	e.cam.Fail("ServiceControl", errSentinel("it broke"))
	if res, body := e.post(t, "/services/motion/stop", url.Values{}); res.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "it broke") {
		t.Errorf("failing action: got %d, want 500 with the error shown", res.StatusCode)
	}
}

func TestThumbnails(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		path string
		code int
	}{
		{"/events/ev-1/thumb.jpg", http.StatusOK},
		{"/events/ev-9/thumb.jpg", http.StatusNotFound},
		{"/events/EV-1/thumb.jpg", http.StatusBadRequest},
		{"/events/ev_1/thumb.jpg", http.StatusBadRequest},
		{"/events/..%2f..%2fetc/thumb.jpg", http.StatusBadRequest},
		{"/events/%2e%2e/thumb.jpg", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := e.do(t, "GET", tt.path, nil)
			if res.StatusCode != tt.code {
				t.Fatalf("got %d, want %d", res.StatusCode, tt.code)
			}
			if tt.code == http.StatusOK && res.Header.Get("Content-Type") != "image/jpeg" {
				t.Errorf("Content-Type: got %q, want image/jpeg", res.Header.Get("Content-Type"))
			}
		})
	}
}

// Nothing the pages load may come from outside the camera.
func TestNoExternalURLs(t *testing.T) {
	ext := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}|https?://`)
	n := 0
	for _, fsys := range []fs.FS{templateFS, staticFS} {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			n++
			if m := ext.Find(b); m != nil {
				t.Errorf("%s refers to %q outside the camera", p, m)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 10 {
		t.Errorf("checked %d files, want every template and static file", n)
	}
}

func TestLogin(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, user, pass, next string
		throttle               time.Duration
		code                   int
		where, says            string
	}{
		{"wrong password", "admin", "wrong", "/motion", 0, http.StatusUnauthorized, "", "wrong user name or password"},
		{"throttled", "admin", "right", "", 2500 * time.Millisecond, http.StatusTooManyRequests, "", "too many attempts, try again in 3 s"},
		{"to next", "admin", "right", "/motion?x=1", 0, http.StatusSeeOther, "/motion?x=1", ""},
		{"no next", "admin", "right", "", 0, http.StatusSeeOther, "/live", ""},
		{"other host", "admin", "right", "//evil.example/x", 0, http.StatusSeeOther, "/live", ""},
		{"backslash host", "admin", "right", `/\evil.example`, 0, http.StatusSeeOther, "/live", ""},
		{"absolute URL", "admin", "right", "https://evil.example/", 0, http.StatusSeeOther, "/live", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.auth.mu.Lock()
			e.auth.throttle = tt.throttle
			e.auth.mu.Unlock()
			res := e.do(t, "POST", "/login", url.Values{"name": {tt.user}, "password": {tt.pass}, "next": {tt.next}})
			if res.StatusCode != tt.code {
				t.Fatalf("got %d, want %d", res.StatusCode, tt.code)
			}
			if got := res.Header.Get("Location"); tt.where != "" && got != tt.where {
				t.Errorf("redirect: got %q, want %q", got, tt.where)
			}
			if tt.says != "" {
				b, _ := io.ReadAll(res.Body)
				if !strings.Contains(string(b), tt.says) {
					t.Errorf("page does not say %q", tt.says)
				}
			}
		})
	}
}

func TestLiveControls(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		path string
		form url.Values
		code int
		call string
	}{
		{"/live/switch", url.Values{"switch": {"blue_led"}, "on": {"false"}}, http.StatusSeeOther, "SetSwitch blue_led off"},
		{"/live/switch", url.Values{"switch": {"ir_cut"}, "on": {"true"}}, http.StatusSeeOther, "SetSwitch ir_cut on"},
		{"/live/switch", url.Values{"switch": {"kettle"}, "on": {"true"}}, http.StatusBadRequest, ""},
		{"/live/night", url.Values{"mode": {"night"}}, http.StatusSeeOther, "SetNightMode night"},
		{"/live/night", url.Values{"mode": {"dusk"}}, http.StatusBadRequest, ""},
		{"/live/move", url.Values{"dir": {"left"}}, http.StatusSeeOther, "Move -100 0"},
		{"/live/move", url.Values{"dir": {"up"}}, http.StatusSeeOther, "Move 0 100"},
		{"/live/calibrate", url.Values{}, http.StatusSeeOther, "Calibrate"},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.form.Encode(), func(t *testing.T) {
			n := len(e.cam.Calls())
			res, _ := e.post(t, tt.path, tt.form)
			if res.StatusCode != tt.code {
				t.Fatalf("got %d, want %d", res.StatusCode, tt.code)
			}
			calls := e.cam.Calls()[n:]
			if tt.call == "" && len(calls) > 0 || tt.call != "" && !hasCall(calls, tt.call) {
				t.Errorf("calls: got %v, want %q", calls, tt.call)
			}
		})
	}
	_, body := e.get(t, "/live")
	if !strings.Contains(body, `id="night-night" class="on"`) {
		t.Errorf("the live page does not show night mode on after switching")
	}
}

func TestSystemAccountsAndRestart(t *testing.T) {
	e := newEnv(t)
	if res, _ := e.post(t, "/system/users", url.Values{"name": {"guest"}, "password": {"long-enough-pw"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("add viewer: got %d, want 303", res.StatusCode)
	}
	if !hasCall(e.auth.Calls(), "SetPassword guest viewer long-enough-pw") {
		t.Errorf("auth calls %v: want the viewer added", e.auth.Calls())
	}
	if res, body := e.post(t, "/system/users", url.Values{"name": {"admin"}, "password": {"long-enough-pw"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "exists already") {
		t.Errorf("adding an existing name: got %d, want 422 saying it exists", res.StatusCode)
	}
	if res, body := e.post(t, "/system/users/admin/password", url.Values{"password": {"short"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "at least 8") {
		t.Errorf("short password: got %d, want 422 with the reason", res.StatusCode)
	}
	if !hasCall(e.auth.Calls(), "SetPassword admin admin short") {
		t.Errorf("changing admin's password must keep the admin role: calls %v", e.auth.Calls())
	}
	if res, _ := e.post(t, "/system/users/guest/delete", url.Values{}); res.StatusCode != http.StatusSeeOther || !hasCall(e.auth.Calls(), "DeleteUser guest") {
		t.Errorf("delete: got %d, calls %v", res.StatusCode, e.auth.Calls())
	}
	res, body := e.post(t, "/system/restart", url.Values{})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `src="/static/restart.js"`) || e.cam.Restarts() != 1 {
		t.Errorf("restart: got %d, %d restarts, want 200 with restart.js and 1 restart", res.StatusCode, e.cam.Restarts())
	}
}

func TestSystemHostFiles(t *testing.T) {
	e := newEnv(t)
	// A new time zone restarts freecam: the answer is the restarting page, then the reload.
	if res, body := e.post(t, "/system/host", url.Values{"hostname": {"garden-cam"}, "timezone": {"Europe/Berlin"}, "ntp": {"pool.ntp.org"}}); res.StatusCode != http.StatusOK || !strings.Contains(body, `id="restarting"`) || !strings.Contains(body, `src="/static/restart.js"`) {
		t.Fatalf("zone change: got %d, want 200 with the restarting page\n%s", res.StatusCode, body)
	}
	if got := countCalls(e.cam.Calls(), "Reload"); got != 1 {
		t.Errorf("zone change: got %d reloads, want 1", got)
	}
	for f, want := range map[string]string{hostnameFile: "garden-cam\n", timezoneFile: "Europe/Berlin\n", ntpFile: "pool.ntp.org\n"} {
		if got := e.file(t, f); got != want {
			t.Errorf("%s: got %q, want %q", f, got, want)
		}
	}
	// The same zone, another name: saved and reloaded, back to the page.
	if res, _ := e.post(t, "/system/host", url.Values{"hostname": {"shed-cam"}, "timezone": {"Europe/Berlin"}, "ntp": {"pool.ntp.org"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("host name change: got %d, want 303", res.StatusCode)
	}
	if got := countCalls(e.cam.Calls(), "Reload"); got != 2 {
		t.Errorf("host name change: got %d reloads in all, want 2", got)
	}
	res, _ := e.post(t, "/system/host", url.Values{"hostname": {"cam; reboot"}, "timezone": {"../../etc/passwd"}})
	if res.StatusCode != http.StatusUnprocessableEntity || e.file(t, hostnameFile) != "shed-cam\n" {
		t.Errorf("bad host name: got %d, file %q; want 422 and the file unchanged", res.StatusCode, e.file(t, hostnameFile))
	}
	if got := countCalls(e.cam.Calls(), "Reload"); got != 2 {
		t.Errorf("refused: got %d reloads in all, want still 2", got)
	}
}

func TestStaticFiles(t *testing.T) {
	e := newEnv(t)
	for path, code := range map[string]int{"/static/roi.js": 200, "/static/style.css": 200, "/static/": 404, "/static/nope.js": 404} {
		if got, _ := e.get(t, path); got != code {
			t.Errorf("GET %s: got %d, want %d", path, got, code)
		}
	}
}

// A select whose file value is no choice (edited by hand) shows that value selected, with the
// reason, so saving the page does not silently replace it with the first option.
func TestSelectKeepsAnUnknownValue(t *testing.T) {
	e := newEnv(t)
	if err := os.WriteFile(filepath.Join(e.cam.ConfigDir(), conf.MotionFile), []byte("motion_sensitivity=7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, body := e.get(t, "/motion")
	if !strings.Contains(body, `<option value="7" selected>7 (not a valid choice)</option>`) || !strings.Contains(body, "is not one of the choices") {
		t.Errorf("the motion page does not show the file's sensitivity 7 as selected and invalid")
	}
}

// The backup section says plainly that a backup holds the services' passwords, and that only
// the two keys are left out; the page loads restart.js before system.js, which hands over to it
// when an update restarts freecam.
func TestSystemPageBackupWordingAndScripts(t *testing.T) {
	e := newEnv(t)
	code, body := e.get(t, "/system")
	if code != http.StatusOK {
		t.Fatalf("GET /system: got %d, want 200", code)
	}
	text := strings.Join(strings.Fields(body), " ")
	for _, want := range []string{
		"It holds the service passwords of the config files in plain text",
		"the Wi-Fi key, the RTSP, MQTT, FTP/SMB and mail passwords, the Telegram and Matrix tokens",
		"Keep it private",
		"Only two keys are left out unless asked for: the HTTPS (TLS) private key and the ONVIF sealing key",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("System page: no %q", want)
		}
	}
	if strings.Contains(text, "Keys are left out unless asked for") {
		t.Error("System page still says only that keys are left out")
	}
	r, s := strings.Index(body, `src="/static/restart.js"`), strings.Index(body, `src="/static/system.js"`)
	if r < 0 || s < 0 || r > s {
		t.Errorf("System page scripts: restart.js at %d, system.js at %d; want both, restart.js first", r, s)
	}
	_, js := e.get(t, "/static/restart.js")
	if !strings.Contains(js, "window.freecamAwaitRestart = awaitRestart") {
		t.Error("restart.js does not offer freecamAwaitRestart to other pages")
	}
}
