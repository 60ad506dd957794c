package update

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"net/http"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fixture is an update server offering version 1.1.0 (signed) over a running 1.0.0.
type fixture struct {
	srv      *server
	pub      ed25519.PublicKey
	priv     ed25519.PrivateKey
	old, new []byte
	manifest Manifest
	exe      string
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{srv: newServer(t), old: tinyBinary(t, "1.0.0"), new: tinyBinary(t, "1.1.0")}
	f.pub, f.priv = newKey(t)
	f.srv.put("/bin/freecam-linux-testarch", f.new)
	f.manifest = Manifest{Version: "1.1.0", Released: time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC), Notes: "better",
		Binaries: map[string]Binary{testPlatform: entry(t, f.priv, "1.1.0", testPlatform, "bin/freecam-linux-testarch", f.new)}}
	f.exe = installed(t, f.old)
	return f
}

func (f *fixture) options() Options {
	return Options{ManifestURL: f.srv.URL + "/manifest.json", Client: f.srv.Client(), PublicKeys: []ed25519.PublicKey{f.pub},
		CurrentVersion: "1.0.0", Platform: testPlatform, Executable: f.exe}
}

// update publishes the manifest, checks and applies.
func (f *fixture) update(t *testing.T, o Options) error {
	t.Helper()
	f.srv.putManifest(t, f.manifest)
	rel, err := Check(context.Background(), o)
	if err != nil {
		return err
	}
	if !rel.Newer {
		t.Errorf("got Newer false for %s over %s, want true", rel.Version, rel.Current)
	}
	return Apply(context.Background(), rel, o)
}

func TestAGoodUpdateIsInstalledAndRuns(t *testing.T) {
	f := newFixture(t)
	var progress [][2]int64
	o := f.options()
	o.Progress = func(done, total int64) { progress = append(progress, [2]int64{done, total}) }
	os.WriteFile(f.exe[:len(f.exe)-len("freecam")]+".freecam.new-123", []byte("half a download"), 0o600)
	if err := f.update(t, o); err != nil {
		t.Fatalf("got %v, want the update applied", err)
	}
	if got := runVersion(t, f.exe); got != "freecam 1.1.0" {
		t.Errorf("the installed binary says %q, want \"freecam 1.1.0\"", got)
	}
	if got := runVersion(t, f.exe+".previous"); got != "freecam 1.0.0" {
		t.Errorf("the kept binary says %q, want \"freecam 1.0.0\"", got)
	}
	if got, want := dirNames(t, f.exe), []string{"freecam", "freecam.pending", "freecam.previous"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got files %v, want %v", got, want)
	}
	st, err := ReadStatus(f.exe)
	if err != nil || st.Pending == nil || st.Pending.Version != "1.1.0" || st.Pending.PreviousVersion != "1.0.0" || !st.HasPrevious {
		t.Errorf("got status %+v (%v), want 1.1.0 pending over 1.0.0 with a previous binary", st, err)
	}
	total := int64(len(f.new))
	if len(progress) < 2 || progress[0] != [2]int64{0, total} || progress[len(progress)-1] != [2]int64{total, total} {
		t.Errorf("got progress %v, want it to start at 0/%d and end at %d/%d", progress, total, total, total)
	}
}

func TestRefusedUpdatesLeaveTheBinaryUntouched(t *testing.T) {
	_, otherPriv := newKey(t)
	tests := []struct {
		name    string
		setup   func(t *testing.T, f *fixture, o *Options)
		wantErr string
	}{
		{"tampered binary", func(t *testing.T, f *fixture, o *Options) {
			bad := bytes.Clone(f.new)
			bad[len(bad)/2] ^= 1
			f.srv.put("/bin/freecam-linux-testarch", bad)
		}, "sha256 mismatch"},
		{"signed by another key", func(t *testing.T, f *fixture, o *Options) {
			f.manifest.Binaries[testPlatform] = entry(t, otherPriv, "1.1.0", testPlatform, "bin/freecam-linux-testarch", f.new)
		}, "signature does not verify"},
		{"signature of another version", func(t *testing.T, f *fixture, o *Options) {
			b := f.manifest.Binaries[testPlatform]
			b.Signature = entry(t, f.priv, "1.0.1", testPlatform, "", f.new).Signature
			f.manifest.Binaries[testPlatform] = b
		}, "signature does not verify"},
		{"signature of another platform", func(t *testing.T, f *fixture, o *Options) {
			b := f.manifest.Binaries[testPlatform]
			b.Signature = entry(t, f.priv, "1.1.0", "linux/mipsle", "", f.new).Signature
			f.manifest.Binaries[testPlatform] = b
		}, "signature does not verify"},
		{"garbage signature", func(t *testing.T, f *fixture, o *Options) {
			b := f.manifest.Binaries[testPlatform]
			b.Signature = "bm90IGEgc2lnbmF0dXJl"
			f.manifest.Binaries[testPlatform] = b
		}, "signature does not verify"},
		{"wrong hash in the manifest", func(t *testing.T, f *fixture, o *Options) {
			b := f.manifest.Binaries[testPlatform]
			b.SHA256 = hexSum([]byte("something else"))
			f.manifest.Binaries[testPlatform] = b
		}, "signature does not verify"},
		{"wrong hash, signed", func(t *testing.T, f *fixture, o *Options) {
			b := f.manifest.Binaries[testPlatform]
			b.SHA256 = hexSum([]byte("something else"))
			b.Signature, _ = Sign(f.priv, "1.1.0", testPlatform, b.SHA256, b.Size)
			f.manifest.Binaries[testPlatform] = b
		}, "sha256 mismatch"},
		{"truncated download", func(t *testing.T, f *fixture, o *Options) {
			f.srv.handle("/bin/freecam-linux-testarch", func(w http.ResponseWriter, r *http.Request) {
				w.Write(f.new[:len(f.new)/2]) // chunked, ends early
			})
		}, "truncated download: got"},
		{"connection cut mid-download", func(t *testing.T, f *fixture, o *Options) {
			f.srv.handle("/bin/freecam-linux-testarch", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "9999999")
				w.Write(f.new[:1000])
			})
		}, "size mismatch: the server sends 9999999 bytes"},
		{"connection cut with the right length", func(t *testing.T, f *fixture, o *Options) {
			f.srv.handle("/bin/freecam-linux-testarch", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", itoa(len(f.new)))
				w.Write(f.new[:len(f.new)/3])
				panic(http.ErrAbortHandler)
			})
		}, "truncated download: after"},
		{"longer than signed", func(t *testing.T, f *fixture, o *Options) {
			f.srv.handle("/bin/freecam-linux-testarch", func(w http.ResponseWriter, r *http.Request) {
				w.Write(f.new)
				w.Write([]byte("extra"))
			})
		}, "size mismatch"},
		{"server error on the binary", func(t *testing.T, f *fixture, o *Options) {
			f.srv.handle("/bin/freecam-linux-testarch", func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "disk on fire", http.StatusInternalServerError)
			})
		}, "server error: GET"},
		{"server error on the manifest", func(t *testing.T, f *fixture, o *Options) {
			f.srv.handle("/manifest.json", func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "nope", http.StatusInternalServerError)
			})
		}, "500 Internal Server Error"},
		{"http manifest URL", func(t *testing.T, f *fixture, o *Options) {
			o.ManifestURL = strings.Replace(o.ManifestURL, "https://", "http://", 1)
		}, "want https://"},
		{"http binary URL", func(t *testing.T, f *fixture, o *Options) {
			b := f.manifest.Binaries[testPlatform]
			b.URL = strings.Replace(f.srv.URL, "https://", "http://", 1) + "/bin/freecam-linux-testarch"
			f.manifest.Binaries[testPlatform] = b
		}, "want https://"},
		{"certificate not in the pool", func(t *testing.T, f *fixture, o *Options) {
			o.Client = &http.Client{}
		}, "certificate"},
		{"client that skips verification", func(t *testing.T, f *fixture, o *Options) {
			o.Client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
		}, "InsecureSkipVerify"},
		{"no binary for this platform", func(t *testing.T, f *fixture, o *Options) {
			o.Platform = "linux/mipsle"
		}, "no binary for this platform (linux/mipsle)"},
		{"no key", func(t *testing.T, f *fixture, o *Options) {
			o.PublicKeys = nil
		}, "no public key"},
		{"not an executable", func(t *testing.T, f *fixture, o *Options) {
			junk := []byte("#!/bin/sh\necho freecam 1.1.0\n")
			f.srv.put("/bin/freecam-linux-testarch", junk)
			f.manifest.Binaries[testPlatform] = entry(t, f.priv, "1.1.0", testPlatform, "bin/freecam-linux-testarch", junk)
		}, "not an ELF executable"},
		{"binary of another version", func(t *testing.T, f *fixture, o *Options) {
			other := tinyBinary(t, "1.0.9")
			f.srv.put("/bin/freecam-linux-testarch", other)
			f.manifest.Binaries[testPlatform] = entry(t, f.priv, "1.1.0", testPlatform, "bin/freecam-linux-testarch", other)
		}, `says it is version "1.0.9", not 1.1.0`},
		{"larger than allowed", func(t *testing.T, f *fixture, o *Options) {
			o.MaxSize = 1000
		}, "larger than the 1000 allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			o := f.options()
			tt.setup(t, f, &o)
			err := f.update(t, o)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
			t.Logf("refused: %v", err)
			got, rerr := os.ReadFile(f.exe)
			if rerr != nil || !bytes.Equal(got, f.old) {
				t.Errorf("the running binary changed (%v), want it byte for byte untouched", rerr)
			}
			if names := dirNames(t, f.exe); !reflect.DeepEqual(names, []string{"freecam"}) {
				t.Errorf("got files %v left behind, want only freecam", names)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestApplyRefusesOlderAndPendingUpdates(t *testing.T) {
	f := newFixture(t)
	o := f.options()
	f.srv.putManifest(t, f.manifest)
	rel, err := Check(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	o.CurrentVersion = "1.1.0"
	if err := Apply(context.Background(), rel, o); err == nil || !strings.Contains(err.Error(), "not newer than the running 1.1.0") {
		t.Errorf("got %v for a reinstall, want \"not newer\"", err)
	}
	o.CurrentVersion = "devel-abc"
	if err := Apply(context.Background(), rel, o); err == nil || !strings.Contains(err.Error(), "cannot tell") {
		t.Errorf("got %v for a development build, want \"cannot tell\"", err)
	}
	o.AllowOlder = true
	if err := Apply(context.Background(), rel, o); err != nil {
		t.Fatalf("got %v with AllowOlder, want it applied", err)
	}
	installedNow, _ := os.ReadFile(f.exe)
	if err := Apply(context.Background(), rel, o); err == nil || !strings.Contains(err.Error(), "already waiting") {
		t.Errorf("got %v while an update is pending, want \"already waiting\"", err)
	}
	if got, _ := os.ReadFile(f.exe); !bytes.Equal(got, installedNow) {
		t.Error("a refused second update changed the binary")
	}
}

func TestApplyCancelled(t *testing.T) {
	f := newFixture(t)
	o := f.options()
	f.srv.putManifest(t, f.manifest)
	rel, err := Check(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Apply(ctx, rel, o); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if got, _ := os.ReadFile(f.exe); !bytes.Equal(got, f.old) {
		t.Error("a cancelled update changed the binary")
	}
}

func TestApplyChecksTheSignatureItself(t *testing.T) {
	f := newFixture(t)
	o := f.options()
	f.srv.putManifest(t, f.manifest)
	good, err := Check(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	_, otherPriv := newKey(t)
	tests := []struct {
		name   string
		change func(r *Release)
		want   string
	}{
		{"another key", func(r *Release) {
			r.Binary.Signature = entry(t, otherPriv, r.Version, r.Platform, "", f.new).Signature
		}, "signature does not verify"},
		{"version changed after the check", func(r *Release) { r.Version = "1.2.0" }, "signature does not verify"},
		{"platform changed after the check", func(r *Release) { r.Platform = "linux/mipsle" }, "is for linux/mipsle, this binary runs on linux/testarch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel := *good
			tt.change(&rel)
			if err := Apply(context.Background(), &rel, o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
			if got, _ := os.ReadFile(f.exe); !bytes.Equal(got, f.old) {
				t.Error("the binary changed")
			}
		})
	}
}

// TestApplyStreams downloads a 20 MB binary and watches the heap: the file must never be held in
// memory (the camera has 64 MB).
func TestApplyStreams(t *testing.T) {
	f := newFixture(t)
	big := make([]byte, 20<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>11)
	}
	f.srv.put("/bin/big", big)
	f.manifest.Binaries[testPlatform] = entry(t, f.priv, "1.1.0", testPlatform, "bin/big", big)
	f.srv.putManifest(t, f.manifest)
	o := f.options()
	o.NoRunCheck = true
	rel, err := Check(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	big = nil
	f.srv.mu.Lock()
	served := f.srv.files["/bin/big"] // the server's copy stays; measure growth above it
	f.srv.mu.Unlock()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	calls := 0
	o.ProgressInterval = time.Nanosecond
	o.Progress = func(done, total int64) {
		calls++
		if calls%16 == 0 || done == total {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if err := Apply(context.Background(), rel, o); err != nil {
		t.Fatal(err)
	}
	const limit = 8 << 20
	if grow := int64(peak) - int64(base); grow > limit {
		t.Errorf("got the heap growing by %d bytes during a %d-byte download, want under %d", grow, len(served), limit)
	}
	t.Logf("heap grew by at most %d KiB over %d progress reports", (int64(peak)-int64(base))>>10, calls)
	if fi, err := os.Stat(f.exe); err != nil || fi.Size() != int64(len(served)) {
		t.Errorf("got installed %v (%v), want %d bytes", fi, err, len(served))
	}
}
