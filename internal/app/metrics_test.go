package app

import (
	"bytes"
	"context"
	"fmt"
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

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/freecam/freecam/internal/buildinfo"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/metrics"
	"github.com/freecam/freecam/internal/sdnotify"
	"github.com/freecam/freecam/internal/testutil"
)

// scrape fetches /metrics as the admin and parses it with Prometheus's own parser.
func scrape(t *testing.T, r *running) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := r.get(t, "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: got %s, want 200\n%s", resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != metrics.ContentType {
		t.Errorf("got Content-Type %q, want %q", ct, metrics.ContentType)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the Prometheus parser refused /metrics: %v\n%s", err, body)
	}
	return fams
}

// value is the first sample's value of a counter, gauge or histogram (its count); -1 when the
// family is missing or empty.
func value(fams map[string]*dto.MetricFamily, name string) float64 {
	f := fams[name]
	if f == nil || len(f.Metric) == 0 {
		return -1
	}
	m := f.Metric[0]
	switch f.GetType() {
	case dto.MetricType_COUNTER:
		return m.GetCounter().GetValue()
	case dto.MetricType_GAUGE:
		return m.GetGauge().GetValue()
	case dto.MetricType_HISTOGRAM:
		return float64(m.GetHistogram().GetSampleCount())
	}
	return -1
}

func TestMetricsHoldTheCamerasSeries(t *testing.T) {
	r := startApp(t, writeConfig(t, nil), Options{Version: "v9.9.9-test"})

	// A snapshot for the latency histogram, and a motion event on the bus.
	resp, err := r.get(t, "/snapshot.jpg")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /snapshot.jpg: got %s, want 200", resp.Status)
	}
	r.app.bus.Publish(event.Event{Kind: event.MotionStart, Cause: "test"})
	r.app.bus.Publish(event.Event{Kind: event.MotionEnd, Cause: "test"}) // not counted

	var fams map[string]*dto.MetricFamily
	deadline := time.Now().Add(10 * time.Second)
	for {
		fams = scrape(t, r)
		if value(fams, "freecam_encoded_frames_total") > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got no encoded frame in /metrics after 10 s, want some")
		}
		time.Sleep(50 * time.Millisecond)
	}

	checks := []struct {
		name    string
		min     float64 // value must be ≥ min
		max     float64 // and ≤ max when max > 0
		typ     dto.MetricType
		comment string
	}{
		{"freecam_up", 1, 1, dto.MetricType_GAUGE, ""},
		{"freecam_healthy", 1, 1, dto.MetricType_GAUGE, "pictures arrive"},
		{"freecam_source_frames_total", 1, 0, dto.MetricType_COUNTER, ""},
		{"freecam_encoded_frames_total", 1, 0, dto.MetricType_COUNTER, ""},
		{"freecam_encoder_dropped_frames_total", 0, 0, dto.MetricType_COUNTER, ""},
		{"freecam_encode_errors_total", 0, 0, dto.MetricType_COUNTER, ""},
		{"freecam_encode_last_duration_seconds", 1e-9, 5, dto.MetricType_GAUGE, "an encode took time"},
		{"freecam_encode_duration_seconds", 1, 0, dto.MetricType_HISTOGRAM, "encodes counted"},
		{"freecam_source_restarts_total", 0, 0, dto.MetricType_COUNTER, ""},
		{"freecam_source_watchdog_restarts_total", 0, 0, dto.MetricType_COUNTER, ""},
		{"freecam_source_last_frame_age_seconds", 0, 5, dto.MetricType_GAUGE, ""},
		{"freecam_snapshot_request_duration_seconds", 1, 0, dto.MetricType_HISTOGRAM, "one snapshot fetched"},
		{"freecam_snapshot_encodes_total", 1, 0, dto.MetricType_COUNTER, ""},
		{"freecam_motion_events_total", 1, 1, dto.MetricType_COUNTER, "one MotionStart published"},
		{"freecam_rtsp_readers", 0, 0, dto.MetricType_GAUGE, ""},
		{"freecam_rtsp_dropped_frames_total", 0, 0, dto.MetricType_COUNTER, ""},
		{"freecam_resident_memory_bytes", 1 << 20, 0, dto.MetricType_GAUGE, "more than 1 MiB"},
		{"freecam_goroutines", 1, 0, dto.MetricType_GAUGE, ""},
		{"freecam_uptime_seconds", 0, 600, dto.MetricType_GAUGE, ""},
		{"freecam_start_time_seconds", float64(time.Now().Add(-10 * time.Minute).Unix()), float64(time.Now().Unix() + 1), dto.MetricType_GAUGE, ""},
		{"freecam_build_info", 1, 1, dto.MetricType_GAUGE, ""},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			f := fams[c.name]
			if f == nil {
				t.Fatalf("got no %s, want it", c.name)
			}
			if f.GetType() != c.typ {
				t.Errorf("got type %v, want %v", f.GetType(), c.typ)
			}
			v := value(fams, c.name)
			if v < c.min || (c.max > 0 && v > c.max) {
				t.Errorf("got %v, want between %v and %v %s", v, c.min, c.max, c.comment)
			}
		})
	}
	// No delivery target is set up: the families are there, empty (the parser leaves them out).
	resp, err = r.get(t, "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, name := range []string{"freecam_deliveries_total", "freecam_delivery_failures_total", "freecam_delivery_dropped_total", "freecam_delivery_queue_length"} {
		if !bytes.Contains(raw, []byte("# TYPE "+name+" ")) {
			t.Errorf("got no %s family, want it (empty when nothing is set up)", name)
		}
	}
	info := labels(fams["freecam_build_info"].Metric[0])
	if info["version"] != "v9.9.9-test" {
		t.Errorf("got build_info version=%q, want v9.9.9-test", info["version"])
	}
	wantCommit := buildinfo.Get().Commit
	if wantCommit == "" {
		wantCommit = "unknown" // test binaries carry no VCS stamp
	}
	if info["commit"] != wantCommit {
		t.Errorf("got build_info commit=%q, want %q", info["commit"], wantCommit)
	}
}

// labels is a sample's labels by name.
func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.Label {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// A source that never delivers a picture: the camera is up but not healthy, and the picture age
// is there from the start and grows, so an alert on it fires.
func TestMetricsOfASourceThatNeverWorks(t *testing.T) {
	testutil.Need(t, "false")
	r := startApp(t, writeConfig(t, map[string]string{"freecam.conf": "SOURCE='exec:false'\n"}), Options{})
	fams := scrape(t, r)
	if got := value(fams, "freecam_up"); got != 1 {
		t.Errorf("got freecam_up %v, want 1 (the camera runs)", got)
	}
	if got := value(fams, "freecam_healthy"); got != 0 {
		t.Errorf("got freecam_healthy %v, want 0 (no picture, /healthz says 503)", got)
	}
	first := value(fams, "freecam_source_last_frame_age_seconds")
	if first < 0 {
		t.Fatalf("got no freecam_source_last_frame_age_seconds before any picture, want the time since freecam started")
	}
	if up := value(fams, "freecam_uptime_seconds"); first > up+1 {
		t.Errorf("got a picture age of %v s with an uptime of %v s, want at most the uptime", first, up)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := value(scrape(t, r), "freecam_source_last_frame_age_seconds")
		if got >= first+0.2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got a picture age of %v s 10 s after %v s, want it to grow", got, first)
		}
		time.Sleep(50 * time.Millisecond)
	}
	healthz(t, r, http.StatusServiceUnavailable, time.Second)
}

func TestFrameClock(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	first, second := &instance{}, &instance{}
	var f frameClock
	steps := []struct {
		name string
		inst *instance
		last time.Time
		now  float64
		want float64
	}{
		{"starting, nothing runs yet", nil, time.Time{}, 2, 2},
		{"running, no picture yet: since freecam started", first, time.Time{}, 30, 30},
		{"a picture", first, at(31), 33, 2},
		{"no new picture", first, at(31), 40, 9},
		{"a reload swaps the parts", nil, time.Time{}, 41, 10},
		{"the new source, no picture yet: since it was seen", second, time.Time{}, 42, 0},
		{"the new source still without a picture", second, time.Time{}, 50, 8},
		{"its first picture", second, at(51), 51.5, 0.5},
	}
	for _, s := range steps {
		got := f.age(t0, s.inst, s.last, at(s.now)).Seconds()
		if got != s.want {
			t.Fatalf("%s: got %v s, want %v s", s.name, got, s.want)
		}
	}
}

func TestReaderSlots(t *testing.T) {
	s := readerSlots{}
	steps := []struct {
		current []string
		want    map[string]int
	}{
		{[]string{"b", "a"}, map[string]int{"a": 1, "b": 2}},
		{[]string{"b", "c"}, map[string]int{"b": 2, "c": 1}}, // a left: c takes its slot
		{[]string{"b", "c", "d", "e"}, map[string]int{"b": 2, "c": 1, "d": 3, "e": 4}},
		{[]string{"e"}, map[string]int{"e": 4}},
		{[]string{"e", "f", "g"}, map[string]int{"e": 4, "f": 1, "g": 2}},
		{nil, map[string]int{}},
	}
	for i, st := range steps {
		cur := map[string]uint64{}
		for _, k := range st.current {
			cur[k] = 0
		}
		s.update(cur)
		if fmt.Sprint(map[string]int(s)) != fmt.Sprint(st.want) {
			t.Errorf("step %d: got %v, want %v", i, map[string]int(s), st.want)
		}
	}
}

func TestMetricsCountAnRTSPReader(t *testing.T) {
	testutil.Need(t, "ffmpeg")
	r := startApp(t, writeConfig(t, nil), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ff := exec.CommandContext(ctx, "ffmpeg", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", r.rtspURL(t), "-t", "20", "-f", "null", "-")
	if err := ff.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = ff.Wait() }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		fams := scrape(t, r)
		if value(fams, "freecam_rtsp_readers") == 1 {
			f := fams["freecam_rtsp_reader_dropped_frames_total"]
			if f == nil || len(f.Metric) != 1 {
				t.Fatalf("got reader drops %v, want one series", f)
			}
			got := labels(f.Metric[0])
			if want := map[string]string{"reader": "1", "transport": "TCP"}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got reader drop labels %v, want %v (a slot number, no client address)", got, want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("got freecam_rtsp_readers %v with ffmpeg playing for 15 s, want 1", value(fams, "freecam_rtsp_readers"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestMetricsAndHealthzNeedAnAccount(t *testing.T) {
	r := startApp(t, writeConfig(t, nil), Options{})
	for _, path := range []string{"/metrics", "/healthz"} {
		resp, err := insecureClient.Get(r.httpsURL(path))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without credentials: got %s, want 401", path, resp.Status)
		}
	}
}

// healthz polls /healthz until its status is want and returns the body.
func healthz(t *testing.T, r *running, want int, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		resp, err := r.get(t, "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == want {
			return string(body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /healthz: got %d %q for %s, want %d", resp.StatusCode, body, within, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// writeY4M writes a few grey 320×240 pictures.
func writeY4M(t *testing.T, frames int) string {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("YUV4MPEG2 W320 H240 F25:1 Ip A1:1 C420jpeg\n")
	pic := bytes.Repeat([]byte{128}, 320*240*3/2)
	for range frames {
		b.WriteString("FRAME\n")
		b.Write(pic)
	}
	path := filepath.Join(t.TempDir(), "few.y4m")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHealthzFollowsTheSource(t *testing.T) {
	testutil.Need(t, "sh", "cat", "sleep")
	// The source delivers a few pictures, then hangs: healthy at first, then not until the
	// watchdog restarts it.
	src := fmt.Sprintf(`exec:sh -c 'cat %s; exec sleep 600'`, writeY4M(t, 5))
	r := startApp(t, writeConfig(t, map[string]string{"freecam.conf": "SOURCE=\"" + src + "\"\nWATCHDOG_SECONDS=2\n"}), Options{})
	if body := healthz(t, r, http.StatusOK, 10*time.Second); body != "ok\n" {
		t.Errorf("got %q, want \"ok\\n\"", body)
	}
	body := healthz(t, r, http.StatusServiceUnavailable, 10*time.Second)
	if !strings.Contains(body, "no picture from the source") {
		t.Errorf("got %q, want the reason: no picture from the source", body)
	}
	if err := r.app.Health(); err == nil {
		t.Logf("the watchdog restarted the source meanwhile") // both are fine; the 503 was seen
	}
}

func TestHealthWhenNotRunning(t *testing.T) {
	a := New(Options{})
	if err := a.Health(); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Errorf("got %v, want an error saying the camera is not running", err)
	}
}

func TestSystemdNotify(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got := make(chan string, 64)
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			got <- string(buf[:n])
		}
	}()
	next := func(want string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case m := <-got:
				if strings.HasPrefix(m, want) {
					return
				}
				if want == sdnotify.Stopping && m == sdnotify.Watchdog {
					continue // a ping may precede the stop
				}
				t.Fatalf("got %q from freecam, want %q", m, want)
			case <-deadline:
				t.Fatalf("got no %q in 10 s", want)
			}
		}
	}

	r := startApp(t, writeConfig(t, nil), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.app.notifySystemd(ctx, sdnotify.New(sock), 100*time.Millisecond)
	}()
	next(sdnotify.Ready)
	next(sdnotify.Watchdog)
	next(sdnotify.Watchdog)
	cancel()
	next(sdnotify.Stopping)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("notifySystemd did not return after its context ended")
	}
}

func TestNoWatchdogPingWhileTheSourceIsStuck(t *testing.T) {
	testutil.Need(t, "sleep")
	sock := filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := startApp(t, writeConfig(t, map[string]string{"freecam.conf": "SOURCE='exec:sleep 600'\nWATCHDOG_SECONDS=30\n"}), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.app.notifySystemd(ctx, sdnotify.New(sock), 20*time.Millisecond)
	}()
	buf := make([]byte, 1024)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := conn.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), sdnotify.Ready) {
		t.Fatalf("got %q, %v, want READY=1", buf[:n], err)
	}
	// Ten ping periods without a picture: nothing but (after cancel) STOPPING.
	_ = conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, err := conn.Read(buf); err == nil {
		t.Errorf("got %q while the source delivers nothing, want no datagram", buf[:n])
	}
	cancel()
	<-done
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := conn.Read(buf); err != nil || string(buf[:n]) != sdnotify.Stopping {
		t.Errorf("got %q, %v, want STOPPING=1", buf[:n], err)
	}
}

// BenchmarkScrape measures one /metrics collection of a running camera (the HTTP and TLS
// around it are the web server's).
func BenchmarkScrape(b *testing.B) {
	dir := b.TempDir()
	files := map[string]string{
		"rtspserver.conf": fmt.Sprintf("PORT=%d\nRTSPOPTS=\"-W320 -H240\"\n", testutil.FreePort(b)),
		"freecam.conf":    fmt.Sprintf("SOURCE=synthetic\nHTTPS_LISTEN=127.0.0.1:0\nHTTP_LISTEN=off\nRTSP_UDP_PORT=%d\n", testutil.FreeUDPPair(b)),
		"onvif.conf":      "ONVIF_DISCOVERY=off\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	a := New(Options{ConfigDir: dir, DataDir: b.TempDir(), Console: io.Discard, Logger: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(20 * time.Second); a.Health() != nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("the camera is not healthy after 20 s: %v", a.Health())
		}
	}
	var reg metrics.Registry
	reg.Collect(webCamera{a}.MetricsCollector())
	b.ReportAllocs()
	var size int
	for b.Loop() {
		size = len(reg.Gather())
	}
	b.ReportMetric(float64(size), "bytes/scrape")
}
