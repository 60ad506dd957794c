package app

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/source/synthetic"
	"github.com/freecam/freecam/internal/testutil"
)

// writeConfig makes a config dir for a small, fast camera on free ports; extra lines are appended
// to the named files.
func writeConfig(t *testing.T, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"rtspserver.conf": fmt.Sprintf("PORT=%d\nRTSPOPTS=\"-W320 -H240\"\nFRAMERATE_NUM=25\nFRAMERATE_DEN=1\nBITRATE=500\n", testutil.FreePort(t)),
		"freecam.conf":    fmt.Sprintf("SOURCE=synthetic\nHTTPS_LISTEN=127.0.0.1:0\nHTTP_LISTEN=off\nGOP_SECONDS=1\nRTSP_UDP_PORT=%d\n", testutil.FreeUDPPair(t)),
		"osd.conf":        "ENABLE_OSD=true\n",
		// Many cameras run at once here: WS-Discovery is tested where it is wanted.
		"onvif.conf": "ONVIF_DISCOVERY=off\n",
	}
	// Many cameras run at once here: freecam's default autostart set without mdns, which is
	// tested where it is wanted.
	for _, name := range []string{"rtsp", "auto-night", "onvif"} {
		files[filepath.Join("autostart", name)] = ""
	}
	if err := os.Mkdir(filepath.Join(dir, "autostart"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range extra {
		files[name] += text
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type running struct {
	app    *App
	cancel context.CancelFunc
	done   chan error
	logs   *testutil.SyncBuffer
	// adminPass is the first admin's password, read off the console as a user would.
	adminPass string
}

// firstPassword finds the password freecam printed on the console at its first start.
func firstPassword(console string) string {
	const marker = "with the password: "
	i := strings.Index(console, marker)
	if i < 0 {
		return ""
	}
	rest := console[i+len(marker):]
	if j := strings.IndexByte(rest, '\n'); j >= 0 {
		rest = rest[:j]
	}
	return strings.TrimSpace(rest)
}

func startApp(t *testing.T, configDir string, opts Options) *running {
	t.Helper()
	logs := &testutil.SyncBuffer{}
	opts.ConfigDir = configDir
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	console := &testutil.SyncBuffer{}
	if opts.Console == nil {
		opts.Console = console
	}
	a := New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{app: a, cancel: cancel, done: make(chan error, 1), logs: logs}
	go func() { r.done <- a.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if rtsp, _ := a.Addrs(); rtsp != "" {
			break
		}
		select {
		case err := <-r.done:
			t.Fatalf("Run returned before running: %v\nlogs:\n%s", err, logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the camera did not start in 20 s; logs:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() { r.stop(t) })
	r.adminPass = firstPassword(console.String())
	return r
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run returned %v on stop, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Errorf("the camera did not stop in 15 s")
	}
	r.cancel = func() {}
	r.done = make(chan error, 1)
	r.done <- nil
}

// rtspURL is the stream's URL with the admin's credentials; plainRTSPURL has none.
func (r *running) rtspURL(t *testing.T) string {
	t.Helper()
	if r.adminPass == "" {
		t.Fatal("no admin password was printed on the console")
	}
	return strings.Replace(r.plainRTSPURL(), "rtsp://", "rtsp://admin:"+r.adminPass+"@", 1)
}

func (r *running) plainRTSPURL() string {
	rtspAddr, _ := r.app.Addrs()
	_, port, _ := net.SplitHostPort(rtspAddr)
	return "rtsp://127.0.0.1:" + port + "/unicast"
}

func (r *running) httpsURL(path string) string {
	_, httpsAddr := r.app.Addrs()
	return "https://" + httpsAddr + path
}

// get fetches a path from the web server as the admin, with HTTP Basic as Home Assistant does;
// the certificate is the camera's self-signed one.
func (r *running) get(t *testing.T, path string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.httpsURL(path), nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth("admin", r.adminPass)
	return insecureClient.Do(req)
}

var insecureClient = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
}

// runPeer runs a real client with a deadline and returns its combined output.
func runPeer(t *testing.T, timeout time.Duration, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}

func TestCameraServesRTSPToFFmpegAndSnapshots(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	r := startApp(t, writeConfig(t, nil), Options{})

	// Home Assistant's own command, over TCP and UDP: no error lines.
	for _, transport := range []string{"tcp", "udp"} {
		out, err := runPeer(t, 30*time.Second, "ffmpeg", "-v", "error", "-rtsp_transport", transport,
			"-i", r.rtspURL(t), "-frames:v", "30", "-f", "null", "-")
		if err != nil || strings.TrimSpace(out) != "" {
			t.Errorf("ffmpeg over %s: err %v, output %q; want a clean decode\nlogs:\n%s", transport, err, out, r.logs)
		}
	}

	resp, err := r.get(t, "/cgi-bin/currentpic.cgi")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("currentpic.cgi: got status %d (%s), want 200", resp.StatusCode, body)
	}
	img, err := jpeg.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("currentpic.cgi: got an undecodable JPEG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 320 || b.Dy() != 240 {
		t.Errorf("currentpic.cgi: got %dx%d, want 320x240", b.Dx(), b.Dy())
	}
}

func TestStopLeavesNoGoroutineBehind(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	r := startApp(t, writeConfig(t, nil), Options{})
	// A reader is connected while we stop.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-rtsp_transport", "tcp", "-i", r.rtspURL(t), "-f", "null", "-")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	time.Sleep(time.Second) // let it play for a moment
	r.stop(t)
}

func TestBadConfigAtStartNamesFileLineAndKey(t *testing.T) {
	dir := writeConfig(t, map[string]string{"rtspserver.conf": "BITRATE=fast\n"})
	a := New(Options{ConfigDir: dir, DataDir: t.TempDir()})
	err := a.Run(context.Background())
	var cerr *ConfigError
	if !errors.As(err, &cerr) {
		t.Fatalf("got %v, want a *ConfigError", err)
	}
	if !strings.Contains(err.Error(), "rtspserver.conf:6: BITRATE:") {
		t.Errorf("got %q, want it to name rtspserver.conf:6: BITRATE:", err)
	}
}

func TestReloadKeepsTheRunningConfigOnError(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	dir := writeConfig(t, nil)
	r := startApp(t, dir, Options{})
	before := r.rtspURL(t)

	bad := filepath.Join(dir, "rtspserver.conf")
	orig, _ := os.ReadFile(bad)
	if err := os.WriteFile(bad, append(orig, "PORT=99999\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	err := r.app.Reload()
	if err == nil || !strings.Contains(err.Error(), "PORT") {
		t.Fatalf("got reload error %v, want one naming PORT", err)
	}
	if after := r.rtspURL(t); after != before {
		t.Errorf("got RTSP at %s after a refused reload, want it unchanged at %s", after, before)
	}
	out, perr := runPeer(t, 30*time.Second, "ffmpeg", "-v", "error", "-rtsp_transport", "tcp", "-i", before, "-frames:v", "10", "-f", "null", "-")
	if perr != nil || strings.TrimSpace(out) != "" {
		t.Errorf("after a refused reload ffmpeg got err %v output %q, want the stream still playing", perr, out)
	}

	// A good change that needs a restart (a new port) is applied.
	newPort := testutil.FreePort(t)
	if err := os.WriteFile(bad, append(orig, fmt.Sprintf("PORT=%d\n", newPort)...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.app.Reload(); err != nil {
		t.Fatalf("reload with a valid new port: %v", err)
	}
	want := fmt.Sprintf("rtsp://127.0.0.1:%d/unicast", newPort)
	if got := r.plainRTSPURL(); got != want {
		t.Errorf("got RTSP at %s after reload, want %s", got, want)
	}
	out, perr = runPeer(t, 30*time.Second, "ffmpeg", "-v", "error", "-rtsp_transport", "tcp", "-i", r.rtspURL(t), "-frames:v", "10", "-f", "null", "-")
	if perr != nil || strings.TrimSpace(out) != "" {
		t.Errorf("after reload ffmpeg got err %v output %q, want the stream playing on the new port", perr, out)
	}
}

func TestHTTPPortInUseFailsStartAndRollsBack(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := writeConfig(t, map[string]string{"freecam.conf": "HTTPS_LISTEN=" + ln.Addr().String() + "\n"})
	a := New(Options{ConfigDir: dir, DataDir: t.TempDir()})
	err = a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "https listen") || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("got %v, want a start error naming https and the address in use", err)
	}
}

func TestRTSPPortInUseFailsOnlyTheRTSPService(t *testing.T) {
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	dir := writeConfig(t, map[string]string{"rtspserver.conf": fmt.Sprintf("PORT=%d\n", port)})
	a := New(Options{ConfigDir: dir, DataDir: t.TempDir()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()

	deadline := time.Now().Add(20 * time.Second)
	for {
		if info := serviceInfo(a, "rtsp"); info != nil && info.LastErr != nil {
			if !strings.Contains(info.LastErr.Error(), "address already in use") {
				t.Errorf("got rtsp error %v, want it to say the address is in use", info.LastErr)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got no failed rtsp service within 20 s; services: %+v", a.Services())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The rest of the camera runs: snapshots are served.
	_, httpAddr := a.Addrs()
	if httpAddr == "" {
		t.Fatalf("got no HTTP listener, want the camera running without RTSP")
	}
}

func serviceInfo(a *App, name string) *ServiceInfo {
	for _, info := range a.Services() {
		if info.Name == name {
			return &info
		}
	}
	return nil
}

func TestRTSPServiceStopStartAndAutorunSurviveARestart(t *testing.T) {
	testutil.Need(t, "ffprobe")
	dir := writeConfig(t, nil)
	r := startApp(t, dir, Options{})
	url := r.rtspURL(t)
	ctx := context.Background()

	if err := r.app.ServiceControl(ctx, "rtsp", "stop"); err != nil {
		t.Fatal(err)
	}
	if got, err := ffprobeStream(t, url); err == nil {
		t.Errorf("got %q from a stopped rtsp service, want a refused connection", got)
	}
	if err := r.app.ServiceControl(ctx, "rtsp", "start"); err != nil {
		t.Fatal(err)
	}
	if got, err := ffprobeStream(t, url); err != nil || got != "h264,320,240" {
		t.Errorf("after start: got %q (err %v), want h264,320,240", got, err)
	}
	if err := r.app.ServiceControl(ctx, "rtsp", "frobnicate"); err == nil {
		t.Errorf("got no error for an unknown action, want one")
	}

	// Autorun lives in config/autostart, like the firmware: turned off, it stays off after a restart.
	if err := r.app.ServiceControl(ctx, "rtsp", "disable"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "autostart", "rtsp")); !os.IsNotExist(err) {
		t.Errorf("got autostart/rtsp still present after disable (err %v), want it removed", err)
	}
	r.stop(t)
	a := New(Options{ConfigDir: dir, DataDir: t.TempDir()})
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(20 * time.Second)
	for serviceInfo(a, "rtsp") == nil {
		if time.Now().After(deadline) {
			t.Fatal("the camera did not come back up")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if info := serviceInfo(a, "rtsp"); info.Autostart || info.State == "running" {
		t.Errorf("got rtsp autostart=%v state=%s after a restart, want it off and stopped", info.Autostart, info.State)
	}
}

func TestWatchdogRestartsAStalledSource(t *testing.T) {
	testutil.Need(t, "sleep")
	dir := writeConfig(t, map[string]string{"freecam.conf": "SOURCE='exec:sleep 600'\nWATCHDOG_SECONDS=1\n"})
	r := startApp(t, dir, Options{})
	deadline := time.Now().Add(10 * time.Second)
	for r.app.Stats().WatchdogRestarts == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("got no watchdog restart in 10 s with a source that never delivers, want one\nlogs:\n%s", r.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(r.logs.String(), "no frame from the source") {
		t.Errorf("got no log line about the watchdog, want one")
	}
}

func ffprobeStream(t *testing.T, url string) (string, error) {
	t.Helper()
	out, err := runPeer(t, 30*time.Second, "ffprobe", "-v", "error", "-rtsp_transport", "tcp",
		"-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", url)
	return strings.TrimSpace(out), err
}

func TestCodecMJPGServesMJPEGOverRTSP(t *testing.T) {
	testutil.Need(t, "ffprobe")
	r := startApp(t, writeConfig(t, map[string]string{"rtspserver.conf": "CODEC=MJPG\n"}), Options{})
	got, err := ffprobeStream(t, r.rtspURL(t))
	if err != nil || got != "mjpeg,320,240" {
		t.Fatalf("ffprobe: got %q (err %v), want mjpeg,320,240\nlogs:\n%s", got, err, r.logs)
	}
	out, err := runPeer(t, 30*time.Second, "ffmpeg", "-v", "error", "-rtsp_transport", "tcp", "-i", r.rtspURL(t), "-frames:v", "10", "-f", "null", "-")
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("ffmpeg decoding MJPEG over RTSP: err %v output %q, want a clean decode", err, out)
	}
}

func TestRTSPAccountFromRtspserverConf(t *testing.T) {
	testutil.Need(t, "ffprobe")
	r := startApp(t, writeConfig(t, map[string]string{"rtspserver.conf": "USERNAME=viewer\nUSERPASSWORD='s3cret pass'\n"}), Options{})
	plain := r.plainRTSPURL()
	withUser := func(user, pass string) string {
		return strings.Replace(plain, "rtsp://", "rtsp://"+user+":"+pass+"@", 1)
	}
	if got, err := ffprobeStream(t, withUser("viewer", "s3cret%20pass")); err != nil || got != "h264,320,240" {
		t.Errorf("right password: got %q (err %v), want h264,320,240", got, err)
	}
	for name, url := range map[string]string{"wrong password": withUser("viewer", "nope"), "no credentials": plain} {
		got, err := ffprobeStream(t, url)
		if err == nil {
			t.Errorf("%s: got %q and success, want refusal", name, got)
		} else if !strings.Contains(got, "401") {
			t.Errorf("%s: got %q, want a 401 Unauthorized", name, got)
		}
	}
	if strings.Contains(r.logs.String(), "s3cret") {
		t.Errorf("got the RTSP password in the log, want it never logged")
	}
}

// waitForFiles polls dir until a file matching pattern exists, returning the matches.
func waitForFiles(t *testing.T, dir, pattern string, timeout time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var found []string
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if ok, _ := filepath.Match(pattern, d.Name()); ok {
					found = append(found, p)
				}
			}
			return nil
		})
		if len(found) > 0 {
			return found
		}
		if time.Now().After(deadline) {
			t.Fatalf("got no %s under %s within %v", pattern, dir, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRecordingAndTimelapseServicesWriteFilesFFprobeReads(t *testing.T) {
	testutil.Need(t, "ffprobe")
	data := t.TempDir()
	dir := writeConfig(t, map[string]string{
		"recording.conf": "SEGMENT_SECONDS=1\n",
		"timelapse.conf": "TIMELAPSE_INTERVAL=0.2\nDCIM_PATH=" + filepath.Join(data, "tl") + "\n",
	})
	r := startApp(t, dir, Options{DataDir: data})
	ctx := context.Background()
	for _, name := range []string{"recording", "timelapse"} {
		if err := r.app.ServiceControl(ctx, name, "start"); err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
	}

	seg := waitForFiles(t, filepath.Join(data, "Recording"), "REC_*.mp4", 20*time.Second)[0]
	out, err := runPeer(t, 30*time.Second, "ffprobe", "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", seg)
	if err != nil || strings.TrimSpace(out) != "h264,320,240" {
		t.Errorf("ffprobe %s: got %q (err %v), want h264,320,240", seg, out, err)
	}

	pic := waitForFiles(t, filepath.Join(data, "tl"), "*.jpg", 20*time.Second)[0]
	data2, err := os.ReadFile(pic)
	if err != nil {
		t.Fatal(err)
	}
	if img, err := jpeg.Decode(bytes.NewReader(data2)); err != nil || img.Bounds().Dx() != 320 {
		t.Errorf("timelapse picture %s: err %v, want a 320-wide JPEG", pic, err)
	}
	for _, name := range []string{"recording", "timelapse"} {
		if info := serviceInfo(r.app, name); info == nil || info.State != "running" {
			t.Errorf("got %s %+v, want running", name, info)
		}
	}
}

// startFastNightCamera runs a camera on the simulated board whose night controller reads the
// picture and decides in well under a second, and subscribes to its night events.
func startFastNightCamera(t *testing.T) (dir string, r *running, events *event.Subscription) {
	t.Helper()
	dir = writeConfig(t, map[string]string{
		"hal.conf":       "BOARD=sim\nIR_CUT_PULSE_SECONDS=0.01\n",
		"autonight.conf": "autonight_mode=virtual\nsample_interval=0.1\nwindow=3\nconfirm=0.3\nmin_dwell=0.5\n",
	})
	r = startApp(t, dir, Options{})
	events = r.app.bus.Subscribe("test", 16, event.NightOn, event.NightOff)
	t.Cleanup(events.Close)
	return dir, r, events
}

// TestAutoNightFollowsTheSimulatedLight runs the whole loop on the simulated board: the light
// level falls (set as the API will), the synthetic picture darkens, the night controller (which
// reads the picture) switches to night: the IR cut opens, the IR LED comes on, the scene turns
// grey and a night_on event is published. Then dawn switches back.
func TestAutoNightFollowsTheSimulatedLight(t *testing.T) {
	_, r, events := startFastNightCamera(t)

	r.app.mu.Lock()
	hw, inst := r.app.hw, r.app.cur
	r.app.mu.Unlock()
	if hw.board.SimLight == nil {
		t.Fatal("got no simulated light sensor on BOARD=sim")
	}
	waitEvent := func(want event.Kind) time.Duration {
		t.Helper()
		start := time.Now()
		select {
		case ev := <-events.C():
			if ev.Kind != want || ev.Cause != "auto" {
				t.Fatalf("got event %s (cause %q), want %s from auto", ev.Kind, ev.Cause, want)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("got no %s within 15 s; night state %+v\nlogs:\n%s", want, inst.night.State(), r.logs)
		}
		return time.Since(start)
	}

	hw.board.SimLight.SetLight(5) // dusk falls at once
	took := waitEvent(event.NightOn)
	st := hw.board.Device.State()
	if st.IRCutDay || !st.IRLED {
		t.Errorf("got IR cut day=%v and IR LED on=%v at night, want the filter out and the LED on", st.IRCutDay, st.IRLED)
	}
	// The next pictures show it (the one in the mailbox may predate the switch).
	deadline := time.Now().Add(2 * time.Second)
	for f := inst.mailbox.Latest(); f == nil || !isGrey(f.Cb); f = inst.mailbox.Latest() {
		if time.Now().After(deadline) {
			t.Fatalf("got coloured pictures 2 s after night, want the synthetic scene's grey night look")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("night %v after the light fell (sampling 0.1 s, window 3, confirm 0.3 s)", took.Round(10*time.Millisecond))

	hw.board.SimLight.SetLight(200) // dawn
	waitEvent(event.NightOff)
	if st := hw.board.Device.State(); !st.IRCutDay || st.IRLED {
		t.Errorf("got IR cut day=%v and IR LED on=%v by day, want the filter in and the LED off", st.IRCutDay, st.IRLED)
	}
}

// isGrey reports whether a chroma plane is neutral, as the night look is.
func isGrey(c []byte) bool {
	for _, v := range c {
		if v != 128 {
			return false
		}
	}
	return true
}

// TestMotionEventFromTheSyntheticScene runs detection on the running camera: the synthetic
// object crosses the picture from 20 s to 30 s of stream time (see synthetic's script). Exactly
// one event must start while it crosses and end after it leaves; the OSD marker and the state
// follow the event.
func TestMotionEventFromTheSyntheticScene(t *testing.T) {
	t.Parallel()
	dir := writeConfig(t, map[string]string{
		// The whole frame, as the firmware's default: the OSD clock in it must not count.
		"motion.conf": "motion_detection=on\nmotion_sensitivity=2\nmotion_indicator_color=2\nregion_of_interest=0,0,0,0\nmotion_fps=5\nmotion_event_gap=1\n",
	})
	r := startApp(t, dir, Options{})
	events := r.app.bus.Subscribe("test", 16, event.MotionStart, event.MotionEnd)
	defer events.Close()
	started := time.Now()

	next := func(want event.Kind, within time.Duration) event.Event {
		t.Helper()
		select {
		case ev := <-events.C():
			if ev.Kind != want {
				t.Fatalf("got %s at %v, want %s", ev.Kind, time.Since(started).Round(time.Second), want)
			}
			return ev
		case <-time.After(within):
			t.Fatalf("got no %s within %v; motion %+v\nlogs:\n%s", want, within, r.app.Motion(), r.logs)
		}
		return event.Event{}
	}
	// The script runs on stream time, which lags the wall clock when a loaded machine makes the
	// source miss ticks and never leads it: the wall clock bounds the event from below only, and
	// its box shows which crossing it is (the first goes through the middle, the second through
	// the lower third). The detector's latency is measured in internal/motion (0.2 s on real
	// footage).
	start := next(event.MotionStart, 60*time.Second)
	if at := time.Since(started); at < 19*time.Second {
		t.Errorf("got motion start %v after start, before the object enters at 20 s", at.Round(100*time.Millisecond))
	}
	crossing, _ := synthetic.New(synthetic.Options{Width: 320, Height: 240}).ObjectAt(25 * time.Second)
	if mid := (start.Box.Min.Y + start.Box.Max.Y) / 2; mid < crossing.Min.Y || mid >= crossing.Max.Y {
		t.Errorf("got start box %v, want one around the first crossing's rows %d–%d", start.Box, crossing.Min.Y, crossing.Max.Y)
	}
	if start.Box.Empty() || start.Score <= 0 {
		t.Errorf("got start box %v score %v, want the object's box and a score", start.Box, start.Score)
	}
	if on, _ := r.app.cur.osd.Marker(); !on {
		t.Errorf("got no OSD marker during motion, want motion_indicator_color's marker")
	}
	if st := r.app.Motion(); !st.Active {
		t.Errorf("got motion state %+v during the event, want active", st)
	}

	next(event.MotionEnd, 30*time.Second)
	if end := time.Since(started); end < 29*time.Second {
		t.Errorf("got motion end %v after start, want after the object leaves (30 s)", end.Round(100*time.Millisecond))
	}
	if on, _ := r.app.cur.osd.Marker(); on {
		t.Errorf("got the OSD marker still on after motion ended")
	}
	select {
	case ev := <-events.C():
		t.Errorf("got a second event %s while the scene is quiet again, want exactly one", ev.Kind)
	case <-time.After(2 * time.Second):
	}
}

func appendConf(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// A reload at night must not switch the camera to day while the new night controller decides
// again: it carries on from the running state.
func TestReloadAtNightStaysNight(t *testing.T) {
	dir, r, events := startFastNightCamera(t)
	r.app.mu.Lock()
	hw := r.app.hw
	r.app.mu.Unlock()
	hw.board.SimLight.SetLight(5)
	select {
	case <-events.C():
	case <-time.After(15 * time.Second):
		t.Fatal("got no night within 15 s")
	}
	appendConf(t, dir, "freecam.conf", "GOP_SECONDS=2\n") // a change that restarts the video
	if err := r.app.Reload(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if hw.board.Device.State().IRCutDay {
			t.Fatalf("got the IR cut back to day after a reload at night (the light is still 5), want night kept")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case ev := <-events.C():
		t.Errorf("got a %s event from a reload, want none (nothing changed)", ev.Kind)
	default:
	}
}

func TestMotionOffByReloadStopsDetection(t *testing.T) {
	dir := writeConfig(t, nil)
	r := startApp(t, dir, Options{})
	if si := serviceInfo(r.app, "motion"); si == nil || si.State == "stopped" {
		t.Fatalf("got motion %+v at start, want it running (motion_detection=on by default)", si)
	}
	appendConf(t, dir, "motion.conf", "motion_detection=off\nmotion_sensitivity=4\n")
	if err := r.app.Reload(); err != nil {
		t.Fatal(err)
	}
	if si := serviceInfo(r.app, "motion"); si == nil || si.State != "stopped" {
		t.Errorf("got motion %+v after reloading motion_detection=off, want stopped", si)
	}
}

func TestServiceControlAfterStopIsRefused(t *testing.T) {
	r := startApp(t, writeConfig(t, nil), Options{})
	r.stop(t)
	if err := r.app.ServiceControl(context.Background(), "rtsp", "start"); err == nil {
		t.Errorf("got a service started after Run returned, want an error")
	}
	if rtspAddr, _ := r.app.Addrs(); rtspAddr != "" {
		t.Errorf("got an RTSP server at %s after Run returned, want none", rtspAddr)
	}
}

// Tracking turned the camera; when detection stops (a stop, a reload) it goes back to its origin,
// so the next excursion and the saved cameraposition keep the real home.
func TestTrackedCameraGoesHomeWhenMotionStops(t *testing.T) {
	dir := writeConfig(t, map[string]string{
		"hal.conf":    "BOARD=sim\nMOTOR_STEP_MS=0.01\n",
		"motion.conf": "motion_tracking=on\n",
	})
	r := startApp(t, dir, Options{})
	r.app.mu.Lock()
	hw := r.app.hw
	r.app.mu.Unlock()
	m := hw.board.Device.Motor
	if m == nil {
		t.Fatal("got no motor on BOARD=sim")
	}
	home := hw.origin
	if _, err := m.Move(context.Background(), 300, 100); err != nil { // as tracking would have
		t.Fatal(err)
	}
	if m.Position() == home {
		t.Fatalf("got the motor still at %v after a move, want it elsewhere", home)
	}
	if err := r.app.ServiceControl(context.Background(), "motion", "stop"); err != nil {
		t.Fatal(err)
	}
	if got := m.Position(); got != home {
		t.Errorf("got the camera at %v after motion stopped, want it back home at %v", got, home)
	}
}

// With a source that delivers only H.264 (a hardware encoder through exec:), RTSP plays and a
// snapshot explains why there is none, instead of "retry shortly" forever.
func TestH264OnlySourceStreamsAndExplainsMissingSnapshots(t *testing.T) {
	testutil.Need(t, "ffmpeg", "ffprobe")
	ffmpeg, _ := exec.LookPath("ffmpeg")
	src := ffmpeg + " -hide_banner -loglevel error -re -f lavfi -i testsrc=size=320x240:rate=15 -c:v libx264 -preset ultrafast -tune zerolatency -g 15 -bf 0 -pix_fmt yuv420p -f h264 -"
	r := startApp(t, writeConfig(t, map[string]string{"freecam.conf": "SOURCE='exec:" + src + "'\n"}), Options{})
	if got, err := ffprobeStream(t, r.rtspURL(t)); err != nil || got != "h264,320,240" {
		t.Fatalf("ffprobe: got %q (err %v), want h264,320,240", got, err)
	}
	resp, err := r.get(t, "/snapshot.jpg")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "only H.264") {
		t.Errorf("snapshot from an H.264-only source: got %d %q, want 503 explaining why", resp.StatusCode, body)
	}
}

// The stream asks for an account — freecam's own, a viewer is enough — until an admin opens it
// with RTSP_ANONYMOUS=on, which a reload applies.
func TestRTSPAsksForAnAccountUnlessOpened(t *testing.T) {
	testutil.Need(t, "ffprobe")
	dir := writeConfig(t, nil)
	r := startApp(t, dir, Options{})
	if got, err := ffprobeStream(t, r.plainRTSPURL()); err == nil || !strings.Contains(got, "401") {
		t.Errorf("no credentials: got %q (err %v), want 401", got, err)
	}
	if err := r.app.auth.SetPassword("ha", "viewer", "ha-viewer-pass", false); err != nil {
		t.Fatal(err)
	}
	viewer := strings.Replace(r.plainRTSPURL(), "rtsp://", "rtsp://ha:ha-viewer-pass@", 1)
	if got, err := ffprobeStream(t, viewer); err != nil || got != "h264,320,240" {
		t.Errorf("viewer account: got %q (err %v), want h264,320,240", got, err)
	}
	appendConf(t, dir, "freecam.conf", "RTSP_ANONYMOUS=on\n")
	if err := r.app.Reload(); err != nil {
		t.Fatal(err)
	}
	if got, err := ffprobeStream(t, r.plainRTSPURL()); err != nil || got != "h264,320,240" {
		t.Errorf("RTSP_ANONYMOUS=on, no credentials: got %q (err %v), want h264,320,240", got, err)
	}
}
