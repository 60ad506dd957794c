package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/buildinfo"
)

// runVersionJSON runs `BIN version --json` (through runner, e.g. qemu, when given) and decodes it.
func runVersionJSON(t *testing.T, runner, bin string) buildinfo.Info {
	t.Helper()
	args := []string{bin, "version", "--json"}
	if runner != "" {
		args = append([]string{runner}, args...)
	}
	out, err := exec.Command(args[0], args[1:]...).Output()
	if err != nil {
		t.Fatalf("%s version --json: %v", bin, err)
	}
	var i buildinfo.Info
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&i); err != nil {
		t.Fatalf("%s version --json: got %q: %v", bin, out, err)
	}
	return i
}

// TestVersionOfAPureGoBuild builds freecam without cgo, stamped as a release is, and reads what
// `freecam version` and `freecam version --json` say about it.
func TestVersionOfAPureGoBuild(t *testing.T) {
	const pkg = "github.com/freecam/freecam/internal/buildinfo"
	const rev = "0123456789abcdef0123456789abcdef01234567"
	bin := filepath.Join(t.TempDir(), "freecam")
	cmd := exec.Command("go", "build", "-buildvcs=false", "-tags", "freecamtest", "-ldflags",
		"-X "+pkg+".version=1.2.3-test -X "+pkg+".commit="+rev+" -X "+pkg+".date=2026-11-26T18:00:00Z", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}

	i := runVersionJSON(t, "", bin)
	for _, c := range []struct{ field, got, want string }{
		{"version", i.Version, "1.2.3-test"},
		{"commit", i.Commit, rev},
		{"build_date", i.BuildDate, "2026-11-26T18:00:00Z"},
		{"os", i.OS, runtime.GOOS},
		{"arch", i.Arch, runtime.GOARCH},
		{"go_version", i.GoVersion, runtime.Version()},
		{"h264_encoder", i.H264Encoder, ""},
		{"jpeg_encoder", i.JPEGEncoder, "image/jpeg"},
		{"tags", strings.Join(i.Tags, ","), "freecamtest"},
	} {
		if c.got != c.want {
			t.Errorf("version --json %s: got %q, want %q", c.field, c.got, c.want)
		}
	}
	if i.CGO || i.Modified {
		t.Errorf("version --json cgo, modified: got %v, %v, want false, false", i.CGO, i.Modified)
	}

	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("version: %v", err)
	}
	text := string(out)
	for _, want := range []string{
		"freecam 1.2.3-test\n",
		"commit  " + rev + "\n",
		"built   2026-11-26T18:00:00Z\n",
		"target  " + runtime.GOOS + "/" + runtime.GOARCH,
		"tags    freecamtest\n",
		"cgo     off\n",
		"h264    none: this build cannot encode H.264 itself",
		"jpeg    image/jpeg\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("version: got\n%s\nwant it to contain %q", text, want)
		}
	}
	if !strings.HasPrefix(text, "freecam 1.2.3-test\n") {
		t.Errorf("version: got first line %q, want \"freecam 1.2.3-test\"", strings.SplitN(text, "\n", 2)[0])
	}
}

// TestVersionCommandInProcess runs `version` in this test binary (cgo or not, as it was built)
// and checks the encoder line against what the build can do, and the flag errors.
func TestVersionCommandInProcess(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"version", "--json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("version --json: got exit code %d (%s), want 0", code, stderr.String())
	}
	var i buildinfo.Info
	if err := json.Unmarshal(stdout.Bytes(), &i); err != nil {
		t.Fatalf("version --json: got %q: %v", stdout.String(), err)
	}
	if i.Version != version() || i.Version == "" {
		t.Errorf("version --json version: got %q, want version() = %q and not empty", i.Version, version())
	}
	stdout.Reset()
	Main([]string{"version"}, &stdout, &stderr)
	wantH264 := "h264    " + i.H264Encoder + "\n"
	if i.H264Encoder == "" {
		wantH264 = "h264    none:"
	}
	if !strings.Contains(stdout.String(), wantH264) {
		t.Errorf("version: got\n%s\nwant it to contain %q", stdout.String(), wantH264)
	}
	for _, args := range [][]string{{"version", "--yaml"}, {"version", "extra"}} {
		stderr.Reset()
		if code := Main(args, &stdout, &stderr); code != 2 || stderr.Len() == 0 {
			t.Errorf("%v: got exit code %d and stderr %q, want 2 and a message", args, code, stderr.String())
		}
	}
}

// releaseClone clones the repository's HEAD into a temporary directory and commits the working
// tree's scripts/release.sh into it, so the script runs on a clean tree whatever colleagues have
// uncommitted here. It returns the clone and its HEAD.
func releaseClone(t *testing.T) (dir, head string) {
	t.Helper()
	for _, tool := range []string{"git", "bash", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not in a git checkout (%v): the release script needs one", err)
	}
	root := strings.TrimSpace(string(top))
	dir = filepath.Join(t.TempDir(), "src")
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.invalid",
			"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.invalid")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("git", "clone", "--quiet", "--local", root, dir).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	script, err := os.ReadFile(filepath.Join(root, "scripts", "release.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "scripts", "release.sh"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	git("add", "scripts/release.sh")
	git("commit", "--quiet", "--allow-empty", "--no-gpg-sign", "-m", "release.sh under test")
	return dir, git("rev-parse", "HEAD")
}

// runRelease runs the clone's scripts/release.sh with args and returns its exit code and output.
func runRelease(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join(dir, "scripts", "release.sh")}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		t.Fatalf("release.sh: %v\n%s", err, out)
	}
	return 0, string(out)
}

// checkSums verifies out/SHA256SUMS against the files and that it lists exactly names.
func checkSums(t *testing.T, out string, names ...string) {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var listed []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q: want \"HEX  NAME\"", sc.Text())
		}
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != sum {
			t.Errorf("SHA256SUMS %s: got %s in the file, want %s (the binary's)", name, sum, hex.EncodeToString(got[:]))
		}
		listed = append(listed, name)
	}
	if strings.Join(listed, " ") != strings.Join(names, " ") {
		t.Errorf("SHA256SUMS lists %v, want %v", listed, names)
	}
}

// TestReleaseScriptBuildsAndChecks runs scripts/release.sh for the pure-Go amd64 target and the
// camera's mipsle (checked under qemu when it is installed), on a clean clone: the binaries carry
// the version, the clone's commit and a build date, SHA256SUMS matches them, a size table is
// printed; then a dirty tree is refused, and accepted with --allow-dirty as modified.
func TestReleaseScriptBuildsAndChecks(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("the release script runs its amd64 binaries natively: not on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	dir, head := releaseClone(t)
	out := filepath.Join(t.TempDir(), "out")
	start := time.Now().UTC().Truncate(time.Second)
	code, log := runRelease(t, dir, "--targets", "linux/amd64,linux/mipsle", "--out", out, "1.2.3-rc.1")
	if code != 0 {
		t.Fatalf("release.sh: got exit code %d, want 0; output:\n%s", code, log)
	}
	i := runVersionJSON(t, "", filepath.Join(out, "freecam-linux-amd64"))
	if i.Version != "1.2.3-rc.1" || i.Commit != head || i.Modified || i.CGO || i.H264Encoder != "" {
		t.Errorf("amd64 version --json: got version %q commit %q modified %v cgo %v h264 %q, want 1.2.3-rc.1, %s, false, false, none",
			i.Version, i.Commit, i.Modified, i.CGO, i.H264Encoder, head)
	}
	if d, err := time.Parse(time.RFC3339, i.BuildDate); err != nil || d.Before(start) || d.After(time.Now().Add(time.Minute)) {
		t.Errorf("build_date: got %q (%v), want an RFC 3339 time since the test started (%s)", i.BuildDate, err, start.Format(time.RFC3339))
	}
	if _, err := exec.LookPath("qemu-mipsel-static"); err == nil {
		if !strings.Contains(log, "checked freecam-linux-mipsle under qemu-mipsel-static") {
			t.Errorf("release.sh output: want the mipsle binary checked under qemu; got\n%s", log)
		}
		m := runVersionJSON(t, "qemu-mipsel-static", filepath.Join(out, "freecam-linux-mipsle"))
		if m.Arch != "mipsle" || m.ArchVariant != "GOMIPS=softfloat" || m.Version != "1.2.3-rc.1" {
			t.Errorf("mipsle version --json: got arch %q %q version %q, want mipsle GOMIPS=softfloat 1.2.3-rc.1", m.Arch, m.ArchVariant, m.Version)
		}
	} else if !strings.Contains(log, "not checked: cannot run linux/mipsle here") {
		t.Errorf("release.sh output without qemu: want a 'not checked' line for mipsle; got\n%s", log)
	}
	checkSums(t, out, "freecam-linux-amd64", "freecam-linux-mipsle")
	for _, name := range []string{"freecam-linux-amd64", "freecam-linux-mipsle"} {
		st, err := os.Stat(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(log, name) || !strings.Contains(log, " "+strconv.FormatInt(st.Size(), 10)+" ") {
			t.Errorf("release.sh size table: want %s with %d bytes; got\n%s", name, st.Size(), log)
		}
		t.Logf("%s: %.1f MiB", name, float64(st.Size())/(1<<20))
	}

	// A dirty tree: refused without --allow-dirty, and nothing built.
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dirtyOut := filepath.Join(t.TempDir(), "dirty")
	code, log = runRelease(t, dir, "--targets", "linux/amd64", "--out", dirtyOut, "1.2.4")
	if code == 0 || !strings.Contains(log, "--allow-dirty") || !strings.Contains(log, "README.md") {
		t.Errorf("release.sh on a dirty tree: got exit code %d, want non-zero and a message naming README.md and --allow-dirty; output:\n%s", code, log)
	}
	if _, err := os.Stat(filepath.Join(dirtyOut, "freecam-linux-amd64")); err == nil {
		t.Errorf("release.sh on a dirty tree built %s anyway", filepath.Join(dirtyOut, "freecam-linux-amd64"))
	}
	code, log = runRelease(t, dir, "--allow-dirty", "--targets", "linux/amd64", "--out", dirtyOut, "1.2.4")
	if code != 0 {
		t.Fatalf("release.sh --allow-dirty: got exit code %d, want 0; output:\n%s", code, log)
	}
	if d := runVersionJSON(t, "", filepath.Join(dirtyOut, "freecam-linux-amd64")); !d.Modified || d.Version != "1.2.4" {
		t.Errorf("--allow-dirty build: got modified %v version %q, want true and 1.2.4", d.Modified, d.Version)
	}

	if code, log := runRelease(t, dir, "--allow-dirty", "--targets", "linux/sparc", "--out", dirtyOut); code == 0 || !strings.Contains(log, "unknown target linux/sparc") {
		t.Errorf("release.sh --targets linux/sparc: got exit code %d, want non-zero and \"unknown target linux/sparc\"; output:\n%s", code, log)
	}
}

// TestReleaseScriptAllTargets builds every default target, the cgo amd64 one with x264 included.
// It compiles x264 from source (about a minute on a cold cache), so it runs only when
// FREECAM_RELEASE_FULL=1.
func TestReleaseScriptAllTargets(t *testing.T) {
	if os.Getenv("FREECAM_RELEASE_FULL") != "1" {
		t.Skip("set FREECAM_RELEASE_FULL=1 to build every release target (the cgo x264 build takes about a minute on a cold cache)")
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("not on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	dir, head := releaseClone(t)
	out := filepath.Join(t.TempDir(), "out")
	code, log := runRelease(t, dir, "--out", out, "2.0.0")
	if code != 0 {
		t.Fatalf("release.sh: got exit code %d, want 0; output:\n%s", code, log)
	}
	t.Logf("release.sh output:\n%s", log)
	names := []string{"freecam-linux-amd64", "freecam-linux-arm64", "freecam-linux-armv7", "freecam-linux-mipsle", "freecam-linux-amd64-x264"}
	checkSums(t, out, names...)
	x := runVersionJSON(t, "", filepath.Join(out, "freecam-linux-amd64-x264"))
	if !x.CGO || x.H264Encoder != "x264 (bundled source)" || x.JPEGEncoder != "libjpeg-turbo" || x.Commit != head {
		t.Errorf("amd64-x264 version --json: got cgo %v h264 %q jpeg %q commit %q, want true, \"x264 (bundled source)\", libjpeg-turbo, %s",
			x.CGO, x.H264Encoder, x.JPEGEncoder, x.Commit, head)
	}
	for _, qemu := range []struct{ runner, name, arch, variant string }{
		{"qemu-aarch64-static", "freecam-linux-arm64", "arm64", ""},
		{"qemu-arm-static", "freecam-linux-armv7", "arm", "GOARM=7"},
	} {
		if _, err := exec.LookPath(qemu.runner); err != nil {
			continue
		}
		i := runVersionJSON(t, qemu.runner, filepath.Join(out, qemu.name))
		if i.Arch != qemu.arch || (qemu.variant != "" && i.ArchVariant != qemu.variant) {
			t.Errorf("%s: got arch %q %q, want %q %q", qemu.name, i.Arch, i.ArchVariant, qemu.arch, qemu.variant)
		}
	}
}

// TestSystemdUnitVerifies runs systemd-analyze verify on packaging/freecam.service, with ExecStart
// pointed at an executable that exists here.
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	unit, err := os.ReadFile(filepath.Join("..", "..", "packaging", "freecam.service"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nType=notify\n", "\nWatchdogSec=30\n", "\nRestart=on-failure\n", "\nProtectSystem=strict\n",
		"\nNoNewPrivileges=yes\n", "\nPrivateTmp=yes\n", "\nStateDirectory=freecam", "\nConfigurationDirectory=freecam\n"} {
		if !bytes.Contains(unit, []byte(want)) {
			t.Errorf("packaging/freecam.service: want a line %q", strings.TrimSpace(want))
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(unit, []byte("ExecStart=/usr/local/bin/freecam ")) {
		t.Fatal("packaging/freecam.service: want ExecStart=/usr/local/bin/freecam …")
	}
	path := filepath.Join(t.TempDir(), "freecam.service")
	if err := os.WriteFile(path, bytes.ReplaceAll(unit, []byte("/usr/local/bin/freecam"), []byte(exe)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: got %v and output %q, want success and no warning", err, out)
	}
}
