package app

// ONVIF acceptance tests (issue 8) against the whole running camera: the npm onvif client (the
// one Node-RED and Homebridge use) as the peer for connect, profiles, stream, snapshot, motion
// events, PTZ and discovery; Home Assistant's call sequence replayed as zeep sends it; a pull
// point that outlives a reload.

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image/jpeg"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/hal/ptz"
	"github.com/freecam/freecam/internal/onvif"
	"github.com/freecam/freecam/internal/onvif/soap"
	"github.com/freecam/freecam/internal/onvif/soap/soaptest"
	"github.com/freecam/freecam/internal/testutil"
	"github.com/freecam/freecam/internal/web/auth"
)

// onvifCam is a running camera with the plain-HTTP listener (where ONVIF clients look) on.
type onvifCam struct {
	*running
	dir      string
	httpPort int
	base     string // http://127.0.0.1:<httpPort>
}

// startONVIFCamera starts a camera on the simulated board with ONVIF on a free plain-HTTP port
// of 127.0.0.1; extra lines are appended to the config files as writeConfig does.
func startONVIFCamera(t *testing.T, extra map[string]string) *onvifCam {
	t.Helper()
	return startONVIFCameraOn(t, "127.0.0.1", extra)
}

// startONVIFCameraOn is startONVIFCamera with the plain-HTTP listener on host ("" or 0.0.0.0:
// every interface, as HTTP_LISTEN's default).
func startONVIFCameraOn(t *testing.T, host string, extra map[string]string) *onvifCam {
	t.Helper()
	port := testutil.FreePort(t)
	files := map[string]string{"freecam.conf": "HTTP_LISTEN=" + net.JoinHostPort(host, strconv.Itoa(port)) + "\n"}
	for name, text := range extra {
		files[name] += text
	}
	dir := writeConfig(t, files)
	c := &onvifCam{dir: dir, httpPort: port, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	c.start(t)
	return c
}

// start runs the camera over c.dir and waits for the plain-HTTP listener.
func (c *onvifCam) start(t *testing.T) {
	t.Helper()
	c.running = startApp(t, c.dir, Options{})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(c.httpPort))
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on HTTP_LISTEN %s: %v\nlogs:\n%s", addr, err, c.logs)
		}
		time.Sleep(20 * time.Millisecond) // polling a listener
	}
}

// account creates an ONVIF account (digest on, so WS-Security can use it).
func (c *onvifCam) account(t *testing.T, name string, role auth.Role, password string) {
	t.Helper()
	if err := c.app.auth.SetPassword(name, role, password, true); err != nil {
		t.Fatalf("SetPassword %s: %v", name, err)
	}
}

func (c *onvifCam) rtspPort(t *testing.T) string {
	t.Helper()
	rtspAddr, _ := c.app.Addrs()
	_, port, err := net.SplitHostPort(rtspAddr)
	if err != nil {
		t.Fatalf("RTSP address %q: %v", rtspAddr, err)
	}
	return port
}

// motor is the simulated board's motor.
func (c *onvifCam) motor(t *testing.T) hal.Motor {
	t.Helper()
	c.app.mu.Lock()
	hw := c.app.hw
	c.app.mu.Unlock()
	if hw == nil || hw.board.Device.Motor == nil {
		t.Fatal("got no motor on the simulated board, want one")
	}
	return hw.board.Device.Motor
}

// ---------------------------------------------------------------------------------------------
// The npm onvif client as a child process.

// npmPeer is testdata/onvif-client/<script> running under node, in its own process group,
// killed (the whole group) when the test ends.
type npmPeer struct {
	t      *testing.T
	name   string
	stdin  io.WriteCloser
	lines  chan map[string]any
	stderr *testutil.SyncBuffer
}

func startNpm(t *testing.T, script string, args ...string) *npmPeer {
	t.Helper()
	node, modules := testutil.OnvifClient(t)
	cmd := exec.CommandContext(t.Context(), node, append([]string{filepath.Join(modules, "..", script)}, args...)...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	p := &npmPeer{t: t, name: script, lines: make(chan map[string]any, 64), stderr: &testutil.SyncBuffer{}}
	cmd.Stderr = p.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdin = stdin
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", script, err)
	}
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(p.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				m = map[string]any{"unparsable": sc.Text()}
			}
			select {
			case p.lines <- m:
			case <-quit:
			}
		}
		_ = cmd.Wait()
	}()
	t.Cleanup(func() {
		close(quit)
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the whole group, whatever it started
		<-done
	})
	return p
}

// next returns the next line the script printed (warnings are logged and skipped).
func (p *npmPeer) next(within time.Duration) map[string]any {
	p.t.Helper()
	timer := time.NewTimer(within)
	defer timer.Stop()
	for {
		select {
		case m, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("%s exited early; stderr:\n%s", p.name, p.stderr)
			}
			if w, ok := m["warning"]; ok {
				p.t.Logf("%s warning: %v", p.name, w)
				continue
			}
			if u, ok := m["unparsable"]; ok {
				p.t.Fatalf("%s printed %q, want JSON lines", p.name, u)
			}
			return m
		case <-timer.C:
			p.t.Fatalf("%s printed nothing within %v; stderr:\n%s", p.name, within, p.stderr)
		}
	}
}

// step reads the next line and requires it to be the named step without an error.
func (p *npmPeer) step(name string, within time.Duration) any {
	p.t.Helper()
	m := p.next(within)
	if m["step"] != name {
		p.t.Fatalf("got %v, want step %s", m, name)
	}
	if e, ok := m["error"]; ok {
		p.t.Fatalf("%s: got error %v, want success", name, e)
	}
	return m["result"]
}

// call runs one operation of the rpc mode and returns its result, or its error text.
func (p *npmPeer) call(op string, args map[string]any) (result any, errText string) {
	p.t.Helper()
	if args == nil {
		args = map[string]any{}
	}
	line, _ := json.Marshal(map[string]any{"op": op, "args": args})
	if _, err := p.stdin.Write(append(line, '\n')); err != nil {
		p.t.Fatalf("%s: write %s: %v", p.name, op, err)
	}
	m := p.next(60 * time.Second)
	if m["op"] != op {
		p.t.Fatalf("got %v, want the answer to %s", m, op)
	}
	if e, ok := m["error"]; ok {
		return nil, fmt.Sprint(e)
	}
	return m["result"], ""
}

// mustCall is call that fails the test on an error.
func (p *npmPeer) mustCall(op string, args map[string]any) any {
	p.t.Helper()
	res, e := p.call(op, args)
	if e != "" {
		p.t.Fatalf("%s %v: got error %q, want success", op, args, e)
	}
	return res
}

// field walks decoded JSON objects by key.
func field(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// ---------------------------------------------------------------------------------------------
// 1. Connect, profiles, stream and snapshot with the npm client.

// TestONVIFWithTheNpmClient: the npm client connects with a viewer's credentials and reads the
// device information, the profile (H.264 at writeConfig's 320x240, with PTZ on the simulated
// board), the stream URI (that ffprobe then plays with the same credentials) and the snapshot
// URI (a 320x240 JPEG with HTTP Digest, a Digest-only 401 without). A wrong password fails the
// connect as the library reports it, and the camera logs the refusal without the password.
func TestONVIFWithTheNpmClient(t *testing.T) {
	t.Parallel()
	testutil.Need(t, "ffprobe", "curl")
	c := startONVIFCamera(t, nil)
	const user, pass = "ha", "onvif pass 1"
	c.account(t, user, auth.Viewer, pass)

	p := startNpm(t, "e2e.js", "127.0.0.1", strconv.Itoa(c.httpPort), user, pass, "info")
	p.step("connect", 30*time.Second)
	di := p.step("deviceInformation", 20*time.Second)
	for k, want := range map[string]any{"manufacturer": "freecam", "model": "freecam", "hardwareId": "sim"} {
		if got := field(di, k); got != want {
			t.Errorf("deviceInformation.%s: got %v, want %v (all: %v)", k, got, want, di)
		}
	}
	if sn := field(di, "serialNumber"); sn == nil || sn == "" {
		t.Errorf("deviceInformation.serialNumber: got %v, want the MAC or the host name", sn)
	}
	profiles, _ := p.step("profiles", 20*time.Second).([]any)
	if len(profiles) == 0 {
		t.Fatalf("got no profiles, want an H.264 one")
	}
	want := map[string]any{"encoding": "H264", "width": float64(320), "height": float64(240), "ptz": true}
	for k, w := range want {
		if got := field(profiles[0], k); got != w {
			t.Errorf("profiles[0].%s: got %v, want %v (all: %v)", k, got, w, profiles[0])
		}
	}
	streamURI, _ := p.step("streamUri", 20*time.Second).(string)
	if want := "rtsp://127.0.0.1:" + c.rtspPort(t) + "/unicast"; streamURI != want {
		t.Errorf("stream URI: got %q, want %q", streamURI, want)
	}
	snapURI, _ := p.step("snapshotUri", 20*time.Second).(string)
	if want := c.base + onvif.SnapshotPath; snapURI != want {
		t.Errorf("snapshot URI: got %q, want %q", snapURI, want)
	}

	// The stream, with the ONVIF credentials in the URI as Home Assistant puts them.
	if u, err := url.Parse(streamURI); err == nil && u.Scheme == "rtsp" {
		u.User = url.UserPassword(user, pass)
		if got, err := ffprobeStream(t, u.String()); err != nil || got != "h264,320,240" {
			t.Errorf("ffprobe %s: got %q (err %v), want h264,320,240", streamURI, got, err)
		}
	} else {
		t.Errorf("stream URI %q does not parse as rtsp: %v", streamURI, err)
	}

	// The snapshot with HTTP Digest, as Home Assistant fetches it.
	if snapURI != "" {
		file := filepath.Join(t.TempDir(), "snap.jpg")
		out, err := runPeer(t, 30*time.Second, "curl", "--digest", "-u", user+":"+pass, "-sS", "-o", file, "-w", "%{http_code}", snapURI)
		if err != nil || out != "200" {
			t.Errorf("curl --digest %s: got %q (err %v), want 200", snapURI, out, err)
		} else if data, err := os.ReadFile(file); err != nil {
			t.Error(err)
		} else if img, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			t.Errorf("snapshot: got an undecodable JPEG (%d bytes): %v", len(data), err)
		} else if b := img.Bounds(); b.Dx() != 320 || b.Dy() != 240 {
			t.Errorf("snapshot: got %dx%d, want 320x240", b.Dx(), b.Dy())
		}
		resp, err := insecureClient.Get(snapURI)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		challenges := resp.Header.Values("WWW-Authenticate")
		if resp.StatusCode != http.StatusUnauthorized || len(challenges) != 1 || !strings.HasPrefix(challenges[0], "Digest ") {
			t.Errorf("snapshot without credentials: got %d with challenges %q, want 401 with one Digest challenge (no Basic on plain HTTP)", resp.StatusCode, challenges)
		}
	}

	// A wrong password: the connect fails as the library says it.
	const wrong = "not-the-Password-42"
	bad := startNpm(t, "e2e.js", "127.0.0.1", strconv.Itoa(c.httpPort), user, wrong, "info")
	m := bad.next(30 * time.Second)
	if e, _ := m["error"].(string); m["step"] != "connect" || !strings.Contains(e, "not Authorized") {
		t.Errorf("wrong password: got %v, want the connect to fail with an error containing \"not Authorized\"", m)
	}
	logs := c.logs.String()
	if !strings.Contains(logs, "onvif: login refused") || !strings.Contains(logs, "user="+user) {
		t.Errorf("got no refused login of %s in the camera's log, want one\nlogs:\n%s", user, logs)
	}
	if strings.Contains(logs, wrong) || strings.Contains(logs, pass) {
		t.Errorf("got a password in the camera's log, want it never logged")
	}
}

// ---------------------------------------------------------------------------------------------
// 2. Motion events through the npm client's own event loop.

// TestONVIFMotionEventsWithTheNpmClient: the npm client's event loop (pull point, long polls,
// renews) first gets the Initialized false of both motion topics, then Changed true for both
// while the synthetic scene's object crosses (20 s to 30 s of stream time), then Changed false
// once it has gone.
func TestONVIFMotionEventsWithTheNpmClient(t *testing.T) {
	t.Parallel()
	// Taken before the start: the stream's clock starts later, so the object cannot cross
	// before 20 s of this one.
	started := time.Now()
	c := startONVIFCamera(t, map[string]string{
		"motion.conf": "motion_detection=on\nmotion_sensitivity=2\nmotion_indicator_color=2\nregion_of_interest=0,0,0,0\nmotion_fps=5\nmotion_event_gap=1\n",
	})
	const user, pass = "ha", "events-pass"
	c.account(t, user, auth.Viewer, pass)
	p := startNpm(t, "e2e.js", "127.0.0.1", strconv.Itoa(c.httpPort), user, pass, "events")
	p.step("connect", 30*time.Second)

	type state struct {
		op    string
		value any
		at    time.Duration
	}
	const (
		alarm = "tns1:VideoSource/MotionAlarm"
		cell  = "tns1:RuleEngine/CellMotionDetector/Motion"
	)
	dataName := map[string]string{alarm: "State", cell: "IsMotion"}
	// await reads events until both topics reached op with value, checking every message.
	await := func(op string, value bool, within time.Duration) map[string]state {
		t.Helper()
		got := map[string]state{}
		deadline := time.Now().Add(within)
		for len(got) < 2 {
			left := time.Until(deadline)
			if left <= 0 {
				t.Fatalf("got %v by %v after start, want %s %v on %s and %s\nlogs:\n%s", got, time.Since(started).Round(time.Second), op, value, alarm, cell, c.logs)
			}
			m := p.next(left)
			if e, ok := m["eventsError"]; ok {
				t.Fatalf("the npm client's event loop reported %v", e)
			}
			ev, _ := m["event"].(map[string]any)
			topic, _ := ev["topic"].(string)
			name, known := dataName[topic]
			if !known {
				t.Fatalf("got %v, want events on %s or %s only", m, alarm, cell)
			}
			data, _ := ev["data"].([]any)
			if len(data) != 1 || field(data[0], "Name") != name {
				t.Fatalf("%s: got data %v, want one %s item", topic, ev["data"], name)
			}
			if src, _ := ev["source"].([]any); len(src) == 0 {
				t.Errorf("%s: got no source items, want the video source", topic)
			}
			s := state{op: fmt.Sprint(ev["op"]), value: field(data[0], "Value"), at: time.Since(started)}
			if s.op != op || s.value != value {
				// The client linerases "true" into true. A stale event of the previous state
				// is a failure: each state is sent once.
				t.Fatalf("%s: got %s %v at %v, want %s %v", topic, s.op, s.value, s.at.Round(100*time.Millisecond), op, value)
			}
			if _, dup := got[topic]; dup {
				t.Fatalf("%s: got %s %v twice, want it once", topic, op, value)
			}
			got[topic] = s
		}
		return got
	}
	await("Initialized", false, 20*time.Second)
	on := await("Changed", true, 60*time.Second)
	for topic, s := range on {
		// The object crosses from 20 s to 30 s of stream time (TestMotionEventFromTheSyntheticScene).
		if s.at < 19*time.Second {
			t.Errorf("%s: got motion true %v after start, want it once the object crosses (20 s)", topic, s.at.Round(100*time.Millisecond))
		}
	}
	off := await("Changed", false, 60*time.Second)
	for topic, s := range off {
		if s.at < 29*time.Second {
			t.Errorf("%s: got motion false %v after start, want it after the object leaves (30 s)", topic, s.at.Round(100*time.Millisecond))
		}
	}
	t.Logf("motion true at %v and %v, false at %v and %v", on[alarm].at.Round(100*time.Millisecond), on[cell].at.Round(100*time.Millisecond),
		off[alarm].at.Round(100*time.Millisecond), off[cell].at.Round(100*time.Millisecond))
}

// ---------------------------------------------------------------------------------------------
// 3. PTZ through the npm client.

// TestONVIFPTZMovesTheSimulatedMotor: the npm client's absolute, relative and continuous moves
// (then Stop) move the simulated motor where ONVIF's spaces say, GetStatus turns IDLE when a move
// ends, a preset set through ONVIF is saved in ptz_presets.conf and gone back to; a viewer's move
// is refused and the motor stays.
func TestONVIFPTZMovesTheSimulatedMotor(t *testing.T) {
	t.Parallel()
	c := startONVIFCamera(t, nil)
	c.account(t, "ptzadmin", auth.Admin, "ptz-admin-pass")
	c.account(t, "ptzviewer", auth.Viewer, "ptz-viewer-pass")
	m := c.motor(t)
	lim := m.Limits()
	port := strconv.Itoa(c.httpPort)

	p := startNpm(t, "e2e.js", "127.0.0.1", port, "ptzadmin", "ptz-admin-pass", "rpc")
	p.step("connect", 30*time.Second)
	near := func(what string, got, want hal.Position, tol int) {
		t.Helper()
		if abs(got.X-want.X) > tol || abs(got.Y-want.Y) > tol {
			t.Errorf("%s: got the motor at %+v, want %+v (±%d steps)", what, got, want, tol)
		}
	}

	// AbsoluteMove (0, 0) is the centre of the limits.
	p.mustCall("absoluteMove", map[string]any{"x": 0, "y": 0})
	st := p.mustCall("waitIdle", nil)
	centre := hal.Position{X: lim.X / 2, Y: lim.Y / 2}
	near("after absoluteMove (0, 0)", m.Position(), centre, 1)
	if x, y := toFloat(field(st, "position", "x")), toFloat(field(st, "position", "y")); math.Abs(x) > 0.01 || math.Abs(y) > 0.01 {
		t.Errorf("GetStatus after absoluteMove (0, 0): got position %v, %v, want 0, 0", field(st, "position", "x"), field(st, "position", "y"))
	}

	// RelativeMove x = 0.1 of the generic space: a tenth of half the pan range, to the right.
	before := m.Position()
	p.mustCall("relativeMove", map[string]any{"x": 0.1})
	p.mustCall("waitIdle", nil)
	near("after relativeMove x=0.1", m.Position(), hal.Position{X: before.X + int(math.Round(0.1*float64(lim.X)/2)), Y: before.Y}, 1)

	// ContinuousMove right, Stop after ~300 ms.
	before = m.Position()
	p.mustCall("continuousMove", map[string]any{"x": 0.5})
	p.mustCall("sleep", map[string]any{"ms": 300})
	p.mustCall("stop", map[string]any{"panTilt": true})
	p.mustCall("waitIdle", nil)
	after := m.Position()
	if after.X <= before.X || after.X >= lim.X || after.Y != before.Y {
		t.Errorf("continuousMove x=0.5 then stop: got the motor from %+v to %+v, want it moved right and stopped before the end stop %d", before, after, lim.X)
	}

	// SetPreset 'door' here: saved in ptz_presets.conf; GotoPreset comes back to it.
	p.mustCall("getPresets", nil)
	door := m.Position()
	p.mustCall("setPreset", map[string]any{"presetName": "door"})
	presets, warns, err := ptz.Load(filepath.Join(c.dir, ptz.File), lim)
	if err != nil || len(warns) > 0 {
		t.Fatalf("reading %s: %v %v", ptz.File, err, warns)
	}
	if got, err := presets.Get("door"); err != nil || got != door {
		t.Errorf("preset door in %s: got %+v (err %v), want %+v", ptz.File, got, err, door)
	}
	p.mustCall("absoluteMove", map[string]any{"x": -0.5, "y": 0.5})
	p.mustCall("waitIdle", nil)
	if got := m.Position(); got == door {
		t.Fatalf("absoluteMove (-0.5, 0.5) left the motor at the preset %+v", got)
	}
	list := p.mustCall("getPresets", nil)
	token, _ := field(list, "door", "$", "token").(string)
	if token == "" {
		t.Fatalf("getPresets: got %v, want the preset door with a token", list)
	}
	p.mustCall("gotoPreset", map[string]any{"preset": token})
	p.mustCall("waitIdle", nil)
	near("after gotoPreset door", m.Position(), door, 0)
	t.Logf("limits %+v; relative from %+v; continuous to %+v; preset door %+v (token %q)", lim, before, after, door, token)

	// A viewer may look but not move.
	v := startNpm(t, "e2e.js", "127.0.0.1", port, "ptzviewer", "ptz-viewer-pass", "rpc")
	v.step("connect", 30*time.Second)
	held := m.Position()
	if _, e := v.call("absoluteMove", map[string]any{"x": 1, "y": 1}); !strings.Contains(e, "ptzviewer is a viewer: AbsoluteMove needs an admin account") {
		t.Errorf("a viewer's absoluteMove: got error %q, want a fault saying it needs an admin", e)
	}
	v.mustCall("sleep", map[string]any{"ms": 300}) // a move would have started by now
	if got := m.Position(); got != held {
		t.Errorf("after a viewer's refused move: got the motor at %+v, want it still at %+v", got, held)
	}
	if !strings.Contains(c.logs.String(), "user=ptzviewer") {
		t.Errorf("got no log of the viewer's refused operation, want one")
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err == nil {
			return f
		}
	}
	return math.NaN()
}

// ---------------------------------------------------------------------------------------------
// 4. WS-Discovery with the npm client.

// TestONVIFDiscoveryWithTheNpmClient: with ONVIF_DISCOVERY on, the npm client's probe finds the
// camera with XAddrs at the plain-HTTP port's device service, the Profile/Streaming scope HA
// filters on, the name scope (URL-escaped ONVIF_NAME), and the same urn:uuid after a restart.
// It is the only test of this package with discovery on; the fixed port 3702 is shared
// (SO_REUSEPORT) with discovering cameras of other packages, which the probe rounds tolerate.
func TestONVIFDiscoveryWithTheNpmClient(t *testing.T) {
	t.Parallel()
	// On every interface, as by default: the XAddrs name the interface's address, where an NVR
	// then connects.
	c := startONVIFCameraOn(t, "0.0.0.0", map[string]string{"onvif.conf": "ONVIF_DISCOVERY=on\nONVIF_NAME='Shelf cam'\n"})

	probe := func() (endpoint, xaddrs, scopes string) {
		t.Helper()
		// Rounds of 3 s probes: another freecam on this machine with the same endpoint address
		// (made from the MAC) can hide ours from one probe; see discover.js.
		p := startNpm(t, "discover.js", "3000", "5", strconv.Itoa(c.httpPort))
		var seen []string
		for range 5 {
			res := p.next(20 * time.Second)
			cams, _ := res["cams"].([]any)
			for _, cam := range cams {
				pm := field(cam, "probeMatches", "probeMatch")
				x := fmt.Sprint(field(pm, "XAddrs"))
				seen = append(seen, x)
				for _, a := range strings.Fields(x) {
					if u, err := url.Parse(a); err == nil && u.Port() == strconv.Itoa(c.httpPort) {
						return fmt.Sprint(field(pm, "endpointReference", "address")), x, fmt.Sprint(field(pm, "scopes"))
					}
				}
			}
		}
		t.Fatalf("the npm client's probes found no camera with XAddrs on port %d (found %q)\nlogs:\n%s", c.httpPort, seen, c.logs)
		return "", "", ""
	}
	endpoint, xaddrs, scopes := probe()
	t.Logf("found %s at %s with scopes %s", endpoint, xaddrs, scopes)
	local := map[string]bool{}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				local[ipn.IP.String()] = true
			}
		}
	}
	z := &zeepClient{t: t, http: &http.Client{Timeout: 10 * time.Second}}
	for _, a := range strings.Fields(xaddrs) {
		u, err := url.Parse(a)
		if err != nil || u.Scheme != "http" || u.Port() != strconv.Itoa(c.httpPort) || u.Path != onvif.DevicePath || !local[u.Hostname()] {
			t.Errorf("XAddr %q: want http://<an address of this machine>:%d%s", a, c.httpPort, onvif.DevicePath)
			continue
		}
		// HA's first call at the discovered address.
		if utc := z.call(a, soap.NSDevice, "GetSystemDateAndTime", "", false).Get("SystemDateAndTime", "UTCDateTime"); utc == nil {
			t.Errorf("GetSystemDateAndTime at the discovered %s: got no UTCDateTime", a)
		}
	}
	have := map[string]bool{}
	for _, s := range strings.Fields(scopes) {
		have[s] = true
	}
	for _, s := range []string{onvif.ScopePrefix + "Profile/Streaming", onvif.ScopePrefix + "name/Shelf%20cam", onvif.ScopePrefix + "type/ptz"} {
		if !have[s] {
			t.Errorf("scopes: got %q, want %s among them", scopes, s)
		}
	}
	if !strings.HasPrefix(endpoint, "urn:uuid:") || len(endpoint) != len("urn:uuid:")+36 {
		t.Errorf("endpoint reference: got %q, want urn:uuid:<uuid>", endpoint)
	}

	// The endpoint is stable across a restart; without ONVIF_NAME the name is the host name.
	c.stop(t)
	if err := os.WriteFile(filepath.Join(c.dir, "onvif.conf"), []byte("ONVIF_DISCOVERY=on\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.start(t)
	again, _, scopes := probe()
	if again != endpoint {
		t.Errorf("endpoint reference after a restart: got %q, want %q (stable)", again, endpoint)
	}
	host, _ := os.Hostname()
	if want := onvif.ScopePrefix + "name/" + url.PathEscape(host); !strings.Contains(" "+scopes+" ", " "+want+" ") {
		t.Errorf("scopes without ONVIF_NAME: got %q, want %s", scopes, want)
	}
}

// ---------------------------------------------------------------------------------------------
// 5. Home Assistant's sequence, as zeep sends it.

// xmlNode is a parsed XML element; lookups are by local name.
type xmlNode = soaptest.Node

// zeepClient sends requests as Home Assistant's zeep-async client does: SOAP 1.2, wsa
// Action/MessageID/To headers with mustUnderstand, a WS-Security UsernameToken with a
// PasswordDigest whose Created has zeep's +00:00 offset.
type zeepClient struct {
	t          *testing.T
	user, pass string
	http       *http.Client
}

// envelope builds a request; without user it carries no Security header.
func (z *zeepClient) envelope(to, ns, op, inner string, signed bool) string {
	z.t.Helper()
	sec := ""
	if signed {
		nonce := make([]byte, 16)
		if _, err := rand.Read(nonce); err != nil {
			z.t.Fatal(err)
		}
		created := time.Now().UTC().Format("2006-01-02T15:04:05+00:00")
		sec = `<wsse:Security xmlns:wsse="` + soap.NSWSSE + `"><wsse:UsernameToken><wsse:Username>` + z.user + `</wsse:Username>` +
			`<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">` +
			soap.PasswordDigestOf(nonce, created, z.pass) + `</wsse:Password>` +
			`<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">` +
			base64.StdEncoding.EncodeToString(nonce) + `</wsse:Nonce>` +
			`<wsu:Created xmlns:wsu="` + soap.NSWSU + `">` + created + `</wsu:Created></wsse:UsernameToken></wsse:Security>`
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	body := `<ns0:` + op + ` xmlns:ns0="` + ns + `"/>`
	if inner != "" {
		body = `<ns0:` + op + ` xmlns:ns0="` + ns + `">` + inner + `</ns0:` + op + `>`
	}
	return `<?xml version='1.0' encoding='utf-8'?>` + "\n" +
		`<soap-env:Envelope xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope"><soap-env:Header xmlns:wsa="http://www.w3.org/2005/08/addressing">` +
		`<wsa:Action soap-env:mustUnderstand="true">` + ns + `/` + op + `</wsa:Action>` +
		fmt.Sprintf(`<wsa:MessageID>urn:uuid:%x-%x-%x-%x-%x</wsa:MessageID>`, id[0:4], id[4:6], id[6:8], id[8:10], id[10:]) +
		`<wsa:To soap-env:mustUnderstand="true">` + to + `</wsa:To>` + sec +
		`</soap-env:Header><soap-env:Body>` + body + `</soap-env:Body></soap-env:Envelope>`
}

// zeepReply is an answer: its status and the parsed Body.
type zeepReply struct {
	status int
	raw    string
	body   *xmlNode
}

func (z *zeepClient) post(to, envelope string) zeepReply {
	z.t.Helper()
	req, err := http.NewRequestWithContext(z.t.Context(), http.MethodPost, to, strings.NewReader(envelope))
	if err != nil {
		z.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/soap+xml; charset=utf-8")
	resp, err := z.http.Do(req)
	if err != nil {
		z.t.Fatalf("POST %s: %v", to, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		z.t.Fatal(err)
	}
	var env xmlNode
	if err := xml.Unmarshal(raw, &env); err != nil || env.XMLName.Local != "Envelope" {
		z.t.Fatalf("POST %s: got status %d and %q, want a SOAP envelope (%v)", to, resp.StatusCode, raw, err)
	}
	return zeepReply{status: resp.StatusCode, raw: string(raw), body: env.Get("Body")}
}

// call sends op signed (or not) and requires a 200 with <op>Response, which it returns.
func (z *zeepClient) call(to, ns, op, inner string, signed bool) *xmlNode {
	z.t.Helper()
	r := z.post(to, z.envelope(to, ns, op, inner, signed))
	resp := r.body.Get(op + "Response")
	if r.status != http.StatusOK || resp == nil {
		z.t.Fatalf("%s at %s: got status %d\n%s\nwant 200 and %sResponse", op, to, r.status, r.raw, op)
	}
	return resp
}

// faultSubcode is the innermost Subcode value of a fault, "" when it is not a fault.
func (r zeepReply) faultSubcode() string {
	f := r.body.Get("Fault")
	if f == nil {
		return ""
	}
	code := f.Get("Code")
	v := ""
	for sub := code.Get("Subcode"); sub != nil; sub = sub.Get("Subcode") {
		v = sub.Value("Value")
	}
	return v
}

// parseONVIFTime reads an xs:dateTime.
func parseONVIFTime(t *testing.T, what, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("%s: got %q, want an xs:dateTime: %v", what, s, err)
	}
	return v
}

// initializedMotion checks a PullMessages answer holds the Initialized false of both motion
// topics.
func initializedMotion(t *testing.T, pull *xmlNode) {
	t.Helper()
	want := map[string]string{"tns1:VideoSource/MotionAlarm": "State", "tns1:RuleEngine/CellMotionDetector/Motion": "IsMotion"}
	got := map[string]bool{}
	for _, nm := range pull.All("NotificationMessage") {
		topic := nm.Value("Topic")
		msg := nm.Get("Message", "Message")
		item := msg.Get("Data", "SimpleItem")
		if name, ok := want[topic]; ok && msg.Attr("PropertyOperation") == "Initialized" &&
			item.Attr("Name") == name && item.Attr("Value") == "false" && msg.Get("Source", "SimpleItem") != nil {
			got[topic] = true
		}
	}
	for topic := range want {
		if !got[topic] {
			t.Errorf("PullMessages: got no Initialized false on %s (as HA parses it: topic text, Source and Data SimpleItems)", topic)
		}
	}
}

// TestONVIFHomeAssistantSequence replays Home Assistant's ONVIF config flow, setup and event
// subscription (reference §2.3) as zeep-async sends them, checking at each step what HA reads;
// then a replayed nonce is refused, and the onvif service stopped answers 503 until started.
func TestONVIFHomeAssistantSequence(t *testing.T) {
	t.Parallel()
	testutil.Need(t, "ffprobe")
	c := startONVIFCamera(t, nil)
	c.account(t, "ha", auth.Admin, "home assistant pass")
	z := &zeepClient{t: t, user: "ha", pass: "home assistant pass", http: &http.Client{Timeout: 90 * time.Second}}
	dev := c.base + onvif.DevicePath // hard-coded in HA
	d, m, ev := soap.NSDevice, soap.NSMedia, soap.NSEvents

	// Config flow 1: GetSystemDateAndTime without credentials; UTCDateTime is there and now.
	sdt := z.call(dev, d, "GetSystemDateAndTime", "", false).Get("SystemDateAndTime")
	utc := sdt.Get("UTCDateTime")
	atoi := func(path ...string) int { n, _ := strconv.Atoi(utc.Value(path...)); return n }
	camTime := time.Date(atoi("Date", "Year"), time.Month(atoi("Date", "Month")), atoi("Date", "Day"),
		atoi("Time", "Hour"), atoi("Time", "Minute"), atoi("Time", "Second"), 0, time.UTC)
	if off := time.Since(camTime); off < -5*time.Second || off > 5*time.Second {
		t.Errorf("UTCDateTime: got %v, %v off this clock, want within 5 s (HA warns)", camTime, off)
	}
	if typ := sdt.Value("DateTimeType"); typ != "NTP" {
		t.Errorf("DateTimeType: got %q, want NTP (Manual makes HA set the clock)", typ)
	}

	// GetCapabilities{Category All}: the only place HA takes the other XAddrs from.
	caps := z.call(dev, d, "GetCapabilities", "<ns0:Category>All</ns0:Category>", true).Get("Capabilities")
	mediaX, eventsX, ptzX := caps.Value("Media", "XAddr"), caps.Value("Events", "XAddr"), caps.Value("PTZ", "XAddr")
	for name, x := range map[string]string{"Media": mediaX, "Events": eventsX, "PTZ": ptzX} {
		if !strings.HasPrefix(x, c.base+"/onvif/") {
			t.Fatalf("GetCapabilities %s XAddr: got %q, want an absolute URL under %s/onvif/", name, x, c.base)
		}
	}
	// The simulated board has an IR cut: HA's IR lamp switch uses the imaging service.
	if x := caps.Value("Imaging", "XAddr"); !strings.HasPrefix(x, c.base+"/onvif/") {
		t.Errorf("GetCapabilities Imaging XAddr: got %q, want one under %s/onvif/ (the board has an IR cut)", x, c.base)
	}
	if caps.Value("Events", "WSPullPointSupport") != "true" {
		t.Errorf("GetCapabilities Events WSPullPointSupport: got %q, want true", caps.Value("Events", "WSPullPointSupport"))
	}

	// 2: GetNetworkInterfaces: the first Enabled interface's HwAddress is the unique id.
	var mac string
	for _, ni := range z.call(dev, d, "GetNetworkInterfaces", "", true).All("NetworkInterfaces") {
		if ni.Value("Enabled") == "true" {
			mac = ni.Value("Info", "HwAddress")
			break
		}
	}
	if _, err := net.ParseMAC(mac); err != nil {
		t.Errorf("GetNetworkInterfaces: got HwAddress %q of the first enabled interface, want a MAC (HA's unique id)", mac)
	}

	// 3: GetProfiles: an H264 profile, with a PTZConfiguration on this board.
	var profile *xmlNode
	for _, p := range z.call(mediaX, m, "GetProfiles", "", true).All("Profiles") {
		if p.Value("VideoEncoderConfiguration", "Encoding") == "H264" {
			profile = p
			break
		}
	}
	if profile == nil {
		t.Fatal("GetProfiles: got no H264 profile, HA aborts with no_h264")
	}
	token := profile.Attr("token")
	if token == "<absent>" || profile.Value("Name") == "<absent>" ||
		profile.Value("VideoEncoderConfiguration", "Resolution", "Width") != "320" || profile.Value("VideoEncoderConfiguration", "Resolution", "Height") != "240" {
		t.Errorf("profile: got token %q name %q resolution %sx%s, want a token, a name and 320x240", token, profile.Value("Name"),
			profile.Value("VideoEncoderConfiguration", "Resolution", "Width"), profile.Value("VideoEncoderConfiguration", "Resolution", "Height"))
	}
	if profile.Get("PTZConfiguration") == nil {
		t.Errorf("profile: got no PTZConfiguration, want one (the simulated board has a motor)")
	}

	// Setup: GetDeviceInformation, media GetServiceCapabilities, GetStreamUri, GetSnapshotUri.
	di := z.call(dev, d, "GetDeviceInformation", "", true)
	for _, f := range []string{"Manufacturer", "Model", "FirmwareVersion", "SerialNumber"} {
		if di.Get(f) == nil {
			t.Errorf("GetDeviceInformation: got no %s, HA reads it", f)
		}
	}
	if mc := z.call(mediaX, m, "GetServiceCapabilities", "", true).Get("Capabilities"); mc.Attr("SnapshotUri") != "true" {
		t.Errorf("media GetServiceCapabilities: got SnapshotUri=%q, want true (HA offers no snapshot otherwise)", mc.Attr("SnapshotUri"))
	}
	const schema = `xmlns:ns1="http://www.onvif.org/ver10/schema"`
	streamURI := z.call(mediaX, m, "GetStreamUri", `<ns0:StreamSetup><ns1:Stream `+schema+`>RTP-Unicast</ns1:Stream><ns1:Transport `+schema+
		`><ns1:Protocol>RTSP</ns1:Protocol></ns1:Transport></ns0:StreamSetup><ns0:ProfileToken>`+token+`</ns0:ProfileToken>`, true).Value("MediaUri", "Uri")
	if want := "rtsp://127.0.0.1:" + c.rtspPort(t) + "/unicast"; streamURI != want {
		t.Errorf("GetStreamUri: got %q, want %q", streamURI, want)
	} else {
		u, _ := url.Parse(streamURI)
		u.User = url.UserPassword(z.user, z.pass) // HA puts the ONVIF credentials in the URI
		if got, err := ffprobeStream(t, u.String()); err != nil || got != "h264,320,240" {
			t.Errorf("ffprobe of the stream URI with HA's credentials: got %q (err %v), want h264,320,240", got, err)
		}
	}
	if snap := z.call(mediaX, m, "GetSnapshotUri", "<ns0:ProfileToken>"+token+"</ns0:ProfileToken>", true).Value("MediaUri", "Uri"); snap != c.base+onvif.SnapshotPath {
		t.Errorf("GetSnapshotUri: got %q, want %q", snap, c.base+onvif.SnapshotPath)
	}

	// Events: CreatePullPointSubscription PT600S, SetSynchronizationPoint, PullMessages, Renew,
	// Unsubscribe.
	cr := z.call(eventsX, ev, "CreatePullPointSubscription", "<ns0:InitialTerminationTime>PT600S</ns0:InitialTerminationTime>", true)
	sub := cr.Value("SubscriptionReference", "Address")
	if u, err := url.Parse(sub); err != nil || !u.IsAbs() || u.Host != "127.0.0.1:"+strconv.Itoa(c.httpPort) {
		t.Fatalf("SubscriptionReference/Address: got %q, want an absolute URL on the camera", sub)
	}
	cur := parseONVIFTime(t, "CurrentTime", cr.Value("CurrentTime"))
	term := parseONVIFTime(t, "TerminationTime", cr.Value("TerminationTime"))
	if got := term.Sub(cur); got != 600*time.Second {
		t.Errorf("TerminationTime - CurrentTime: got %v, want 600 s (under 300 s HA switches to absolute times)", got)
	}
	z.call(sub, ev, "SetSynchronizationPoint", "", true)
	start := time.Now()
	pull := z.call(sub, ev, "PullMessages", "<ns0:Timeout>PT1M</ns0:Timeout><ns0:MessageLimit>100</ns0:MessageLimit>", true)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("PullMessages: took %v, want the Initialized messages at once", took)
	}
	initializedMotion(t, pull)
	renew := z.call(sub, soap.NSWSNT, "Renew", "<ns0:TerminationTime>PT600S</ns0:TerminationTime>", true)
	rc, rt := parseONVIFTime(t, "Renew CurrentTime", renew.Value("CurrentTime")), parseONVIFTime(t, "Renew TerminationTime", renew.Value("TerminationTime"))
	if got := rt.Sub(rc); got != 600*time.Second {
		t.Errorf("Renew: got TerminationTime - CurrentTime %v, want 600 s", got)
	}
	z.call(sub, soap.NSWSNT, "Unsubscribe", "", true)
	if r := z.post(sub, z.envelope(sub, ev, "PullMessages", "<ns0:Timeout>PT1S</ns0:Timeout><ns0:MessageLimit>100</ns0:MessageLimit>", true)); r.faultSubcode() == "" {
		t.Errorf("PullMessages after Unsubscribe: got status %d\n%s\nwant a fault (HA re-creates its pull point on one)", r.status, r.raw)
	}

	// A replayed request (same nonce and digest) is refused.
	env := z.envelope(dev, d, "GetDeviceInformation", "", true)
	if r := z.post(dev, env); r.status != http.StatusOK {
		t.Fatalf("GetDeviceInformation: got %d\n%s", r.status, r.raw)
	}
	if r := z.post(dev, env); r.status != http.StatusBadRequest || r.faultSubcode() != "ter:NotAuthorized" {
		t.Errorf("a replayed request: got %d with subcode %q, want 400 ter:NotAuthorized\n%s", r.status, r.faultSubcode(), r.raw)
	}

	// The onvif service stopped: 503 and a fault; started: it answers again.
	ctx := t.Context()
	if err := c.app.ServiceControl(ctx, "onvif", "stop"); err != nil {
		t.Fatalf("stop onvif: %v", err)
	}
	if r := z.post(dev, z.envelope(dev, d, "GetSystemDateAndTime", "", false)); r.status != http.StatusServiceUnavailable || r.body.Get("Fault") == nil {
		t.Errorf("with the onvif service stopped: got %d\n%s\nwant 503 and a fault", r.status, r.raw)
	}
	if err := c.app.ServiceControl(ctx, "onvif", "start"); err != nil {
		t.Fatalf("start onvif: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := z.post(dev, z.envelope(dev, d, "GetSystemDateAndTime", "", false))
		if r.status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the onvif service started again: still %d after 10 s\n%s", r.status, r.raw)
		}
		time.Sleep(20 * time.Millisecond) // polling the service's start
	}
	z.call(mediaX, m, "GetProfiles", "", true)
}

// ---------------------------------------------------------------------------------------------
// 6. A pull point outlives a reload.

// TestONVIFSurvivesAReload: a pull point created before a reload that restarts the camera (a new
// BITRATE) still pulls after it, and the profile reports the new bitrate.
func TestONVIFSurvivesAReload(t *testing.T) {
	t.Parallel()
	c := startONVIFCamera(t, nil)
	c.account(t, "nvr", auth.Viewer, "nvr-pass")
	z := &zeepClient{t: t, user: "nvr", pass: "nvr-pass", http: &http.Client{Timeout: 90 * time.Second}}
	dev := c.base + onvif.DevicePath
	caps := z.call(dev, soap.NSDevice, "GetCapabilities", "<ns0:Category>All</ns0:Category>", true).Get("Capabilities")
	mediaX, eventsX := caps.Value("Media", "XAddr"), caps.Value("Events", "XAddr")
	bitrate := func() string {
		t.Helper()
		return z.call(mediaX, soap.NSMedia, "GetProfiles", "", true).Get("Profiles").Value("VideoEncoderConfiguration", "RateControl", "BitrateLimit")
	}
	if got := bitrate(); got != "500" {
		t.Fatalf("BitrateLimit before the reload: got %q, want writeConfig's 500", got)
	}
	sub := z.call(eventsX, soap.NSEvents, "CreatePullPointSubscription", "<ns0:InitialTerminationTime>PT600S</ns0:InitialTerminationTime>", true).
		Value("SubscriptionReference", "Address")
	pullBody := "<ns0:Timeout>PT1S</ns0:Timeout><ns0:MessageLimit>100</ns0:MessageLimit>"
	initializedMotion(t, z.call(sub, soap.NSEvents, "PullMessages", pullBody, true))

	c.app.mu.Lock()
	before := c.app.cur
	c.app.mu.Unlock()
	// While the camera restarts and after, the ONVIF server answers: only media may say
	// "camera restarting"; the device service (watched here) and the events carry on.
	refusals := watchONVIF(t, dev, z.envelope(dev, soap.NSDevice, "GetSystemDateAndTime", "", false))
	appendConf(t, c.dir, "rtspserver.conf", "BITRATE=600\n")
	if err := c.app.Reload(); err != nil {
		t.Fatalf("reload: %v", err)
	}
	c.app.mu.Lock()
	after := c.app.cur
	c.app.mu.Unlock()
	if after == before {
		t.Fatalf("the reload with a new BITRATE kept the instance, want it restarted (the test needs one)")
	}
	// The same subscription pulls at once: the long poll times out empty, no fault (HA takes
	// a fault for a restarted camera and subscribes again).
	if r := z.post(sub, z.envelope(sub, soap.NSEvents, "PullMessages", pullBody, true)); r.status != http.StatusOK ||
		r.body.Get("PullMessagesResponse", "CurrentTime") == nil || r.body.Get("PullMessagesResponse", "TerminationTime") == nil {
		t.Errorf("PullMessages right after the reload: got %d %q, want 200 with CurrentTime and TerminationTime",
			r.status, r.body.Value("Fault", "Reason", "Text"))
	}
	if got := refusals(); len(got) > 0 {
		// How long it lasts tells a window from a service that never came back.
		recovered := "not within 10 s"
		for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(20 * time.Millisecond) {
			if r := z.post(dev, z.envelope(dev, soap.NSDevice, "GetSystemDateAndTime", "", false)); r.status == http.StatusOK {
				recovered = "after " + time.Since(start).Round(time.Millisecond).String()
				break
			}
		}
		t.Errorf("GetSystemDateAndTime during and after the reload: got %d refusals (first %s, last %s), want the ONVIF service answering throughout; it answered again %s (onvif service %+v)",
			len(got), got[0], got[len(got)-1], recovered, serviceInfo(c.app, "onvif"))
	}
	if got := bitrate(); got != "600" {
		t.Errorf("BitrateLimit after the reload: got %q, want 600", got)
	}
	z.call(sub, soap.NSWSNT, "Unsubscribe", "", true)
}

// watchONVIF posts envelope to url over and over until the returned function is called, which
// returns the answers that were not 200 (status and fault reason).
func watchONVIF(t *testing.T, url, envelope string) func() []string {
	t.Helper()
	stop := make(chan struct{})
	done := make(chan []string, 1)
	client := &http.Client{Timeout: 10 * time.Second}
	go func() {
		var bad []string
		defer func() { done <- bad }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			resp, err := client.Post(url, "application/soap+xml; charset=utf-8", strings.NewReader(envelope))
			if err != nil {
				bad = append(bad, err.Error())
				continue
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				var env xmlNode
				_ = xml.Unmarshal(raw, &env)
				bad = append(bad, fmt.Sprintf("%d %q", resp.StatusCode, env.Value("Body", "Fault", "Reason", "Text")))
			}
		}
	}()
	var once sync.Once
	var got []string
	finish := func() []string {
		once.Do(func() { close(stop); got = <-done })
		return got
	}
	t.Cleanup(func() { finish() })
	return finish
}
