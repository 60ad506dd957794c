package ftp

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
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

func remote(s *servertest.FTPServer) conf.Remote {
	return conf.Remote{Snapshot: true, Video: true, Host: s.Host, Port: s.Port, User: s.User,
		Password: conf.Secret(s.Pass), StillsDir: "motion/stills", VideosDir: "/motion/videos"}
}

func newTarget(t testing.TB, r conf.Remote) *Target {
	t.Helper()
	tg, err := New(r, Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestDeliver(t *testing.T) {
	s := servertest.StartFTP(t, "cam", "pa ss:word")
	tg := newTarget(t, remote(s))
	if got := tg.Name(); got != "ftp" {
		t.Errorf("Name: got %q, want ftp", got)
	}
	local := t.TempDir()
	jpg, jpgData := file(t, local, "a.jpg", 50_000)
	mp4, mp4Data := file(t, local, "b.mp4", 700_000)
	tests := []struct {
		name string
		it   deliver.Item
		want string // path under the FTP root
		data []byte
	}{
		{"snapshot", deliver.Item{ID: "e1-snap-ftp", Kind: deliver.Snapshot, Files: []string{jpg}, Name: "2026-11-26_14-35-01", Group: "2026-11-26/14"},
			"motion/stills/2026-11-26_14-35-01.jpg", jpgData},
		{"clip", deliver.Item{ID: "e1-clip-ftp", Kind: deliver.Clip, Files: []string{mp4}, Name: "2026-11-26_14-35-01", Group: "2026-11-26/14"},
			"motion/videos/2026-11-26_14-35-01.mp4", mp4Data},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range 2 { // the second delivery overwrites the first
				if err := tg.Deliver(context.Background(), tc.it); err != nil {
					t.Fatalf("deliver %d: %v", i, err)
				}
				got, err := os.ReadFile(filepath.Join(s.Root(), tc.want))
				if err != nil {
					t.Fatalf("deliver %d: %v", i, err)
				}
				if !bytes.Equal(got, tc.data) {
					t.Fatalf("deliver %d: got %d bytes, want the %d bytes sent", i, len(got), len(tc.data))
				}
			}
			entries, err := os.ReadDir(filepath.Dir(filepath.Join(s.Root(), tc.want)))
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("got files %v, want only %s (no duplicate, no .part left)", names, filepath.Base(tc.want))
			}
		})
	}
}

func TestDeliverErrors(t *testing.T) {
	s := servertest.StartFTP(t, "cam", "right")
	jpg, _ := file(t, t.TempDir(), "a.jpg", 1000)
	it := deliver.Item{ID: "e2-snap-ftp", Kind: deliver.Snapshot, Files: []string{jpg}, Name: "n"}

	t.Run("wrong password", func(t *testing.T) {
		r := remote(s)
		r.Password = "wrong-secret"
		err := newTarget(t, r).Deliver(context.Background(), it)
		if err == nil {
			t.Fatal("got nil error, want a login failure")
		}
		msg := err.Error()
		for _, want := range []string{s.Addr, "motion/stills/n.jpg", "refused", "ftp_password"} {
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
	t.Run("bad items are permanent", func(t *testing.T) {
		tg := newTarget(t, remote(s))
		for _, bad := range []deliver.Item{
			{ID: "nofile", Kind: deliver.Snapshot, Name: "n"},
			{ID: "text", Kind: deliver.Text, Files: []string{jpg}, Name: "n"},
			{ID: "climb", Kind: deliver.Snapshot, Files: []string{jpg}, Name: "../n"},
			{ID: "missing", Kind: deliver.Snapshot, Files: []string{jpg + ".gone"}, Name: "n"},
		} {
			if err := tg.Deliver(context.Background(), bad); !deliver.IsPermanent(err) {
				t.Errorf("item %s: got %v, want a permanent error", bad.ID, err)
			}
		}
	})
	t.Run("server down then up", func(t *testing.T) {
		tg := newTarget(t, remote(s))
		s.Stop()
		err := tg.Deliver(context.Background(), it)
		if err == nil {
			t.Fatal("server stopped: got nil error, want one")
		}
		if deliver.IsPermanent(err) {
			t.Errorf("server stopped: got permanent %v, want retryable", err)
		}
		s.Restart()
		if err := tg.Deliver(context.Background(), it); err != nil {
			t.Fatalf("server restarted: %v", err)
		}
		if _, err := os.Stat(filepath.Join(s.Root(), "motion/stills/n.jpg")); err != nil {
			t.Error(err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := newTarget(t, remote(s)).Deliver(ctx, it); err == nil {
			t.Fatal("got nil error with a cancelled context, want one")
		}
	})
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		r    conf.Remote
		ok   bool
	}{
		{"default port", conf.Remote{Host: "ftp.example"}, true},
		{"no host", conf.Remote{}, false},
		{"bad port", conf.Remote{Host: "h", Port: 70000}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := New(tc.r, Options{})
			if got := err == nil; got != tc.ok {
				t.Fatalf("got error %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && tg.addr != "ftp.example:21" {
				t.Errorf("got addr %s, want ftp.example:21", tg.addr)
			}
		})
	}
}

func BenchmarkUploadClip(b *testing.B) {
	s := servertest.StartFTP(b, "cam", "pw")
	tg := newTarget(b, remote(s))
	mp4, _ := file(b, b.TempDir(), "c.mp4", 2<<20)
	it := deliver.Item{ID: "bench", Kind: deliver.Clip, Files: []string{mp4}, Name: "bench"}
	b.ReportAllocs()
	b.SetBytes(2 << 20)
	for b.Loop() {
		if err := tg.Deliver(context.Background(), it); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDeliverTLS(t *testing.T) {
	s := servertest.StartFTPTLS(t, "cam", "pw")
	jpg, data := file(t, t.TempDir(), "a.jpg", 300_000)
	it := deliver.Item{ID: "e4-snap-ftp", Kind: deliver.Snapshot, Files: []string{jpg}, Name: "tls"}
	r := remote(s)
	r.TLS = true
	t.Run("verified", func(t *testing.T) {
		tg, err := New(r, Options{Timeout: 5 * time.Second, TLSConfig: &tls.Config{RootCAs: s.RootCAs}})
		if err != nil {
			t.Fatal(err)
		}
		if err := tg.Deliver(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(s.Root(), "motion/stills/tls.jpg"))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("got %d bytes (%v), want the %d bytes sent", len(got), err, len(data))
		}
	})
	t.Run("unknown certificate refused", func(t *testing.T) {
		err := newTarget(t, r).Deliver(context.Background(), it) // system roots only
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("got %v, want a certificate verification error", err)
		}
	})
	t.Run("plain login refused by a TLS-only server", func(t *testing.T) {
		r := r
		r.TLS = false
		if err := newTarget(t, r).Deliver(context.Background(), it); err == nil {
			t.Fatal("got nil error, want the server's refusal of a plain login")
		}
	})
}
