package smb

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
	"github.com/freecam/freecam/internal/deliver/servertest"
)

// file writes n random bytes to dir/name and returns the path and the bytes.
func file(t testing.TB, dir, name string, n int) (string, []byte) {
	t.Helper()
	data := make([]byte, n)
	_, _ = rand.Read(data)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, data
}

func remote(s *servertest.SMBServer) conf.Remote {
	return conf.Remote{Snapshot: true, Video: true, Host: `\\` + s.Host + `\` + s.Share + `\dafang`, User: s.User,
		Password: conf.Secret(s.Pass), StillsDir: "dafang_camera/stills", VideosDir: `dafang_camera\videos`}
}

func newTarget(t testing.TB, s *servertest.SMBServer, r conf.Remote) *Target {
	t.Helper()
	tg, err := New(r, Options{Timeout: 5 * time.Second, Port: s.Port})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestDeliver(t *testing.T) {
	s := servertest.StartSMB(t, "cam", "pa ss:word")
	tg := newTarget(t, s, remote(s))
	if got := tg.Name(); got != "smb" {
		t.Errorf("Name: got %q, want smb", got)
	}
	local := t.TempDir()
	jpg, jpgData := file(t, local, "a.jpg", 50_000)
	mp4, mp4Data := file(t, local, "b.mp4", 700_000)
	tests := []struct {
		name string
		it   deliver.Item
		want string // path in the share
		data []byte
	}{
		{"snapshot", deliver.Item{ID: "e1-snap-smb", Kind: deliver.Snapshot, Files: []string{jpg}, Name: "2026-11-26_14-35-01", Group: "2026-11-26/14"},
			"dafang/dafang_camera/stills/2026-11-26/14/2026-11-26_14-35-01.jpg", jpgData},
		{"clip", deliver.Item{ID: "e1-clip-smb", Kind: deliver.Clip, Files: []string{mp4}, Name: "2026-11-26_14-35-01", Group: "2026-11-26/14"},
			"dafang/dafang_camera/videos/2026-11-26/14/2026-11-26_14-35-01.mp4", mp4Data},
		{"no group", deliver.Item{ID: "e2-snap-smb", Kind: deliver.Snapshot, Files: []string{jpg}, Name: "flat"},
			"dafang/dafang_camera/stills/flat.jpg", jpgData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range 2 { // the second delivery overwrites the first
				if err := tg.Deliver(context.Background(), tc.it); err != nil {
					t.Fatalf("deliver %d: %v", i, err)
				}
				got, err := os.ReadFile(filepath.Join(s.Dir(), tc.want))
				if err != nil {
					t.Fatalf("deliver %d: %v", i, err)
				}
				if !bytes.Equal(got, tc.data) {
					t.Fatalf("deliver %d: got %d bytes, want the %d bytes sent", i, len(got), len(tc.data))
				}
			}
			entries, err := os.ReadDir(filepath.Dir(filepath.Join(s.Dir(), tc.want)))
			if err != nil {
				t.Fatal(err)
			}
			var files []string
			for _, e := range entries {
				if !e.IsDir() {
					files = append(files, e.Name())
				}
			}
			if len(files) != 1 {
				t.Errorf("got files %v, want only %s (no duplicate, no .part left)", files, filepath.Base(tc.want))
			}
		})
	}
}

func TestDeliverErrors(t *testing.T) {
	s := servertest.StartSMB(t, "cam", "right")
	jpg, _ := file(t, t.TempDir(), "a.jpg", 1000)
	it := deliver.Item{ID: "e3-snap-smb", Kind: deliver.Snapshot, Files: []string{jpg}, Name: "n", Group: "g"}

	t.Run("wrong password", func(t *testing.T) {
		r := remote(s)
		r.Password = "wrong-secret"
		err := newTarget(t, s, r).Deliver(context.Background(), it)
		if err == nil {
			t.Fatal("got nil error, want a login failure")
		}
		msg := err.Error()
		for _, want := range []string{"//" + s.Host + "/cam/dafang", "dafang/dafang_camera/stills/g/n.jpg", "refused", "smb_password"} {
			if !strings.Contains(msg, want) {
				t.Errorf("got %q, want it to mention %q", msg, want)
			}
		}
		if strings.Contains(msg, "wrong-secret") {
			t.Errorf("got %q, which holds the password", msg)
		}
		if deliver.IsPermanent(err) {
			t.Errorf("got a permanent error, want a retryable one (a password can be fixed)")
		}
	})
	t.Run("no such share", func(t *testing.T) {
		r := remote(s)
		r.Host = "//" + s.Host + "/nope"
		err := newTarget(t, s, r).Deliver(context.Background(), it)
		if err == nil || !strings.Contains(err.Error(), `no share "nope"`) {
			t.Fatalf("got %v, want an error naming the missing share", err)
		}
	})
	t.Run("bad items are permanent", func(t *testing.T) {
		tg := newTarget(t, s, remote(s))
		for _, bad := range []deliver.Item{
			{ID: "nofile", Kind: deliver.Snapshot, Name: "n"},
			{ID: "text", Kind: deliver.Text, Files: []string{jpg}, Name: "n"},
			{ID: "climb", Kind: deliver.Snapshot, Files: []string{jpg}, Name: "n", Group: "../../x"},
			{ID: "slash", Kind: deliver.Snapshot, Files: []string{jpg}, Name: "a/n"},
			{ID: "missing", Kind: deliver.Snapshot, Files: []string{jpg + ".gone"}, Name: "n"},
		} {
			if err := tg.Deliver(context.Background(), bad); !deliver.IsPermanent(err) {
				t.Errorf("item %s: got %v, want a permanent error", bad.ID, err)
			}
		}
	})
	t.Run("server down then up", func(t *testing.T) {
		tg := newTarget(t, s, remote(s))
		s.Stop()
		err := tg.Deliver(context.Background(), it)
		if err == nil {
			t.Fatal("server stopped: got nil error, want one")
		}
		if deliver.IsPermanent(err) {
			t.Errorf("server stopped: got permanent %v, want retryable", err)
		}
		s.Start()
		if err := tg.Deliver(context.Background(), it); err != nil {
			t.Fatalf("server started again: %v", err)
		}
		if _, err := os.Stat(filepath.Join(s.Dir(), "dafang/dafang_camera/stills/g/n.jpg")); err != nil {
			t.Error(err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := newTarget(t, s, remote(s)).Deliver(ctx, it); err == nil {
			t.Fatal("got nil error with a cancelled context, want one")
		}
	})
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		r    conf.Remote
		o    Options
		addr string // "" for an error
	}{
		{"default port", conf.Remote{Host: "//nas/cam"}, Options{}, "nas:445"},
		{"backslashes", conf.Remote{Host: `\\nas\cam\sub`}, Options{Port: 4455}, "nas:4455"},
		{"no share", conf.Remote{Host: "//nas"}, Options{}, ""},
		{"climbing path", conf.Remote{Host: "//nas/cam", StillsDir: "../etc"}, Options{}, ""},
		{"bad port", conf.Remote{Host: "//nas/cam"}, Options{Port: -1}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := New(tc.r, tc.o)
			if tc.addr == "" {
				if err == nil {
					t.Fatalf("got nil error, want one")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tg.addr != tc.addr {
				t.Errorf("got addr %s, want %s", tg.addr, tc.addr)
			}
		})
	}
}

func BenchmarkUploadClip(b *testing.B) {
	s := servertest.StartSMB(b, "cam", "pw")
	tg := newTarget(b, s, remote(s))
	mp4, _ := file(b, b.TempDir(), "c.mp4", 2<<20)
	it := deliver.Item{ID: "bench", Kind: deliver.Clip, Files: []string{mp4}, Name: "bench", Group: "g"}
	b.ReportAllocs()
	b.SetBytes(2 << 20)
	for b.Loop() {
		if err := tg.Deliver(context.Background(), it); err != nil {
			b.Fatal(err)
		}
	}
}
