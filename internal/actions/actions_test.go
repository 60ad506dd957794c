package actions

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera/camtest"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/hal"

	"github.com/freecam/freecam/internal/testutil"
)

// fakeQueue records what would be delivered, with the files' content at enqueue time.
type fakeQueue struct {
	mu    sync.Mutex
	items map[string][]deliver.Item
	data  map[string][]byte
}

func (q *fakeQueue) Enqueue(target string, it deliver.Item) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.items == nil {
		q.items, q.data = map[string][]deliver.Item{}, map[string][]byte{}
	}
	q.items[target] = append(q.items[target], it)
	for _, f := range it.Files {
		b, _ := os.ReadFile(f)
		q.data[target+":"+it.ID+":"+filepath.Base(f)] = b
	}
	return nil
}

func (q *fakeQueue) got(target string) []deliver.Item {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.items[target])
}

type env struct {
	cam   *camtest.Camera
	bus   *event.Bus
	queue *fakeQueue
	data  string
	dir   string
}

// start runs Actions for motion.conf lines on the fake camera; it stops at the test's end.
func start(t *testing.T, motion string, targets ...string) *env {
	t.Helper()
	dir := t.TempDir()
	if _, err := conf.EnsureFiles(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, conf.MotionFile), []byte(motion), 0o600); err != nil {
		t.Fatal(err)
	}
	cam, err := camtest.NewIn(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{cam: cam, bus: &event.Bus{}, queue: &fakeQueue{}, data: t.TempDir(), dir: dir}
	names := map[string]bool{}
	for _, n := range targets {
		names[n] = true
	}
	a := New(Options{Config: cam.Config(), Camera: cam, Bus: e.bus, Queue: e.queue, Targets: names,
		DataDir: e.data, ConfigDir: dir, Hostname: "shed"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	// Run subscribes on its own goroutine: wait until it listens.
	testutil.WaitFor(t, "the bus subscription", func() bool { return e.bus.Subscribers() > 0 })
	return e
}

var trigger = time.Date(2026, 11, 26, 14, 35, 1, 42e6, time.Local)

func TestSnapshotSavedAndQueuedAsMotionConfSays(t *testing.T) {
	e := start(t, "save_snapshot=true\ngroup_date_pattern=\"+%Y-%m-%d/%H\"\nfile_date_pattern=\"+%Y-%m-%d_%H-%M-%S\"\n"+
		"ftp_snapshot=true\nsmb_snapshot=false\nsend_telegram=true\ntelegram_alert_type=text\nsave_files_attr=0640\n",
		"ftp", "smb", "telegram")
	e.bus.Publish(event.Event{Kind: event.MotionStart, Time: trigger})
	saved := filepath.Join(e.data, "Motion", "Stills", "2026-11-26", "14", "2026-11-26_14-35-01.jpg")
	testutil.WaitFor(t, "the saved picture", func() bool { _, err := os.Stat(saved); return err == nil })
	b, _ := os.ReadFile(saved)
	if string(b) != string(e.cam.JPEG()) {
		t.Errorf("the saved picture is not the camera's")
	}
	if st, _ := os.Stat(saved); st.Mode().Perm() != 0o640 {
		t.Errorf("saved with mode %v, want save_files_attr 0640", st.Mode().Perm())
	}
	testutil.WaitFor(t, "the queued items", func() bool { return len(e.queue.got("ftp")) == 1 && len(e.queue.got("telegram")) == 1 })
	ftp := e.queue.got("ftp")[0]
	if ftp.Kind != deliver.Snapshot || ftp.Name != "2026-11-26_14-35-01" || ftp.Group != "2026-11-26/14" || !strings.Contains(ftp.Text, "shed") {
		t.Errorf("ftp item: got %+v", ftp)
	}
	if got := e.queue.data["ftp:"+ftp.ID+":"+filepath.Base(ftp.Files[0])]; string(got) != string(e.cam.JPEG()) {
		t.Errorf("ftp item's picture: got %d bytes, want the camera's JPEG", len(got))
	}
	if tg := e.queue.got("telegram")[0]; tg.Kind != deliver.Text {
		t.Errorf("telegram_alert_type=text: got a %s item, want text", tg.Kind)
	}
	if n := len(e.queue.got("smb")); n != 0 {
		t.Errorf("smb_snapshot=false: got %d items", n)
	}
}

func TestYellowLEDFollowsTheMotion(t *testing.T) {
	e := start(t, "motion_trigger_led=true\n")
	e.cam.SetHardware(func() hal.State { h := e.cam.Hardware(); h.YellowLED = false; return h }())
	e.bus.Publish(event.Event{Kind: event.MotionStart, Time: time.Now()})
	testutil.WaitFor(t, "the LED on", func() bool { return e.cam.Hardware().YellowLED })
	e.bus.Publish(event.Event{Kind: event.MotionEnd, Time: time.Now()})
	testutil.WaitFor(t, "the LED off", func() bool { return !e.cam.Hardware().YellowLED })
}

// The user's scripts get argv, never a shell: a hostile file name stays one argument.
func TestUserScriptsRunWithArgv(t *testing.T) {
	e := start(t, "motion_trigger_led=false\n")
	scripts := filepath.Join(e.dir, "userscripts", "motiondetection")
	os.MkdirAll(scripts, 0o755)
	out := filepath.Join(t.TempDir(), "calls")
	// One write per run: the start and end runs may overlap, and O_APPEND keeps a single small
	// write whole.
	script := "#!/bin/sh\nline=\nfor a in \"$@\"; do line=\"$line[$a]\"; done\nprintf '%s\\n' \"$line\" >> " + out + "\n"
	if err := os.WriteFile(filepath.Join(scripts, "notify.sh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(scripts, "not-executable.sh"), []byte("#!/bin/sh\ntouch "+out+".bad\n"), 0o644)
	e.bus.Publish(event.Event{Kind: event.MotionStart, Time: trigger})
	e.bus.Publish(event.Event{Kind: event.MotionEnd, Time: trigger.Add(time.Second)})
	testutil.WaitFor(t, "both script runs", func() bool {
		b, _ := os.ReadFile(out)
		return strings.Count(string(b), "\n") >= 2
	})
	b, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	slices.Sort(lines)
	if !strings.HasPrefix(lines[0], "[off]") || !strings.HasPrefix(lines[1], "[on][") || !strings.Contains(lines[1], ".jpg][]") {
		t.Errorf("script calls: got %q, want [off] and [on][<snapshot>.jpg][]", lines)
	}
	if _, err := os.Stat(out + ".bad"); err == nil {
		t.Errorf("a script without the executable bit ran")
	}
}
