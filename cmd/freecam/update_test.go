package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/update"
)

// buildFreecamVersion builds this freecam, pure Go, stamped with version, into dir/name.
func buildFreecamVersion(t *testing.T, dir, name, version string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", out,
		"-ldflags", "-X github.com/freecam/freecam/internal/buildinfo.version="+version, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestUpdateEndToEnd publishes a release the way a maintainer does (keygen, sign) on an HTTPS
// server and lets an installed freecam 1.0.0 update itself to 1.1.0 from the command line.
func TestUpdateEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds freecam twice")
	}
	work := t.TempDir()
	platform := update.PlatformFor(runtime.GOOS, runtime.GOARCH, "", "")
	dist := filepath.Join(work, "dist")
	os.Mkdir(dist, 0o755)
	var newBin string
	var wg sync.WaitGroup
	var oldBin string
	wg.Add(2)
	go func() {
		defer wg.Done()
		newBin = buildFreecamVersion(t, dist, "freecam-"+strings.ReplaceAll(platform, "/", "-"), "1.1.0")
	}()
	go func() { defer wg.Done(); oldBin = buildFreecamVersion(t, work, "freecam", "1.0.0") }()
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	key := filepath.Join(work, "release.key")
	code, out, errOut := runMain(t, "release", "keygen", "--out", key)
	if code != 0 {
		t.Fatalf("keygen: got %d %s%s", code, out, errOut)
	}
	privText, _ := os.ReadFile(key)
	if private := strings.TrimSpace(string(privText)); private == "" || strings.Contains(out+errOut, private[:20]) {
		t.Errorf("keygen printed %q, want no part of the private key", out+errOut)
	}
	var mux http.ServeMux
	srv := httptest.NewTLSServer(&mux)
	defer srv.Close()
	manifest := filepath.Join(work, "manifest.json")
	code, out, errOut = runMain(t, "release", "sign", "--key", key, "--version", "1.1.0", "--url-base", srv.URL+"/dl",
		"--notes", "faster", "--out", manifest, newBin)
	if code != 0 {
		t.Fatalf("sign: got %d %s%s", code, out, errOut)
	}
	if want := "wrote " + manifest + ": version 1.1.0, 1 binary\n"; errOut != want {
		t.Errorf("sign said %q, want %q", errOut, want)
	}
	var tampered atomic.Bool
	mux.HandleFunc("/manifest.json", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, manifest) })
	mux.HandleFunc("/dl/", func(w http.ResponseWriter, r *http.Request) {
		data, _ := os.ReadFile(filepath.Join(dist, filepath.Base(r.URL.Path)))
		if tampered.Load() {
			data[len(data)-100] ^= 0xff
		}
		w.Write(data)
	})
	ca := filepath.Join(work, "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)

	run := func(args ...string) (string, error) {
		cmd := exec.Command(oldBin, args...)
		cmd.Dir = work // no ./config there
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	common := []string{"--manifest", srv.URL + "/manifest.json", "--public-key", key + ".pub", "--ca-file", ca}
	oldBytes, _ := os.ReadFile(oldBin)

	if out, err := run(append([]string{"update", "--check"}, common...)...); err != nil || !strings.Contains(out, "freecam 1.1.0 is available (this binary: 1.0.0)") || !strings.Contains(out, "faster") {
		t.Errorf("--check: got %v %q, want 1.1.0 offered with its notes", err, out)
	}
	// update.conf gives what the flags do not; flags win.
	cfgDir := filepath.Join(work, "cfg")
	os.Mkdir(cfgDir, 0o755)
	pubText, _ := os.ReadFile(key + ".pub")
	writeUpdateConf := func(manifestURL string) {
		t.Helper()
		conf := "UPDATE_MANIFEST_URL=" + manifestURL + "\nUPDATE_PUBLIC_KEY=" + strings.TrimSpace(string(pubText)) + "\nUPDATE_CA_FILE=" + ca + "\n"
		if err := os.WriteFile(filepath.Join(cfgDir, "update.conf"), []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeUpdateConf(srv.URL + "/manifest.json")
	if out, err := run("update", "--check", "--config", cfgDir); err != nil || !strings.Contains(out, "freecam 1.1.0 is available (this binary: 1.0.0)") {
		t.Errorf("--check --config: got %v %q, want 1.1.0 offered from update.conf's settings", err, out)
	}
	writeUpdateConf("https://127.0.0.1:1/nothing.json")
	if out, err := run("update", "--check", "--config", cfgDir, "--manifest", srv.URL+"/manifest.json"); err != nil || !strings.Contains(out, "freecam 1.1.0 is available") {
		t.Errorf("--manifest over update.conf's: got %v %q, want the flag's manifest used", err, out)
	}
	if out, err := run("update", "--check"); err == nil || !strings.Contains(out, "give --manifest URL or set UPDATE_MANIFEST_URL in config/update.conf") {
		t.Errorf("no manifest anywhere: got %v %q, want both ways named", err, out)
	}
	// The private key given as the public one: refused, never printed.
	private := strings.TrimSpace(string(privText))
	for _, v := range []string{key, private} {
		out, err := run("update", "--check", "--manifest", srv.URL+"/manifest.json", "--ca-file", ca, "--public-key", v)
		if err == nil || !strings.Contains(out, "PRIVATE key") || !strings.Contains(out, "treat this private key as leaked") || strings.Contains(out, private[:20]) {
			t.Errorf("--public-key with the private key: got %v %q, want a refusal naming it without printing it", err, out)
		}
	}

	tests := []struct {
		name, want string
		args       []string
	}{
		{"without the CA", "certificate signed by unknown authority", []string{"--manifest", srv.URL + "/manifest.json", "--public-key", key + ".pub"}},
		{"without the key", "no public key", []string{"--manifest", srv.URL + "/manifest.json", "--ca-file", ca}},
		{"over http", "want https://", []string{"--manifest", strings.Replace(srv.URL, "https", "http", 1) + "/manifest.json", "--public-key", key + ".pub", "--ca-file", ca}},
		{"tampered binary", "sha256 mismatch", common},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tampered.Store(tt.name == "tampered binary")
			defer tampered.Store(false)
			out, err := run(append([]string{"update"}, tt.args...)...)
			if err == nil || !strings.Contains(out, tt.want) {
				t.Errorf("got %v %q, want a failure saying %q", err, out, tt.want)
			}
			if got, _ := os.ReadFile(oldBin); !bytes.Equal(got, oldBytes) {
				t.Error("the binary changed")
			}
		})
	}

	out, err := run(append([]string{"update"}, common...)...)
	if err != nil || !strings.Contains(out, "installed freecam 1.1.0 (was 1.0.0, kept as .previous): restart freecam to run it; it must report healthy within 3m0s") ||
		!strings.Contains(out, "100%") || strings.Count(out, "\n") != strings.Count(out, "downloading")+1 {
		t.Fatalf("update: got %v %q, want 1.1.0 installed with progress and a one-line confirmation", err, out)
	}
	if out, err := run("version"); err != nil || !strings.HasPrefix(out, "freecam 1.1.0") {
		t.Errorf("after the update the binary says %q (%v), want freecam 1.1.0", out, err)
	}
	if out, err := run("update", "--status"); err != nil || !strings.Contains(out, "pending: 1.1.0 over 1.0.0") {
		t.Errorf("--status: got %q (%v), want 1.1.0 pending", out, err)
	}
	// 1.1.0 proved healthy (no .pending); a rollback by hand reads the versions from the binaries.
	os.Remove(oldBin + ".pending")
	if out, err := run("update", "--rollback"); err != nil || !strings.Contains(out, "put the previous binary back (1.0.0)") {
		t.Errorf("--rollback: got %q (%v)", out, err)
	}
	if out, err := run("update", "--status"); err != nil || !strings.Contains(out, "rolled back: 1.1.0 (back to 1.0.0) at ") {
		t.Errorf("--status after the rollback: got %q (%v), want both versions", out, err)
	}
	// --status speaks for the binary it is, never for the camera process (which may still run
	// 1.1.0 after the rollback), and names the version of a --binary elsewhere.
	if out, err := run("update", "--status"); err != nil || !strings.HasPrefix(out, "this binary: 1.0.0 on ") || strings.Contains(out, "running 1.0.0") {
		t.Errorf("--status: got %q (%v), want it to start with \"this binary: 1.0.0\" and claim nothing runs it", out, err)
	}
	if code, out, errOut := runMain(t, "update", "--status", "--binary", oldBin); code != 0 || !strings.Contains(out, "\n"+oldBin+": 1.0.0\n") || !strings.HasPrefix(out, "this binary: ") {
		t.Errorf("--status --binary elsewhere: got %d %q %q, want this binary's version and %s's (1.0.0)", code, out, errOut, oldBin)
	}
	if got, _ := os.ReadFile(oldBin); !bytes.Equal(got, oldBytes) {
		t.Error("--rollback did not restore the previous binary byte for byte")
	}
}

func TestReleaseSignWritesAVerifiableManifest(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "k")
	if code, _, errOut := runMain(t, "release", "keygen", "--out", key); code != 0 {
		t.Fatal(errOut)
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("got private key mode %v (%v), want 0600", fi.Mode(), err)
	}
	if code, _, errOut := runMain(t, "release", "keygen", "--out", key); code != 1 || !strings.Contains(errOut, "not overwriting") {
		t.Errorf("a second keygen: got %d %q, want a refusal", code, errOut)
	}
	bins := map[string]string{"freecam-linux-mipsle": "linux/mipsle", "freecam-1.2.0-linux-amd64-x264": "linux/amd64-x264"}
	var paths []string
	for name := range bins {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("binary "+name), 0o755)
		paths = append(paths, p)
	}
	code, out, errOut := runMain(t, append([]string{"release", "sign", "--key", key, "--version", "1.2.0", "--url-base", "https://example.org/r/1.2.0/"}, paths...)...)
	if code != 0 {
		t.Fatalf("got %d %s", code, errOut)
	}
	m, err := update.ParseManifest([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	pubText, _ := os.ReadFile(key + ".pub")
	keys, err := update.ParsePublicKeys(string(pubText))
	if err != nil {
		t.Fatal(err)
	}
	for name, platform := range bins {
		b, ok := m.Binaries[platform]
		if !ok {
			t.Errorf("got no entry for %s in %s", platform, out)
			continue
		}
		if want := "https://example.org/r/1.2.0/" + name; b.URL != want || b.Size != int64(len("binary "+name)) {
			t.Errorf("%s: got url %s size %d, want %s and %d", platform, b.URL, b.Size, want, len("binary "+name))
		}
		if err := b.Verify(keys, "1.2.0", platform); err != nil {
			t.Errorf("%s: %v", platform, err)
		}
		if err := b.Verify(keys, "1.2.1", platform); err == nil {
			t.Errorf("%s: the signature verifies for another version", platform)
		}
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal([]byte(out), &raw); raw["released"] == nil {
		t.Errorf("got no released date in %s", out)
	}
	var other = []ed25519.PublicKey{make(ed25519.PublicKey, 32)}
	if err := m.Binaries["linux/mipsle"].Verify(other, "1.2.0", "linux/mipsle"); err == nil {
		t.Error("the signature verifies with another key")
	}

	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--key", key, "--version", "1.2.0", "--url-base", "http://example.org/", paths[0]}, "want an https:// URL"},
		{[]string{"--key", key, "--version", "soon", "--url-base", "https://example.org/", paths[0]}, "want MAJOR.MINOR.PATCH"},
		{[]string{"--key", key, "--version", "1.2.0", "--url-base", "https://example.org/", filepath.Join(dir, "k.pub")}, "want a name like freecam-linux-mipsle"},
		{[]string{"--key", key + ".pub", "--version", "1.2.0", "--url-base", "https://example.org/", paths[0]}, "private key"},
		{[]string{"--version", "1.2.0", paths[0]}, "are needed"},
	} {
		if code, _, errOut := runMain(t, append([]string{"release", "sign"}, bad.args...)...); code == 0 || !strings.Contains(errOut, bad.want) {
			t.Errorf("sign %v: got %d %q, want a failure saying %q", bad.args, code, errOut, bad.want)
		}
	}
}

// checkServer serves a manifest offering 1.1.0 for this platform, signed with a fresh release
// key, over HTTPS; it returns the manifest URL, the key files and the server's CA file.
func checkServer(t *testing.T) (manifestURL, privFile, pubFile, ca string) {
	t.Helper()
	dir := t.TempDir()
	privFile = filepath.Join(dir, "release.key")
	if code, _, errOut := runMain(t, "release", "keygen", "--out", privFile); code != 0 {
		t.Fatalf("keygen: %s", errOut)
	}
	privText, _ := os.ReadFile(privFile)
	priv, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(privText)))
	if err != nil || len(priv) != ed25519.PrivateKeySize {
		t.Fatalf("got a private key of %d bytes (%v)", len(priv), err)
	}
	data := []byte("the new binary")
	sum := sha256.Sum256(data)
	sig, err := update.Sign(ed25519.PrivateKey(priv), "1.1.0", ownPlatform(), hex.EncodeToString(sum[:]), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var mux http.ServeMux
	srv := httptest.NewTLSServer(&mux)
	t.Cleanup(srv.Close)
	m, _ := json.Marshal(update.Manifest{Version: "1.1.0", Released: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		Binaries: map[string]update.Binary{ownPlatform(): {URL: srv.URL + "/freecam", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Signature: sig}}})
	mux.HandleFunc("/manifest.json", func(w http.ResponseWriter, r *http.Request) { w.Write(m) })
	ca = filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)
	return srv.URL + "/manifest.json", privFile, privFile + ".pub", ca
}

// --check speaks for the binary it is, not for the camera (which may run another version).
func TestUpdateCheckNamesThisBinary(t *testing.T) {
	manifestURL, _, pub, ca := checkServer(t)
	defer func(v string) { buildVersion = v }(buildVersion)
	for _, tc := range []struct{ version, want string }{
		{"1.0.0", "freecam 1.1.0 is available (this binary: 1.0.0), released 2026-11-20\n"},
		{"1.1.0", "up to date: the manifest offers 1.1.0, this binary: 1.1.0\n"},
		{"devel-abc", "this binary is a development build (devel-abc): the manifest offers 1.1.0; --force installs it\n"},
	} {
		t.Run(tc.version, func(t *testing.T) {
			buildVersion = tc.version
			code, out, errOut := runMain(t, "update", "--check", "--config", t.TempDir(), "--manifest", manifestURL, "--public-key", pub, "--ca-file", ca)
			if code != 0 || !strings.HasPrefix(out, tc.want) || strings.Contains(out, "running 1") || !strings.Contains(out, "a running camera keeps the version it started with") {
				t.Errorf("got %d %q %q, want it to start with %q and claim nothing about what the camera runs", code, out, errOut, tc.want)
			}
		})
	}
}

// A flag replaces update.conf's key even when that key is broken; update.conf's other keys
// still apply. The broken value is never printed.
func TestUpdateFlagsStandInForABrokenUpdateConf(t *testing.T) {
	manifestURL, privFile, pub, ca := checkServer(t)
	privText, _ := os.ReadFile(privFile)
	private := strings.TrimSpace(string(privText))
	pubText, _ := os.ReadFile(pub)
	public := strings.TrimSpace(string(pubText))
	defer func(v string) { buildVersion = v }(buildVersion)
	buildVersion = "1.0.0"
	offered := "freecam 1.1.0 is available (this binary: 1.0.0)"
	for _, tc := range []struct {
		name, conf string
		flags      []string
		wantCode   int
		wantOut    string // in stdout
		wantErr    string // in stderr
	}{
		{"missing CA file, --ca-file given",
			"UPDATE_MANIFEST_URL=" + manifestURL + "\nUPDATE_CA_FILE=/nonexistent/ca.pem\nUPDATE_PUBLIC_KEY=" + public + "\n",
			[]string{"--ca-file", ca}, 0, offered, "update.conf:2: UPDATE_CA_FILE: cannot read the CA file"},
		{"private key as the public one, --public-key given",
			"UPDATE_MANIFEST_URL=" + manifestURL + "\nUPDATE_CA_FILE=" + ca + "\nUPDATE_PUBLIC_KEY=" + private + "\n",
			[]string{"--public-key", pub}, 0, offered, "update.conf:3: UPDATE_PUBLIC_KEY: the key is a release PRIVATE key"},
		{"both broken, both flags given",
			"UPDATE_MANIFEST_URL=" + manifestURL + "\nUPDATE_CA_FILE=relative.pem\nUPDATE_PUBLIC_KEY=" + private + "\n",
			[]string{"--public-key", pub, "--ca-file", ca}, 0, offered, "the flags stand in for the broken keys"},
		{"unreadable update.conf, --manifest given: the flags alone",
			"", // update.conf is a directory
			[]string{"--manifest", manifestURL, "--public-key", pub, "--ca-file", ca}, 0, offered, "update.conf has errors; leaving it out and using the flags alone:\nupdate.conf: cannot read"},
		{"broken key without its flag, --manifest given: the flags alone",
			"UPDATE_MANIFEST_URL=https://127.0.0.1:1/m.json\nUPDATE_CA_FILE=" + ca + "\nUPDATE_PUBLIC_KEY=" + private + "\n",
			[]string{"--manifest", manifestURL, "--ca-file", ca}, 1, "", "leaving it out and using the flags alone"},
		{"broken key without its flag, no --manifest: refused",
			"UPDATE_MANIFEST_URL=" + manifestURL + "\nUPDATE_CA_FILE=/nonexistent/ca.pem\nUPDATE_PUBLIC_KEY=" + private + "\n",
			[]string{"--public-key", pub}, 1, "", "update.conf:2: UPDATE_CA_FILE: cannot read the CA file"},
		{"broken manifest URL without --manifest: refused",
			"UPDATE_MANIFEST_URL=http://example.org/m.json\nUPDATE_CA_FILE=" + ca + "\n",
			[]string{"--public-key", pub}, 1, "", "freecam update: update.conf:1: UPDATE_MANIFEST_URL: must use https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.conf == "" {
				os.Mkdir(filepath.Join(dir, "update.conf"), 0o755)
			} else if err := os.WriteFile(filepath.Join(dir, "update.conf"), []byte(tc.conf), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runMain(t, append([]string{"update", "--check", "--config", dir}, tc.flags...)...)
			if code != tc.wantCode || !strings.Contains(out, tc.wantOut) || !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("got %d %q %q, want %d, %q in stdout and %q in stderr", code, out, errOut, tc.wantCode, tc.wantOut, tc.wantErr)
			}
			if strings.Contains(out+errOut, private[:20]) {
				t.Errorf("got %q %q, which quotes the private key", out, errOut)
			}
		})
	}
}
