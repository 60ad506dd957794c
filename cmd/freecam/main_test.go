package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/testutil"
)

func TestConfCheckReportsEveryProblemAndFails(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "rtspserver.conf"), []byte("PORT=8554\nBITRATE=fast\nVIDEOFORMAT=9\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "osd.conf"), []byte("ENABLE_OSD=maybe\n"), 0o600)
	var stdout, stderr bytes.Buffer
	code := Main([]string{"conf", "check", "--config", dir}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("got exit code %d, want 1", code)
	}
	out := stdout.String() + stderr.String()
	for _, want := range []string{"rtspserver.conf:2: BITRATE:", "rtspserver.conf:3: VIDEOFORMAT:", "osd.conf:1: ENABLE_OSD:"} {
		if !strings.Contains(out, want) {
			t.Errorf("got output %q, want it to contain %q", out, want)
		}
	}
}

func TestConfCheckAcceptsTheDefaultsWithoutWritingAnything(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"conf", "check", "--config", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("got exit code %d (%s%s), want 0 for an empty config dir (all defaults)", code, stdout.String(), stderr.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("got %d files written by conf check, want none", len(entries))
	}
}

func TestConfCheckRefusesAMissingDirectory(t *testing.T) {
	var stdout, stderr bytes.Buffer
	missing := filepath.Join(t.TempDir(), "no-such-config")
	if code := Main([]string{"conf", "check", "--config", missing}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "not found") {
		t.Errorf("got exit code %d and %q for a missing directory, want 1 and \"not found\"", code, stderr.String())
	}
}

func TestConfCheckLoadsTheFirmwaresOwnFiles(t *testing.T) {
	fixtures := filepath.Join("..", "..", "..", "shared", "fixtures", "dafang-config")
	if _, err := os.Stat(fixtures); err != nil {
		t.Skipf("firmware fixtures not found at %s", fixtures)
	}
	dir := t.TempDir()
	for _, name := range []string{"rtspserver.conf.dist", "osd.conf"} {
		data, err := os.ReadFile(filepath.Join(fixtures, name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, strings.TrimSuffix(name, ".dist")), data, 0o600)
	}
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"conf", "check", "--config", dir}, &stdout, &stderr); code != 0 {
		t.Errorf("got exit code %d (%s%s), want 0 for the firmware's own files", code, stdout.String(), stderr.String())
	}
}

func TestVersionAndUnknownCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"version"}, &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "freecam ") {
		t.Errorf("version: got code %d output %q, want 0 and \"freecam …\"", code, stdout.String())
	}
	for _, help := range []string{"--help", "-h", "help"} {
		stdout.Reset()
		if code := Main([]string{help}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "freecam passwd") {
			t.Errorf("%s: got code %d stdout %q, want 0 and the usage with every command", help, code, stdout.String())
		}
	}
	stdout.Reset()
	if code := Main([]string{"frobnicate"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "unknown command") {
		t.Errorf("unknown command: got code %d stderr %q, want 2 and a usage message", code, stderr.String())
	}
}

// buildBinary compiles freecam for the given GOARCH (empty: this machine) once per test run.
func buildBinary(t *testing.T, env ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "freecam")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

// stopWithSIGTERM stops freecam as an init system does and wants a clean exit 0 within d.
func stopWithSIGTERM(t *testing.T, cmd *exec.Cmd, logs *testutil.SyncBuffer, d time.Duration) {
	t.Helper()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("got exit %v after SIGTERM, want a clean exit 0; log:\n%s", err, logs)
		}
	case <-time.After(d):
		t.Fatalf("freecam did not stop within %v of SIGTERM", d)
	}
}

func waitForLog(t *testing.T, logs *testutil.SyncBuffer, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("got no %q in the log within %v; log:\n%s", want, timeout, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ffprobe(t *testing.T, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-rtsp_transport", "tcp",
		"-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", url).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", url, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestBinaryHandlesSIGHUPAndStopsOnSIGTERM(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("ffprobe is not installed (scripts/install-deps.sh test)")
	}
	bin := buildBinary(t)
	cfg := t.TempDir()
	port := testutil.FreePort(t)
	os.WriteFile(filepath.Join(cfg, "rtspserver.conf"), []byte(fmt.Sprintf("PORT=%d\nRTSPOPTS=\"-W320 -H240\"\n", port)), 0o600)
	os.WriteFile(filepath.Join(cfg, "freecam.conf"), []byte(fmt.Sprintf("HTTPS_LISTEN=127.0.0.1:0\nHTTP_LISTEN=off\nRTSP_UDP_PORT=%d\n", testutil.FreeUDPPair(t))), 0o600)
	logs := &testutil.SyncBuffer{}
	cmd := exec.Command(bin, "--config", cfg, "--data", t.TempDir())
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitForLog(t, logs, "freecam running", 60*time.Second)
	// The first start printed the admin's password once; the stream wants it.
	pass := regexp.MustCompile(`with the password: (\S+)`).FindStringSubmatch(logs.String())
	if pass == nil {
		t.Fatalf("got no first admin password on the console; output:\n%s", logs)
	}
	if got := ffprobe(t, fmt.Sprintf("rtsp://admin:%s@127.0.0.1:%d/unicast", pass[1], port)); got != "h264,320,240" {
		t.Errorf("ffprobe: got %q, want h264,320,240", got)
	}
	if strings.Count(logs.String(), pass[1]) != 1 {
		t.Errorf("the admin password appears %d times in the output, want exactly once (the console notice)", strings.Count(logs.String(), pass[1]))
	}

	// A broken config on SIGHUP is refused and the camera keeps running.
	os.WriteFile(filepath.Join(cfg, "osd.conf"), []byte("SIZE=huge\n"), 0o600)
	cmd.Process.Signal(syscall.SIGHUP)
	waitForLog(t, logs, "reload refused", 10*time.Second)
	if !strings.Contains(logs.String(), "osd.conf:1: SIZE:") {
		t.Errorf("got no osd.conf:1: SIZE: error in the log after SIGHUP; log:\n%s", logs)
	}
	os.WriteFile(filepath.Join(cfg, "osd.conf"), []byte("SIZE=24\n"), 0o600)
	cmd.Process.Signal(syscall.SIGHUP)
	waitForLog(t, logs, "OSD updated live", 10*time.Second)

	stopWithSIGTERM(t, cmd, logs, 15*time.Second)
	if !strings.Contains(logs.String(), "freecam stopped") {
		t.Errorf("got no \"freecam stopped\" in the log")
	}
}

// TestMipsleBinaryServesHardwareH264UnderQemu runs the pure-Go mipsle build — what a Dafang or
// Xiaofang runs — under qemu-user with an exec: source that writes H.264 to stdout, as the SoC's
// hardware encoder would, and reads the stream with ffprobe.
func TestMipsleBinaryServesHardwareH264UnderQemu(t *testing.T) {
	qemu, err := exec.LookPath("qemu-mipsel-static")
	if err != nil {
		t.Skip("qemu-mipsel-static is not installed (scripts/install-deps.sh test installs qemu-user-static)")
	}
	for _, bin := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed", bin)
		}
	}
	if testing.Short() {
		t.Skip("slow under emulation; skipped with -short")
	}
	bin := os.Getenv("FREECAM_MIPSLE_BINARY")
	if bin == "" {
		bin = buildBinary(t, "CGO_ENABLED=0", "GOOS=linux", "GOARCH=mipsle", "GOMIPS=softfloat")
	}
	cfg := t.TempDir()
	port := testutil.FreePort(t)
	os.WriteFile(filepath.Join(cfg, "rtspserver.conf"), []byte(fmt.Sprintf("PORT=%d\n", port)), 0o600)
	ffmpeg, _ := exec.LookPath("ffmpeg")
	source := ffmpeg + " -hide_banner -loglevel error -re -f lavfi -i testsrc=size=320x240:rate=15 -c:v libx264 -preset ultrafast -tune zerolatency -g 15 -bf 0 -pix_fmt yuv420p -f h264 -"
	os.WriteFile(filepath.Join(cfg, "freecam.conf"), []byte(fmt.Sprintf("HTTPS_LISTEN=127.0.0.1:0\nHTTP_LISTEN=off\nRTSP_ANONYMOUS=on\nRTSP_UDP_PORT=0\nSOURCE='exec:%s'\n", source)), 0o600)

	logs := &testutil.SyncBuffer{}
	cmd := exec.Command(qemu, bin, "run", "--config", cfg, "--data", t.TempDir())
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
		}
	}()
	waitForLog(t, logs, "freecam running", 120*time.Second)
	if !strings.Contains(logs.String(), "no software H.264 encoder") {
		t.Errorf("got no start-up notice that the pure-Go build has no H.264 encoder; log:\n%s", logs)
	}
	if got := ffprobe(t, fmt.Sprintf("rtsp://127.0.0.1:%d/unicast", port)); got != "h264,320,240" {
		t.Errorf("ffprobe through the mipsle build: got %q, want h264,320,240; log:\n%s", got, logs)
	}
	t.Logf("mipsle binary under %s on %s/%s served the stream", filepath.Base(qemu), runtime.GOOS, runtime.GOARCH)
}
