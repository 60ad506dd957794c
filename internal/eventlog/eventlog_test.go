package eventlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/event"

	"github.com/freecam/freecam/internal/testutil"
)

var idPattern = regexp.MustCompile(`^[0-9a-z-]+$`)

// lockedBuffer is a log destination for several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func newLog(t *testing.T, opts Options) (*Log, *lockedBuffer) {
	t.Helper()
	var out lockedBuffer
	opts.Log = slog.New(slog.NewTextHandler(&out, nil))
	l, err := New(opts)
	if err != nil {
		t.Fatalf("New: got %v, want no error", err)
	}
	ready := make(chan struct{})
	l.readyC, l.ready = ready, func() { close(ready) }
	return l, &out
}

// start runs l until the test ends and checks that Run returns nil when cancelled. It returns
// once Run has subscribed to the bus.
func start(t *testing.T, l *Log) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	waitReady(t, l)
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: got %v, want nil after cancel", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Run: still running 5 s after cancel, want it to return")
		}
	})
}

// runUntil runs l until stop is called, for tests that reopen the directory. It returns once
// Run has subscribed to the bus.
func runUntil(t *testing.T, l *Log) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	waitReady(t, l)
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: got %v, want nil", err)
		}
	}
}

// newLog sets the ready hook; waitReady waits for it.
func waitReady(t *testing.T, l *Log) {
	t.Helper()
	select {
	case <-l.readyC:
	case <-time.After(5 * time.Second):
		t.Fatalf("got no subscription within 5 s, want Run to subscribe")
	}
}

func waitEvents(t *testing.T, l *Log, n int) []camera.Event {
	t.Helper()
	testutil.WaitWithin(t, 5*time.Second, fmt.Sprintf("%d events", n), func() bool { return len(l.Events(0)) >= n })
	return l.Events(0)
}

var t0 = time.Date(2026, 11, 26, 14, 35, 1, 42_000_000, time.UTC)

func TestEventsFromTheBusAppearNewestFirstWithText(t *testing.T) {
	var bus event.Bus
	l, _ := newLog(t, Options{Dir: t.TempDir(), Bus: &bus})
	start(t, l)

	// Routine service transitions stay out of the timeline; a failure goes in.
	bus.Publish(event.Event{Kind: event.ServiceState, Time: t0, Service: "rtsp", State: "starting"})
	bus.Publish(event.Event{Kind: event.ServiceState, Time: t0, Service: "rtsp", State: "running"})
	bus.Publish(event.Event{Kind: event.Hardware, Time: t0})
	bus.Publish(event.Event{Kind: event.NightOn, Time: t0, Cause: "auto"})
	bus.Publish(event.Event{Kind: event.MotionStart, Time: t0.Add(time.Second), Region: 2, Score: 0.12})
	bus.Publish(event.Event{Kind: event.MotionEnd, Time: t0.Add(2 * time.Second), Region: 2})
	bus.Publish(event.Event{Kind: event.ServiceState, Time: t0.Add(2 * time.Second), Service: "rtsp", State: "failed", Err: "listen tcp :554:\naddress in use"})
	got := waitEvents(t, l, 4)
	if all := l.Events(100); len(all) != 4 {
		t.Errorf("got %d events, want 4: routine service transitions kept", len(all))
	}

	want := []struct{ kind, text string }{
		{"service_state", "service rtsp failed: listen tcp :554: address in use"},
		{"motion_end", "motion ended in region 2"},
		{"motion_start", "motion in region 2, 12% changed"},
		{"night_on", "night mode on (auto)"},
	}
	for i, w := range want {
		if got[i].Kind != w.kind || got[i].Text != w.text {
			t.Errorf("event %d: got %s %q, want %s %q", i, got[i].Kind, got[i].Text, w.kind, w.text)
		}
		if !idPattern.MatchString(got[i].ID) {
			t.Errorf("event %d: got id %q, want it to match %s", i, got[i].ID, idPattern)
		}
	}
	if got, want := got[3].ID, "20261126-143501-042"; got != want {
		t.Errorf("got id %q, want %q", got, want)
	}
	if got[0].ID == got[1].ID {
		t.Errorf("got the id %q twice for events in one millisecond, want them distinct", got[0].ID)
	}
	if got, want := got[0].Time, t0.Add(2*time.Second); !got.Equal(want) {
		t.Errorf("got time %v, want %v", got, want)
	}
	if n := len(l.Events(2)); n != 2 {
		t.Errorf("Events(2): got %d, want 2", n)
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name string
		ev   event.Event
		want string
	}{
		{"night on", event.Event{Kind: event.NightOn, Cause: "auto"}, "night mode on (auto)"},
		{"night off no cause", event.Event{Kind: event.NightOff}, "night mode off"},
		{"motion no region", event.Event{Kind: event.MotionStart, Region: -1, Score: 0.5}, "motion, 50% changed"},
		{"motion region 0", event.Event{Kind: event.MotionStart, Region: 0, Score: 0.034}, "motion in region 0, 3% changed"},
		{"motion end", event.Event{Kind: event.MotionEnd, Region: -1}, "motion ended"},
		{"service running", event.Event{Kind: event.ServiceState, Service: "mqtt", State: "running"}, "service mqtt running"},
		{"unknown kind", event.Event{Kind: "doorbell", Cause: "gpio"}, "doorbell (gpio)"},
		{"long error", event.Event{Kind: event.ServiceState, Service: "x", State: "failed", Err: strings.Repeat("é", 400)}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Text(tc.ev)
			if tc.want == "" { // the long one: cut, still one valid line
				if len(got) > maxText || !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "service x failed: é") {
					t.Errorf("got %d bytes %q…, want at most %d ending in …", len(got), got[:20], maxText)
				}
				return
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// thumbSource returns a different small JPEG at each call and counts the calls.
type thumbSource struct{ calls atomic.Int32 }

func (s *thumbSource) Thumb(ctx context.Context) ([]byte, error) {
	n := s.calls.Add(1)
	img := image.NewGray(image.Rect(0, 0, 16, 8))
	for i := range img.Pix {
		img.Pix[i] = uint8(n * 40)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func thumbFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "thumbs"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestMotionThumbnailsAreSavedAndCapped(t *testing.T) {
	var bus event.Bus
	var src thumbSource
	dir := t.TempDir()
	l, _ := newLog(t, Options{Dir: dir, Bus: &bus, Thumb: src.Thumb, MaxThumbs: 2})
	start(t, l)

	var ids []string
	for i := range 3 {
		bus.Publish(event.Event{Kind: event.MotionStart, Time: t0.Add(time.Duration(i) * time.Second), Region: -1, Score: 0.2})
		bus.Publish(event.Event{Kind: event.NightOn, Time: t0.Add(time.Duration(i)*time.Second + time.Millisecond)})
		evs := waitEvents(t, l, 2*(i+1))
		id := evs[1].ID
		testutil.WaitWithin(t, 5*time.Second, "thumbnail of "+id, func() bool { _, ok := l.Thumb(id); return ok })
		ids = append(ids, id)
	}
	if got := src.calls.Load(); got != 3 {
		t.Errorf("got %d thumbnails taken, want 3 (motion starts only)", got)
	}
	testutil.WaitWithin(t, 5*time.Second, "the oldest thumbnail deleted", func() bool { return len(thumbFiles(t, dir)) == 2 })
	if got, want := thumbFiles(t, dir), []string{ids[1] + ".jpg", ids[2] + ".jpg"}; !slices.Equal(got, want) {
		t.Errorf("got thumbnails %v, want the newest two %v", got, want)
	}
	if _, ok := l.Thumb(ids[0]); ok {
		t.Errorf("got a thumbnail for %s, want it deleted (MaxThumbs 2)", ids[0])
	}
	b, ok := l.Thumb(ids[2])
	if !ok {
		t.Fatalf("got no thumbnail for %s, want one", ids[2])
	}
	if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("got a thumbnail that is no JPEG: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "thumbs", ids[2]+".jpg"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("got %v, %v, want mode 0644", fi.Mode(), err)
	}
	flags := map[string]bool{}
	for _, ev := range l.Events(0) {
		flags[ev.ID] = ev.Thumb
		if ev.Kind != "motion_start" && ev.Thumb {
			t.Errorf("got a thumbnail on %s, want them on motion starts only", ev.Kind)
		}
	}
	if want := map[string]bool{ids[0]: false, ids[1]: true, ids[2]: true}; flags[ids[0]] != false || flags[ids[1]] != true || flags[ids[2]] != true {
		t.Errorf("got Thumb flags %v, want %v", flags, want)
	}
}

func TestThumbnailFailuresDoNotStopRecording(t *testing.T) {
	var bus event.Bus
	block := make(chan struct{})
	thumb := func(ctx context.Context) ([]byte, error) {
		select {
		case <-block:
			return nil, errors.New("no picture yet")
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	l, out := newLog(t, Options{Dir: t.TempDir(), Bus: &bus, Thumb: thumb})
	start(t, l)
	for i := range 20 { // the worker is stuck on the first; the rest must not wait for it
		bus.Publish(event.Event{Kind: event.MotionStart, Time: t0.Add(time.Duration(i) * time.Millisecond)})
	}
	evs := waitEvents(t, l, 20)
	close(block)
	testutil.WaitWithin(t, 5*time.Second, "logged thumbnail failure", func() bool { return strings.Contains(out.String(), "no picture yet") })
	if n := strings.Count(out.String(), "take a thumbnail"); n != 1 {
		t.Errorf("got %d warnings, want 1 (once a minute)", n)
	}
	for _, ev := range evs {
		if ev.Thumb {
			t.Errorf("got Thumb on %s, want none (every thumbnail failed)", ev.ID)
		}
	}
}

func TestARestartSeesTheOldEvents(t *testing.T) {
	var bus event.Bus
	var src thumbSource
	dir := t.TempDir()
	l, _ := newLog(t, Options{Dir: dir, Bus: &bus, Thumb: src.Thumb})
	stop := runUntil(t, l)
	bus.Publish(event.Event{Kind: event.NightOff, Time: t0, Cause: "manual"})
	bus.Publish(event.Event{Kind: event.MotionStart, Time: t0.Add(time.Second), Region: 1, Score: 0.3})
	waitEvents(t, l, 2)
	testutil.WaitWithin(t, 5*time.Second, "thumbnail", func() bool { return l.Events(0)[0].Thumb })
	stop()
	before := l.Events(0)

	l2, out := newLog(t, Options{Dir: dir, Bus: &bus})
	after := l2.Events(0)
	if len(after) != len(before) {
		t.Fatalf("got %d events after a restart, want %d", len(after), len(before))
	}
	for i := range before {
		if !after[i].Time.Equal(before[i].Time) {
			t.Errorf("event %d: got time %v, want %v", i, after[i].Time, before[i].Time)
		}
		after[i].Time, before[i].Time = time.Time{}, time.Time{}
		if after[i] != before[i] {
			t.Errorf("event %d: got %+v, want %+v", i, after[i], before[i])
		}
	}
	if out.String() != "" {
		t.Errorf("got log %q, want nothing for a clean file", out.String())
	}
}

func TestCorruptLinesAreSkippedWithAWarning(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.jsonl")
	good := `{"id":"20261126-143501-042","kind":"night_on","time":"2026-11-26T14:35:01.042Z","text":"night mode on (auto)"}`
	lines := []string{
		good,
		`not json`,
		`{"id":"../x","kind":"night_on","time":"2026-11-26T14:35:01Z","text":"x"}`,
		``,
		`{"id":"20261126-143502-000","kind":"motion_end","time":"2026-11-26T14:35:02Z","text":"motion ended"}`,
		`{"id":"20261126-1435`, // a write cut short, no newline
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	var bus event.Bus
	l, out := newLog(t, Options{Dir: dir, Bus: &bus})
	got := l.Events(0)
	if len(got) != 2 || got[0].ID != "20261126-143502-000" || got[1].ID != "20261126-143501-042" {
		t.Fatalf("got %+v, want the two good events, newest first", got)
	}
	log := out.String()
	for _, n := range []string{"line=2", "line=3", "line=6"} {
		if !strings.Contains(log, "corrupt line") || !strings.Contains(log, "file="+path) || !strings.Contains(log, n) {
			t.Errorf("got log %q, want a corrupt-line warning naming the file and %s", log, n)
		}
	}
	if strings.Contains(log, "line=1 ") || strings.Contains(log, "line=4 ") {
		t.Errorf("got log %q, want no warning for good or empty lines", log)
	}

	// The next event goes on a line of its own, after the cut one, and survives a restart.
	stop := runUntil(t, l)
	bus.Publish(event.Event{Kind: event.NightOff, Time: t0.Add(time.Minute)})
	waitEvents(t, l, 3)
	stop()
	l2, _ := newLog(t, Options{Dir: dir})
	if got := l2.Events(0); len(got) != 3 || got[0].Kind != "night_off" {
		t.Errorf("got %+v after a restart, want the new event first of 3", got)
	}
}

func TestThumbRefusesWhatIsNotAnID(t *testing.T) {
	dir := t.TempDir()
	l, _ := newLog(t, Options{Dir: dir})
	// Files a traversal would reach.
	for _, name := range []string{"x.jpg", "thumbs/a", "events.jsonl.jpg"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("secret"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "thumbs", "ok-1.jpg"), []byte("jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"../x", "a/b", "", "..", "../events.jsonl", "X", "ok-1.jpg", "ok 1", "ok%2f1", strings.Repeat("a", 65), "a\x00"} {
		t.Run(fmt.Sprintf("%q", id), func(t *testing.T) {
			if b, ok := l.Thumb(id); ok || b != nil {
				t.Errorf("got %q, %v, want refused", b, ok)
			}
		})
	}
	if b, ok := l.Thumb("ok-1"); !ok || string(b) != "jpeg" {
		t.Errorf("got %q, %v for a valid id, want the file", b, ok)
	}
	if _, ok := l.Thumb("missing"); ok {
		t.Errorf("got a thumbnail for a missing id, want none")
	}
}

func TestTheFileIsCompactedAndMemoryBounded(t *testing.T) {
	var bus event.Bus
	dir := t.TempDir()
	l, _ := newLog(t, Options{Dir: dir, Bus: &bus, MaxEvents: 3})
	stop := runUntil(t, l)
	for i := range 10 {
		bus.Publish(event.Event{Kind: event.NightOn, Time: t0.Add(time.Duration(i) * time.Second), Cause: fmt.Sprint(i)})
		testutil.WaitWithin(t, 5*time.Second, fmt.Sprintf("event %d", i), func() bool {
			evs := l.Events(1)
			return len(evs) == 1 && strings.HasSuffix(evs[0].Text, fmt.Sprintf("(%d)", i))
		})
	}
	stop()
	if got := len(l.Events(0)); got != 3 {
		t.Errorf("got %d events in memory, want 3", got)
	}
	b, err := os.ReadFile(filepath.Join(dir, "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, []byte("\n")); n > 6 {
		t.Errorf("got %d lines in the file, want at most 6 (2×MaxEvents)", n)
	}
	l2, _ := newLog(t, Options{Dir: dir, MaxEvents: 3})
	var texts []string
	for _, ev := range l2.Events(0) {
		texts = append(texts, ev.Text)
	}
	if want := []string{"night mode on (9)", "night mode on (8)", "night mode on (7)"}; !slices.Equal(texts, want) {
		t.Errorf("got %q after a restart, want %q", texts, want)
	}
}

func TestAFullDiskKeepsRecordingAndLogsOnceAMinute(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full to fill the disk with")
	}
	var bus event.Bus
	dir := t.TempDir()
	l, out := newLog(t, Options{Dir: dir, Bus: &bus})
	if err := os.Symlink("/dev/full", filepath.Join(dir, "events.jsonl")); err != nil {
		t.Fatal(err)
	}
	var now atomic.Int64
	now.Store(t0.UnixNano())
	l.now = func() time.Time { return time.Unix(0, now.Load()) }
	start(t, l)

	for i := range 3 {
		bus.Publish(event.Event{Kind: event.NightOn, Time: t0.Add(time.Duration(i) * time.Second)})
	}
	waitEvents(t, l, 3)
	testutil.WaitWithin(t, 5*time.Second, "warning", func() bool { return strings.Contains(out.String(), "no space left on device") })
	now.Add(int64(61 * time.Second))
	bus.Publish(event.Event{Kind: event.NightOff, Time: t0.Add(time.Minute)})
	waitEvents(t, l, 4)
	testutil.WaitWithin(t, 5*time.Second, "second warning", func() bool { return strings.Count(out.String(), "write the event log") == 2 })
	if !strings.Contains(out.String(), "suppressed=2") {
		t.Errorf("got log %q, want the second warning to count the 2 suppressed", out.String())
	}
}
