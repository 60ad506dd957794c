package dropbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
)

const token = "sl.secret-dropbox-token"

type upload struct {
	arg  map[string]any
	data []byte
}

// server implements /2/files/upload: it checks the headers and stores files by path.
func server(t *testing.T, fail *[]string) (*httptest.Server, func() []upload) {
	var mu sync.Mutex
	var ups []upload
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Path != "/2/files/upload" {
			w.WriteHeader(404)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error_summary":"invalid_access_token/.","error":{".tag":"invalid_access_token"}}`)
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/octet-stream" {
			w.WriteHeader(400)
			fmt.Fprintf(w, "Error in call to API function: bad Content-Type %q", ct)
			return
		}
		argRaw := r.Header.Get("Dropbox-API-Arg")
		for _, c := range argRaw {
			if c >= 0x80 {
				t.Errorf("Dropbox-API-Arg has non-ASCII %q", argRaw)
			}
		}
		var arg map[string]any
		if err := json.Unmarshal([]byte(argRaw), &arg); err != nil {
			w.WriteHeader(400)
			fmt.Fprintf(w, "Error in call to API function: bad Dropbox-API-Arg: %v", err)
			return
		}
		if fail != nil && len(*fail) > 0 {
			f := (*fail)[0]
			*fail = (*fail)[1:]
			var code int
			var summary string
			fmt.Sscanf(f, "%d %s", &code, &summary)
			if code == 429 {
				w.Header().Set("Retry-After", "7")
			}
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"error_summary":%q}`, summary)
			return
		}
		b, _ := io.ReadAll(r.Body)
		ups = append(ups, upload{arg, b})
		fmt.Fprintf(w, `{"name":"x","path_display":%q,"size":%d}`, arg["path"], len(b))
	}))
	t.Cleanup(srv.Close)
	return srv, func() []upload {
		mu.Lock()
		defer mu.Unlock()
		return append([]upload(nil), ups...)
	}
}

func TestDeliver(t *testing.T) {
	dir := t.TempDir()
	jpgBytes := []byte{0xff, 0xd8, 0xff, 1, 2, 3}
	mp4Bytes := bytes.Repeat([]byte("mp4"), 1000)
	jpg, mp4 := filepath.Join(dir, "s.jpg"), filepath.Join(dir, "c.mp4")
	if err := errors.Join(os.WriteFile(jpg, jpgBytes, 0o644), os.WriteFile(mp4, mp4Bytes, 0o644)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		snap, vid bool
		item      deliver.Item
		wantPath  string // "" for no upload
		wantData  []byte
	}{
		{"snapshot", true, true, deliver.Item{ID: "a", Kind: deliver.Snapshot, Files: []string{jpg}, Name: "2026-11-26_14-35-01"}, "/Camera/Stills/2026-11-26_14-35-01.jpg", jpgBytes},
		{"clip", true, true, deliver.Item{ID: "b", Kind: deliver.Clip, Files: []string{mp4}, Name: "2026-11-26_14-35-01"}, "/Camera/Videos/2026-11-26_14-35-01.mp4", mp4Bytes},
		{"unicode name", true, false, deliver.Item{ID: "c", Kind: deliver.Snapshot, Files: []string{jpg}, Name: "Bewegung-Küche-😀"}, "/Camera/Stills/Bewegung-Küche-😀.jpg", jpgBytes},
		{"clip not wanted", true, false, deliver.Item{ID: "d", Kind: deliver.Clip, Files: []string{mp4}, Name: "n"}, "", nil},
		{"snapshot not wanted", false, true, deliver.Item{ID: "e", Kind: deliver.Snapshot, Files: []string{jpg}, Name: "n"}, "", nil},
		{"text skipped", true, true, deliver.Item{ID: "f", Kind: deliver.Text, Text: "hi"}, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, got := server(t, nil)
			d := New(conf.Remote{Snapshot: tc.snap, Video: tc.vid, Host: srv.URL + "/2/files/upload", Password: token,
				StillsDir: "/Camera/Stills", VideosDir: "Camera/Videos/"}, Options{})
			for range 2 { // a retry overwrites
				if err := d.Deliver(context.Background(), tc.item); err != nil {
					t.Fatalf("Deliver: got %v, want nil", err)
				}
			}
			ups := got()
			if tc.wantPath == "" {
				if len(ups) != 0 {
					t.Fatalf("got %d uploads, want none", len(ups))
				}
				return
			}
			if len(ups) != 2 {
				t.Fatalf("got %d uploads, want 2", len(ups))
			}
			u := ups[0]
			if u.arg["path"] != tc.wantPath || u.arg["mode"] != "overwrite" || u.arg["mute"] != true {
				t.Errorf("arg: got %v, want path %q mode overwrite mute true", u.arg, tc.wantPath)
			}
			if !bytes.Equal(u.data, tc.wantData) {
				t.Errorf("data: got %d bytes, want %d", len(u.data), len(tc.wantData))
			}
		})
	}
}

func TestErrors(t *testing.T) {
	jpg := filepath.Join(t.TempDir(), "s.jpg")
	if err := os.WriteFile(jpg, []byte{0xff, 0xd8}, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		fail      string
		token     string
		permanent bool
		retry     time.Duration
	}{
		{name: "429 retried", fail: "429 too_many_requests/", retry: 7 * time.Second},
		{name: "500 retried", fail: "500 internal/"},
		{name: "full retried", fail: "409 path/insufficient_space/."},
		{name: "bad name permanent", fail: "409 path/disallowed_name/.", permanent: true},
		{name: "400 permanent", fail: "400 bad/", permanent: true},
		{name: "wrong token retried", token: "sl.wrong-token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fails []string
			if tc.fail != "" {
				fails = []string{tc.fail}
			}
			srv, _ := server(t, &fails)
			tok := conf.Secret(token)
			if tc.token != "" {
				tok = conf.Secret(tc.token)
			}
			d := New(conf.Remote{Snapshot: true, Host: srv.URL + "/2/files/upload", Password: tok, StillsDir: "s"}, Options{})
			err := d.Deliver(context.Background(), deliver.Item{ID: "a", Kind: deliver.Snapshot, Files: []string{jpg}, Name: "n"})
			if err == nil {
				t.Fatal("got nil, want an error")
			}
			if got := deliver.IsPermanent(err); got != tc.permanent {
				t.Errorf("permanent: got %v, want %v (%v)", got, tc.permanent, err)
			}
			var de *Error
			if !errors.As(err, &de) || de.Retry() != tc.retry {
				t.Errorf("got %v, want an *Error with Retry %v", err, tc.retry)
			}
			if strings.Contains(err.Error(), "token-") || strings.Contains(err.Error(), "secret") {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}
