package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera"
)

func TestUpdateAPIIsForAdmins(t *testing.T) {
	ts := newTestServer(t, false)
	for _, r := range [][2]string{{http.MethodGet, "/api/v1/update"}, {http.MethodPost, "/api/v1/update/check"}, {http.MethodPost, "/api/v1/update/apply"}} {
		if code, body, _ := ts.do(t, r[0], r[1], "viewer", "viewer-pass-1", strings.NewReader("{}"), nil); code != http.StatusForbidden {
			t.Errorf("viewer %s %s: got %d %s, want 403", r[0], r[1], code, body)
		}
	}
	if calls := ts.cam.Calls(); len(calls) > 0 {
		t.Errorf("a viewer's requests reached the camera: %v", calls)
	}
}

func TestUpdateAPI(t *testing.T) {
	ts := newTestServer(t, false)
	state := func(t *testing.T, body string) camera.UpdateState {
		t.Helper()
		var st camera.UpdateState
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatalf("not an update state: %v: %s", err, body)
		}
		return st
	}
	admin := func(method, path string) (int, string) {
		code, body, _ := ts.do(t, method, path, "admin", ts.adminPass, nil, nil)
		return code, body
	}

	code, body := admin(http.MethodGet, "/api/v1/update")
	var raw map[string]any
	json.Unmarshal([]byte(body), &raw)
	for _, k := range []string{"configured", "installed", "available", "checking", "in_progress", "percentage", "restarting"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("GET /api/v1/update has no %q: %s", k, body)
		}
	}
	if st := state(t, body); code != http.StatusOK || st.Installed != "camtest" || !st.Configured {
		t.Fatalf("GET: got %d %+v, want 200, configured, installed camtest", code, st)
	}

	code, body = admin(http.MethodPost, "/api/v1/update/check")
	if st := state(t, body); code != http.StatusOK || st.LastCheck.IsZero() {
		t.Errorf("check: got %d %s, want 200 with last_check", code, body)
	}
	ts.cam.Fail("UpdateCheck", errors.New("fetch the manifest: 503 Service Unavailable"))
	code, body = admin(http.MethodPost, "/api/v1/update/check")
	if code != http.StatusBadGateway || !strings.Contains(body, "503 Service Unavailable") {
		t.Errorf("a failing check: got %d %s, want 502 with the reason", code, body)
	}
	ts.cam.Fail("UpdateCheck", nil)

	for _, tc := range []struct {
		st   camera.UpdateState
		want string
	}{
		{camera.UpdateState{Installed: "1.0.0", Configured: true}, "check for updates first"},
		{camera.UpdateState{Installed: "1.0.0", Configured: true, Latest: "1.0.0", LastCheck: time.Now()}, "nothing newer to install: the last check found 1.0.0, and 1.0.0 runs"},
	} {
		ts.cam.SetUpdate(tc.st)
		code, body = admin(http.MethodPost, "/api/v1/update/apply")
		var e struct{ Error string }
		if json.Unmarshal([]byte(body), &e); code != http.StatusConflict || !strings.Contains(e.Error, tc.want) {
			t.Errorf("apply with %+v: got %d %s, want 409 {\"error\": %q}", tc.st, code, body, tc.want)
		}
	}
	ts.cam.SetUpdate(camera.UpdateState{Installed: "camtest", Configured: true, Latest: "1.1.0", Available: true, LastCheck: time.Now()})
	code, body = admin(http.MethodPost, "/api/v1/update/apply")
	if st := state(t, body); code != http.StatusAccepted || !st.InProgress {
		t.Fatalf("apply: got %d %s, want 202 in progress", code, body)
	}
	st := ts.cam.Update()
	st.Percentage = 42
	ts.cam.SetUpdate(st)
	if _, body = admin(http.MethodGet, "/api/v1/update"); state(t, body).Percentage != 42 {
		t.Errorf("GET during the install: got %s, want percentage 42", body)
	}
	for _, p := range []string{"/api/v1/update/apply", "/api/v1/update/check"} {
		if code, body = admin(http.MethodPost, p); code != http.StatusConflict || !strings.Contains(body, "being installed") {
			t.Errorf("POST %s during the install: got %d %s, want 409 saying one is being installed", p, code, body)
		}
	}
	if got, want := ts.cam.Calls(), []string{"UpdateCheck", "UpdateCheck", "UpdateApply"}; !slices.Equal(got, want) {
		t.Errorf("calls: got %v, want %v", got, want)
	}

	ts.cam.SetUpdate(camera.UpdateState{Installed: "camtest"})
	if code, body = admin(http.MethodPost, "/api/v1/update/check"); code != http.StatusConflict || !strings.Contains(body, "UPDATE_MANIFEST_URL") {
		t.Errorf("check without update.conf: got %d %s, want 409 naming UPDATE_MANIFEST_URL", code, body)
	}
	ts.cam.SetUpdate(camera.UpdateState{Installed: "camtest", Configured: true, Latest: "1.1.0", Available: true})
	ts.cam.Fail("UpdateApply", errors.New("freecam 1.1.0 was just installed and has not proved healthy yet"))
	if code, body = admin(http.MethodPost, "/api/v1/update/apply"); code != http.StatusConflict || !strings.Contains(body, "not proved healthy") {
		t.Errorf("a refused apply: got %d %s, want 409 with the reason", code, body)
	}
}

// GET /api/v1/update says when the binary on disk is not the running one (disk_version, with the
// rollback that put it there), and a check or install while update.conf has errors is refused
// at once with the state's reason, not sent to the update server.
func TestUpdateAPIDiskVersionAndUpdatesOff(t *testing.T) {
	ts := newTestServer(t, false)
	admin := func(method, path string) (int, string) {
		code, body, _ := ts.do(t, method, path, "admin", ts.adminPass, nil, nil)
		return code, body
	}
	ts.cam.SetUpdate(camera.UpdateState{Installed: "1.1.0", Configured: true, DiskVersion: "1.0.0",
		LastRollback: &camera.UpdateRollback{Version: "1.1.0", RestoredVersion: "1.0.0", At: time.Now(), Reason: "asked for by freecam update --rollback"}})
	code, body := admin(http.MethodGet, "/api/v1/update")
	var raw struct {
		DiskVersion  string `json:"disk_version"`
		LastRollback struct {
			RestoredVersion string `json:"restored_version"`
		} `json:"last_rollback"`
	}
	if err := json.Unmarshal([]byte(body), &raw); err != nil || code != http.StatusOK || raw.DiskVersion != "1.0.0" || raw.LastRollback.RestoredVersion != "1.0.0" {
		t.Errorf("GET: got %d %s, want disk_version 1.0.0 and the rollback's restored_version", code, body)
	}
	ts.cam.SetUpdate(camera.UpdateState{Installed: "1.1.0"})
	if _, body = admin(http.MethodGet, "/api/v1/update"); strings.Contains(body, "disk_version") {
		t.Errorf("GET with the running binary on disk: got %s, want no disk_version", body)
	}

	off := "updates are off: update.conf:2: UPDATE_CA_FILE: cannot read the CA file"
	ts.cam.SetUpdate(camera.UpdateState{Installed: "1.1.0", Error: off, Latest: "1.2.0", Available: true})
	for _, p := range []string{"/api/v1/update/check", "/api/v1/update/apply"} {
		code, body := admin(http.MethodPost, p)
		var e struct{ Error string }
		if json.Unmarshal([]byte(body), &e); code != http.StatusConflict || e.Error != off {
			t.Errorf("POST %s with updates off: got %d %s, want 409 {\"error\": %q}", p, code, body, off)
		}
	}
	if calls := ts.cam.Calls(); len(calls) > 0 {
		t.Errorf("requests with updates off reached the camera: %v", calls)
	}
}
