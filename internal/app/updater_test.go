package app

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/update"

	"github.com/freecam/freecam/internal/testutil"
)

const updPlatform = "linux/testarch"

// updFixture is an HTTPS update server offering 1.1.0 (signed for updPlatform) over a running
// 1.0.0 binary in a temporary directory. The binary's download can be held halfway (hold), so a
// test sees the progress between 0 and 100.
type updFixture struct {
	srv      *httptest.Server
	pub      ed25519.PublicKey
	priv     ed25519.PrivateKey
	old, new []byte
	exe      string

	mu       sync.Mutex
	manifest []byte
	binary   []byte        // what the server sends (new, or a tampered copy)
	hold     chan struct{} // non-nil: the download stops halfway until it is closed
}

func newUpdFixture(t *testing.T) *updFixture {
	t.Helper()
	f := &updFixture{old: randomBytes(t, 64<<10), new: randomBytes(t, 512<<10)}
	var err error
	if f.pub, f.priv, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	f.binary = f.new
	f.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		manifest, data, hold := f.manifest, f.binary, f.hold
		f.mu.Unlock()
		switch r.URL.Path {
		case "/manifest.json":
			w.Write(manifest)
		case "/bin/freecam-testarch":
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			half := len(data) / 2
			w.Write(data[:half])
			if hold != nil {
				w.(http.Flusher).Flush()
				select {
				case <-hold:
				case <-r.Context().Done():
					return
				}
			}
			w.Write(data[half:])
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	f.exe = filepath.Join(t.TempDir(), "freecam")
	if err := os.WriteFile(f.exe, f.old, 0o755); err != nil {
		t.Fatal(err)
	}
	f.publish(t, "1.1.0", f.new)
	return f
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// publish signs data as version's binary and serves the manifest offering it.
func (f *updFixture) publish(t *testing.T, version string, data []byte) {
	t.Helper()
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	sig, err := update.Sign(f.priv, version, updPlatform, hexSum, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := json.Marshal(update.Manifest{Version: version, Released: time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC), Notes: "faster pictures",
		Binaries: map[string]update.Binary{updPlatform: {URL: "bin/freecam-testarch", SHA256: hexSum, Size: int64(len(data)), Signature: sig}}})
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.manifest = m
	f.mu.Unlock()
}

func (f *updFixture) config() conf.Update {
	return conf.Update{ManifestURL: f.srv.URL + "/manifest.json", PublicKey: base64.StdEncoding.EncodeToString(f.pub)}
}

// updater returns an updater for f's binary, running 1.0.0, whose restarts go to the channel.
func (f *updFixture) updater(t *testing.T, cfg func() conf.Update) (*updater, chan string) {
	t.Helper()
	restarts := make(chan string, 4)
	u := newUpdater("1.0.0", cfg, func(exe string) { restarts <- exe }, slog.New(slog.DiscardHandler))
	u.tune = func(o *update.Options) {
		o.Client, o.Platform, o.Executable = f.srv.Client(), updPlatform, f.exe
		o.NoRunCheck = true // the test's binaries are random bytes, not programs
		o.ProgressInterval = time.Nanosecond
	}
	return u, restarts
}

// runUpdater starts u.run and waits until it accepts installs; the cleanup stops it.
func runUpdater(t *testing.T, u *updater) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); u.run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	testutil.WaitFor(t, "the updater to run", func() bool {
		u.mu.Lock()
		defer u.mu.Unlock()
		return u.ctx != nil
	})
	return ctx
}

func TestUpdaterChecksAppliesWithProgressAndRestarts(t *testing.T) {
	f := newUpdFixture(t)
	u, restarts := f.updater(t, f.config)
	if err := u.Apply(context.Background()); err != errNotRunning {
		t.Fatalf("Apply before run: got %v, want %v", err, errNotRunning)
	}
	runUpdater(t, u)

	if err := u.Check(context.Background()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	st := u.State()
	if !st.Configured || st.Installed != "1.0.0" || st.Latest != "1.1.0" || !st.Available || st.Notes != "faster pictures" ||
		st.LastCheck.IsZero() || st.Error != "" || st.Checking || st.InProgress {
		t.Fatalf("after the check got %+v, want configured, 1.1.0 available over 1.0.0 with its notes, checked, no error", st)
	}

	hold := make(chan struct{})
	f.mu.Lock()
	f.hold = hold
	f.mu.Unlock()
	if err := u.Apply(context.Background()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if err := u.Apply(context.Background()); err == nil || !strings.Contains(err.Error(), "being installed") {
		t.Errorf("a second Apply during the install: got %v, want an error saying one is being installed", err)
	}
	if err := u.Check(context.Background()); err == nil {
		t.Error("a Check during the install: got nil, want an error")
	}
	var mid camera.UpdateState
	testutil.WaitFor(t, "the download to be halfway", func() bool {
		mid = u.State()
		return mid.InProgress && mid.Percentage >= 40 && mid.Percentage < 100
	})
	if got, _ := os.ReadFile(f.exe); !bytes.Equal(got, f.old) {
		t.Error("the binary changed while the download was still running")
	}
	close(hold)

	select {
	case exe := <-restarts:
		if exe != f.exe {
			t.Errorf("restart into %q, want %q", exe, f.exe)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no restart after the install; state %+v", u.State())
	}
	st = u.State()
	if st.InProgress || st.Percentage != 100 || !st.Restarting || st.Error != "" {
		t.Errorf("after the install got %+v, want not in progress, 100 %%, restarting, no error", st)
	}
	if got := u.restartRequested(); got != f.exe {
		t.Errorf("restartRequested: got %q, want %q", got, f.exe)
	}
	if got, _ := os.ReadFile(f.exe); !bytes.Equal(got, f.new) {
		t.Error("the binary is not the new release after the install")
	}
	if prev, _ := os.ReadFile(f.exe + ".previous"); !bytes.Equal(prev, f.old) {
		t.Error("the old binary was not kept as .previous")
	}
	if us, err := update.ReadStatus(f.exe); err != nil || us.Pending == nil || us.Pending.Version != "1.1.0" {
		t.Errorf("got status %+v (%v), want 1.1.0 pending its health check", us, err)
	}
	if err := u.Apply(context.Background()); err == nil || !strings.Contains(err.Error(), "restarting") {
		t.Errorf("Apply after the install: got %v, want an error saying the camera restarts", err)
	}
}

func TestUpdaterRefusals(t *testing.T) {
	t.Run("not set up", func(t *testing.T) {
		f := newUpdFixture(t)
		u, _ := f.updater(t, func() conf.Update { return conf.Update{} })
		runUpdater(t, u)
		for name, call := range map[string]func(context.Context) error{"Check": u.Check, "Apply": u.Apply} {
			if err := call(context.Background()); err == nil || !strings.Contains(err.Error(), "UPDATE_MANIFEST_URL") {
				t.Errorf("%s: got %v, want an error naming UPDATE_MANIFEST_URL", name, err)
			}
		}
		if u.State().Configured {
			t.Error("got Configured true without a manifest URL")
		}
	})
	t.Run("tampered binary", func(t *testing.T) {
		f := newUpdFixture(t)
		tampered := bytes.Clone(f.new)
		tampered[len(tampered)/3] ^= 1
		f.mu.Lock()
		f.binary = tampered
		f.mu.Unlock()
		u, restarts := f.updater(t, f.config)
		runUpdater(t, u)
		if err := u.Check(context.Background()); err != nil {
			t.Fatalf("Check: %v", err)
		}
		if err := u.Apply(context.Background()); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		testutil.WaitFor(t, "the install to end", func() bool { return !u.State().InProgress })
		st := u.State()
		if !strings.Contains(st.Error, "install:") || !strings.Contains(st.Error, "SHA-256") && !strings.Contains(st.Error, "sha256") {
			t.Errorf("got error %q, want the install's hash refusal", st.Error)
		}
		if st.Restarting || u.restartRequested() != "" || len(restarts) > 0 {
			t.Error("a refused install asked for a restart")
		}
		if got, _ := os.ReadFile(f.exe); !bytes.Equal(got, f.old) {
			t.Error("a refused install changed the binary")
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		f := newUpdFixture(t)
		other, _, _ := ed25519.GenerateKey(rand.Reader)
		u, _ := f.updater(t, func() conf.Update {
			c := f.config()
			c.PublicKey = base64.StdEncoding.EncodeToString(other)
			return c
		})
		runUpdater(t, u)
		err := u.Check(context.Background())
		if err == nil || !strings.Contains(err.Error(), "signature") || !strings.Contains(u.State().Error, "signature") {
			t.Errorf("got %v (state %q), want a signature refusal in both", err, u.State().Error)
		}
	})
	t.Run("nothing newer", func(t *testing.T) {
		f := newUpdFixture(t)
		f.publish(t, "1.0.0", f.new)
		u, restarts := f.updater(t, f.config)
		runUpdater(t, u)
		if err := u.Apply(context.Background()); err == nil || !strings.Contains(err.Error(), "check for updates first") {
			t.Errorf("Apply before any check: got %v, want a refusal asking for a check", err)
		}
		if err := u.Check(context.Background()); err != nil {
			t.Fatalf("Check: %v", err)
		}
		if err := u.Apply(context.Background()); err == nil || !strings.Contains(err.Error(), "nothing to install: the manifest offers 1.0.0 and 1.0.0 runs") {
			t.Errorf("Apply with nothing newer: got %v, want a refusal at once", err)
		}
		if st := u.State(); st.InProgress || st.Error != "" || st.Available {
			t.Errorf("got %+v, want no install started and no error recorded", st)
		}
		if len(restarts) > 0 {
			t.Error("asked for a restart with nothing installed")
		}
	})
}

// TestUpdaterFailedCheck: a check that fails is recorded (time and error) and logged once,
// whether asked for or periodic; the server's HTML error page stays out of both.
func TestUpdaterFailedCheck(t *testing.T) {
	f := newUpdFixture(t)
	f.mu.Lock()
	f.manifest = nil
	f.mu.Unlock()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("<html><body><h1>Oops</h1></body></html>"))
	}))
	t.Cleanup(srv.Close)
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, nil)).With("component", "update")
	cfg := func() conf.Update {
		c := f.config()
		c.ManifestURL, c.CheckInterval = srv.URL+"/manifest.json", time.Hour
		return c
	}
	u := newUpdater("1.0.0", cfg, func(string) {}, log)
	u.tune = func(o *update.Options) { o.Client, o.Platform, o.Executable = srv.Client(), updPlatform, f.exe }
	ctx := runUpdater(t, u)
	before := time.Now()
	if err := u.Check(context.Background()); err == nil {
		t.Fatal("Check: got nil, want the server error")
	}
	st := u.State()
	if st.LastCheck.Before(before) || !strings.Contains(st.Error, "500 Internal Server Error") || strings.Contains(st.Error, "<") {
		t.Errorf("got last check %v, error %q; want the time of the failed check and the status without the page", st.LastCheck, st.Error)
	}
	u.periodic(ctx, time.Now())
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got log %q, want one line per failed check", buf.String())
	}
	for _, l := range lines {
		if !strings.Contains(l, `msg="update check failed"`) || strings.Count(l, "component=update") != 1 || strings.Contains(l, "<html") {
			t.Errorf("got log line %q, want \"update check failed\" naming the component once, without the page", l)
		}
	}
}

// TestUpdaterTrustsUpdateCAFile checks against a local HTTPS server with its own CA: refused with
// the system's roots, accepted with UPDATE_CA_FILE.
func TestUpdaterTrustsUpdateCAFile(t *testing.T) {
	f := newUpdFixture(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	caFile := ""
	u, _ := f.updater(t, func() conf.Update { c := f.config(); c.CAFile = caFile; return c })
	u.tune = func(o *update.Options) { o.Platform, o.Executable = updPlatform, f.exe } // no test client
	if err := u.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("without UPDATE_CA_FILE: got %v, want a certificate error", err)
	}
	caFile = ca
	if err := u.Check(context.Background()); err != nil || u.State().Latest != "1.1.0" {
		t.Fatalf("with UPDATE_CA_FILE: got %v (state %+v), want 1.1.0 found", err, u.State())
	}
}

// syncBuffer is a bytes.Buffer safe for the logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestUpdaterPeriodicAutoInstallSkipsARolledBackRelease(t *testing.T) {
	f := newUpdFixture(t)
	cfg := func() conf.Update {
		c := f.config()
		c.CheckInterval, c.Auto = time.Hour, true
		return c
	}
	u, restarts := f.updater(t, cfg)
	ctx := runUpdater(t, u)
	now := time.Now()
	u.periodic(ctx, now)
	select {
	case <-restarts:
	case <-time.After(10 * time.Second):
		t.Fatalf("UPDATE_AUTO did not install 1.1.0; state %+v", u.State())
	}
	// The new binary did not prove healthy: the guard put the old one back.
	if _, err := update.RollbackTo(f.exe, "not healthy in time", now); err != nil {
		t.Fatal(err)
	}

	u2, restarts2 := f.updater(t, cfg)
	ctx2 := runUpdater(t, u2)
	u2.periodic(ctx2, now)
	st := u2.State()
	if !st.Available || st.Latest != "1.1.0" || st.LastRollback == nil || st.LastRollback.Version != "1.1.0" {
		t.Fatalf("got %+v, want 1.1.0 available and its rollback recorded", st)
	}
	if st.InProgress || len(restarts2) > 0 {
		t.Error("the automatic update installed the release that was rolled back")
	}
	// Not due again within the hour; due after it.
	u2.periodic(ctx2, now.Add(30*time.Minute))
	if got := u2.State().LastCheck; !got.Equal(st.LastCheck) {
		t.Errorf("checked again after 30 min with UPDATE_CHECK_HOURS=1 (last check %v, was %v)", got, st.LastCheck)
	}
	u2.periodic(ctx2, now.Add(61*time.Minute))
	if got := u2.State().LastCheck; !got.After(st.LastCheck) {
		t.Errorf("no check after 61 min with UPDATE_CHECK_HOURS=1 (last check %v)", got)
	}
}

// TestUpdaterOffWithUpdateConfProblem: with errors in update.conf (conf.Update.Problem) no check
// or install runs, periodic or asked for, and the state's error says why updates are off.
func TestUpdaterOffWithUpdateConfProblem(t *testing.T) {
	f := newUpdFixture(t)
	const problem = "update.conf:2: UPDATE_CA_FILE: cannot read the CA file /etc/nope.pem"
	cfg := func() conf.Update {
		c := f.config()
		c.CheckInterval, c.Auto, c.Problem = time.Hour, true, problem
		return c
	}
	u, restarts := f.updater(t, cfg)
	ctx := runUpdater(t, u)
	want := "updates are off: " + problem
	for name, call := range map[string]func(context.Context) error{"Check": u.Check, "Apply": u.Apply} {
		if err := call(context.Background()); err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %q", name, err, want)
		}
	}
	u.periodic(ctx, time.Now())
	st := u.State()
	if st.Error != want || st.Configured || !st.LastCheck.IsZero() || st.Latest != "" || st.InProgress || len(restarts) > 0 {
		t.Errorf("got %+v, want error %q, not configured, and no check or install run", st, want)
	}
	if got, _ := os.ReadFile(f.exe); !bytes.Equal(got, f.old) {
		t.Error("the binary changed with updates off")
	}
}

// TestUpdaterDiskVersion: once the binary on disk is not the file this process started from, the
// state names its version (asked once per change of the file), and nothing when it says the
// running version.
func TestUpdaterDiskVersion(t *testing.T) {
	f := newUpdFixture(t)
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	script := func(v string) {
		t.Helper()
		// Written to a new file and renamed over, as an install or a rollback does.
		tmp := f.exe + ".tmp"
		body := "#!/bin/sh\necho x >> " + calls + "\necho '{\"version\":\"" + v + "\"}'\n"
		if err := os.WriteFile(tmp, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, f.exe); err != nil {
			t.Fatal(err)
		}
	}
	asked := func() int {
		b, _ := os.ReadFile(calls)
		return strings.Count(string(b), "x")
	}
	u, _ := f.updater(t, f.config)
	replaced := ""
	u.replaced = func() (string, os.FileInfo) {
		if replaced == "" {
			return "", nil
		}
		fi, err := os.Stat(replaced)
		if err != nil {
			t.Fatal(err)
		}
		return replaced, fi
	}
	if st := u.State(); st.DiskVersion != "" {
		t.Errorf("with the binary unchanged: got disk version %q, want none", st.DiskVersion)
	}

	script("0.9.0") // freecam update --rollback from a shell
	replaced = f.exe
	for range 3 {
		if st := u.State(); st.DiskVersion != "0.9.0" || st.Installed != "1.0.0" {
			t.Errorf("after the rollback on disk: got disk %q installed %q, want 0.9.0 on disk, 1.0.0 running", st.DiskVersion, st.Installed)
		}
	}
	if n := asked(); n != 1 {
		t.Errorf("the binary on disk was asked its version %d times for 3 states of one file, want 1", n)
	}
	script("1.0.0") // the running version put back
	if st := u.State(); st.DiskVersion != "" {
		t.Errorf("with the running version on disk: got disk version %q, want none", st.DiskVersion)
	}
	os.WriteFile(f.exe, []byte("not a program"), 0o755)
	if st := u.State(); st.DiskVersion != "unknown" {
		t.Errorf("with a binary that says nothing: got disk version %q, want \"unknown\"", st.DiskVersion)
	}
	if n := asked(); n != 2 {
		t.Errorf("got %d version questions after two changes of the file, want 2", n)
	}
}
