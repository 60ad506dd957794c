package web

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/backup"
	"github.com/freecam/freecam/internal/conf"
)

// tarNames lists the entries of a tar.gz.
func tarNames(t *testing.T, data []byte) []string {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a gzip archive: %v", err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
}

// oneFileArchive is a tar.gz with one file.
func oneFileArchive(t *testing.T, name, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte(body))
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func reloads(calls []string) int {
	n := 0
	for _, c := range calls {
		if c == "Reload" {
			n++
		}
	}
	return n
}

func TestBackupDownload(t *testing.T) {
	ts := newTestServer(t, false)
	code, body, hdr := ts.do(t, http.MethodGet, "/api/v1/config/backup", "admin", ts.adminPass, nil, nil)
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/gzip" {
		t.Fatalf("admin GET backup: got %d %s, want 200 application/gzip", code, hdr.Get("Content-Type"))
	}
	cd := hdr.Get("Content-Disposition")
	if !regexp.MustCompile(`^attachment; filename=freecam-config-[A-Za-z0-9.-]+-\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d\.tar\.gz$`).MatchString(cd) {
		t.Errorf("Content-Disposition: got %q, want attachment; filename=freecam-config-HOST-DATE.tar.gz", cd)
	}
	names := tarNames(t, []byte(body))
	for _, want := range []string{"rtspserver.conf", "freecam.users"} {
		if !slices.Contains(names, want) {
			t.Errorf("archive: got %v, want %s in it", names, want)
		}
	}
	for _, n := range names {
		if n == "freecam.key" || strings.HasPrefix(n, "tls/") || strings.HasSuffix(n, ".dist") {
			t.Errorf("default archive holds %s, want it left out", n)
		}
	}
	code, body, _ = ts.do(t, http.MethodGet, "/api/v1/config/backup?tls_keys=true", "admin", ts.adminPass, nil, nil)
	if names := tarNames(t, []byte(body)); code != http.StatusOK || !slices.Contains(names, "tls/freecam.key") {
		t.Errorf("backup?tls_keys=true: got %d %v, want 200 with tls/freecam.key", code, names)
	}
	if code, _, _ := ts.do(t, http.MethodGet, "/api/v1/config/backup?tls_keys=maybe", "admin", ts.adminPass, nil, nil); code != http.StatusBadRequest {
		t.Errorf("backup?tls_keys=maybe: got %d, want 400", code)
	}
	if code, _, _ := ts.do(t, http.MethodGet, "/api/v1/config/backup", "viewer", "viewer-pass-1", nil, nil); code != http.StatusForbidden {
		t.Errorf("viewer GET backup: got %d, want 403", code)
	}
	if code, _, _ := ts.do(t, http.MethodGet, "/api/v1/config/backup", "", "", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("GET backup without credentials: got %d, want 401", code)
	}
	// Another site cannot make a logged-in browser download it.
	if code, _, _ := ts.do(t, http.MethodGet, "/api/v1/config/backup", "admin", ts.adminPass, nil,
		map[string]string{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}); code != http.StatusForbidden {
		t.Errorf("cross-site GET backup: got %d, want 403", code)
	}
}

func TestRestoreAPI(t *testing.T) {
	ts := newTestServer(t, false)
	_, archive, _ := ts.do(t, http.MethodGet, "/api/v1/config/backup", "admin", ts.adminPass, nil, nil)
	osd := filepath.Join(ts.dir, conf.OSDFile)
	want, _ := os.ReadFile(osd)
	if _, err := conf.Apply(ts.dir, conf.Edits{conf.OSDFile: {"ENABLE_OSD": "false"}}); err != nil {
		t.Fatal(err)
	}
	changed, _ := os.ReadFile(osd)
	if bytes.Equal(changed, want) {
		t.Fatal("the edit did not change osd.conf")
	}

	// Refused without an admin, and nothing is restored.
	for _, who := range [][2]string{{"viewer", "viewer-pass-1"}, {"", ""}} {
		code, _, _ := ts.do(t, http.MethodPost, "/api/v1/config/restore", who[0], who[1], strings.NewReader(archive), nil)
		if wantCode := map[string]int{"viewer": 403, "": 401}[who[0]]; code != wantCode {
			t.Errorf("POST restore as %q: got %d, want %d", who[0], code, wantCode)
		}
	}
	// Cross-site with the admin's session and its CSRF token; and same-origin without the token.
	c, csrf := ts.login(t)
	post := func(hdr map[string]string) int {
		req, _ := http.NewRequest(http.MethodPost, ts.base+"/api/v1/config/restore", strings.NewReader(archive))
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
	if code := post(map[string]string{"X-CSRF-Token": csrf, "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}); code != http.StatusForbidden {
		t.Errorf("cross-site POST restore: got %d, want 403", code)
	}
	if code := post(map[string]string{"Sec-Fetch-Site": "same-origin"}); code != http.StatusForbidden {
		t.Errorf("session POST restore without the CSRF token: got %d, want 403", code)
	}
	if got, _ := os.ReadFile(osd); !bytes.Equal(got, changed) || reloads(ts.cam.Calls()) != 0 {
		t.Fatalf("a refused request restored osd.conf or reloaded (%v)", ts.cam.Calls())
	}

	// The admin's session from the camera's page, with the token: restored and reloaded.
	if code := post(map[string]string{"X-CSRF-Token": csrf, "Sec-Fetch-Site": "same-origin", "Origin": ts.base}); code != http.StatusOK {
		t.Fatalf("same-origin POST restore with the token: got %d, want 200", code)
	}
	if got, _ := os.ReadFile(osd); !bytes.Equal(got, want) {
		t.Errorf("osd.conf after the restore: got %q, want %q", got, want)
	}
	if n := reloads(ts.cam.Calls()); n != 1 {
		t.Errorf("reloads after a restore: got %d, want 1", n)
	}

	// Basic auth, the archive as a multipart upload: the JSON report.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("archive", "freecam-config.tar.gz")
	fw.Write([]byte(archive))
	mw.Close()
	code, body, _ := ts.do(t, http.MethodPost, "/api/v1/config/restore", "admin", ts.adminPass, &form,
		map[string]string{"Content-Type": mw.FormDataContentType()})
	var rep backup.Report
	if err := json.Unmarshal([]byte(body), &rep); code != http.StatusOK || err != nil {
		t.Fatalf("multipart restore: got %d %s (%v), want 200 and a report", code, body, err)
	}
	if !slices.ContainsFunc(rep.Restored, func(e backup.Entry) bool { return e.File == conf.OSDFile }) {
		t.Errorf("report: got restored %v, want osd.conf in it", rep.Restored)
	}
}

// A tampered archive is refused with the report, nothing is written and the camera does not
// reload.
func TestRestoreAPIRefusesTamperedArchives(t *testing.T) {
	ts := newTestServer(t, false)
	for _, tc := range []struct {
		name    string
		archive []byte
		code    int
		reason  string
	}{
		{"invalid value", oneFileArchive(t, "rtspserver.conf", "PORT=99999\n"), http.StatusUnprocessableEntity, "rtspserver.conf:1: PORT: must be between 1 and 65535"},
		{"path traversal", oneFileArchive(t, "../evil.conf", "x=1\n"), http.StatusBadRequest, "a path with .."},
		{"not an archive", []byte("hello"), http.StatusBadRequest, "not a tar.gz archive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadFile(filepath.Join(ts.dir, conf.RTSPServerFile))
			code, body, _ := ts.do(t, http.MethodPost, "/api/v1/config/restore", "admin", ts.adminPass, bytes.NewReader(tc.archive), nil)
			var resp struct {
				Error   string         `json:"error"`
				Refused []backup.Entry `json:"refused"`
			}
			if err := json.Unmarshal([]byte(body), &resp); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if code != tc.code || len(resp.Refused) == 0 || !strings.Contains(resp.Refused[0].Reason, tc.reason) {
				t.Errorf("got %d %+v, want %d with %q", code, resp, tc.code, tc.reason)
			}
			if after, _ := os.ReadFile(filepath.Join(ts.dir, conf.RTSPServerFile)); !bytes.Equal(after, before) {
				t.Errorf("rtspserver.conf changed by a refused restore")
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(ts.dir), "evil.conf")); err == nil {
				t.Errorf("the traversal wrote outside the config dir")
			}
			if n := reloads(ts.cam.Calls()); n != 0 {
				t.Errorf("reloads after a refused restore: got %d, want 0", n)
			}
		})
	}
}
