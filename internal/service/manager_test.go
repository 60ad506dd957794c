package service

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/freecam/freecam/internal/event"
)

// freecamServices is the registration order the integrator uses.
var freecamServices = []string{"system", "rtsp", "mqtt", "motion", "auto-night", "recording", "timelapse", "onvif", "mdns"}

// journal records starts and stops of Func services in order.
type journal struct {
	mu     sync.Mutex
	starts []string
	stops  []string
	fail   map[string]error // start errors by name
}

func (j *journal) service(name string) Service {
	return Func(name,
		func(ctx context.Context) error {
			j.mu.Lock()
			defer j.mu.Unlock()
			j.starts = append(j.starts, name)
			return j.fail[name]
		},
		func(ctx context.Context) error {
			j.mu.Lock()
			defer j.mu.Unlock()
			j.stops = append(j.stops, name)
			return nil
		})
}

func (j *journal) started() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.starts)
}

// newManager registers freecam's services as Func services over configDir.
func newManager(t *testing.T, opts ManagerOptions) (*Manager, *journal) {
	t.Helper()
	j := &journal{fail: map[string]error{}}
	m := NewManager(opts)
	for _, n := range freecamServices {
		if err := m.Register(j.service(n)); err != nil {
			t.Fatalf("register %s: got %v, want nil", n, err)
		}
	}
	return m, j
}

func autostartFiles(t *testing.T, configDir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(configDir, "autostart"))
	if err != nil {
		t.Fatalf("read the autostart dir: %v", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestAutorunSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	m1, _ := newManager(t, ManagerOptions{ConfigDir: dir})
	if err := m1.SetAutostart("recording", true); err != nil {
		t.Fatalf("got %v from SetAutostart, want nil", err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "autostart", "recording"))
	if err != nil || !bytes.Contains(data, []byte("freecam autostart marker")) {
		t.Errorf("got %q, %v in autostart/recording, want freecam's marker comment", data, err)
	}

	m2, j2 := newManager(t, ManagerOptions{ConfigDir: dir}) // freecam restarted
	if err := m2.StartAutostart(t.Context()); err != nil {
		t.Fatalf("got %v from StartAutostart, want nil", err)
	}
	if got, want := j2.started(), []string{"rtsp", "auto-night", "recording", "onvif", "mdns"}; !slices.Equal(got, want) {
		t.Errorf("got %v started at boot, want %v (the defaults plus recording, in registration order)", got, want)
	}
	if on, _ := m2.Autostart("recording"); !on {
		t.Errorf("got autostart off for recording, want on")
	}

	if err := m2.SetAutostart("recording", false); err != nil {
		t.Fatalf("got %v from SetAutostart(false), want nil", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "autostart", "recording")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v for the recording file after SetAutostart(false), want it removed", err)
	}
	if st, _ := m2.Status("recording"); st.State != Running {
		t.Errorf("got %s, want SetAutostart(false) to leave the running service alone", st.State)
	}
	m3, j3 := newManager(t, ManagerOptions{ConfigDir: dir})
	m3.StartAutostart(t.Context())
	if got, want := j3.started(), []string{"rtsp", "auto-night", "onvif", "mdns"}; !slices.Equal(got, want) {
		t.Errorf("got %v started at the next boot, want %v", got, want)
	}
}

func TestFirstStartCreatesTheDefaultSet(t *testing.T) {
	tests := []struct {
		name      string
		defaults  []string
		wantFiles []string
	}{
		{"firmware's set and onvif", nil, []string{"auto-night", "mdns", "onvif", "rtsp"}},
		{"none", []string{}, nil},
		{"custom", []string{"motion"}, []string{"motion"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			m, j := newManager(t, ManagerOptions{ConfigDir: dir, DefaultAutostart: tt.defaults})
			var listed []string
			for _, in := range m.List() {
				if in.Autostart {
					listed = append(listed, in.Name)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "autostart")); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("got %v, want List to create nothing", err)
			}
			if err := m.StartAutostart(t.Context()); err != nil {
				t.Fatalf("got %v, want nil", err)
			}
			if got := autostartFiles(t, dir); !slices.Equal(got, tt.wantFiles) {
				t.Errorf("got files %v, want %v", got, tt.wantFiles)
			}
			started := j.started()
			slices.Sort(started)
			slices.Sort(listed)
			if !slices.Equal(started, tt.wantFiles) || !slices.Equal(listed, tt.wantFiles) {
				t.Errorf("got %v started and %v listed as autostart, want %v", started, listed, tt.wantFiles)
			}
		})
	}
}

func TestFirmwareAutostartFilesCountAndAreNeverExecuted(t *testing.T) {
	dir := t.TempDir()
	auto := filepath.Join(dir, "autostart")
	os.Mkdir(auto, 0o755)
	executed := filepath.Join(dir, "executed")
	script := func(name string) []byte {
		return []byte("#!/bin/sh\ntouch " + executed + "\n/system/sdcard/controlscripts/" + name + "\n")
	}
	for _, name := range []string{"rtsp", "auto-night-detection", "mqtt-status", "dropbear"} {
		if err := os.WriteFile(filepath.Join(auto, name), script(name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	m, j := newManager(t, ManagerOptions{ConfigDir: dir})
	if err := m.StartAutostart(t.Context()); err != nil {
		t.Fatalf("got %v, want nil", err)
	}
	if got, want := j.started(), []string{"rtsp", "mqtt", "auto-night"}; !slices.Equal(got, want) {
		t.Errorf("got %v started, want %v", got, want)
	}
	if _, err := os.Stat(executed); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v for the marker the scripts would touch, want it absent: autostart files must never run", err)
	}

	// Turning on a service the firmware's file already enables leaves that file alone.
	if err := m.SetAutostart("auto-night", true); err != nil {
		t.Fatal(err)
	}
	if err := m.SetAutostart("mqtt", false); err != nil {
		t.Fatal(err)
	}
	if got, want := autostartFiles(t, dir), []string{"auto-night-detection", "dropbear", "rtsp"}; !slices.Equal(got, want) {
		t.Errorf("got files %v, want %v (mqtt-status removed, the others kept)", got, want)
	}
	for _, name := range []string{"rtsp", "auto-night-detection", "dropbear"} {
		if data, _ := os.ReadFile(filepath.Join(auto, name)); !bytes.Equal(data, script(name)) {
			t.Errorf("got %s rewritten to %q, want the firmware's content untouched", name, data)
		}
	}
	// The firmware's names work for control too.
	if err := m.Stop(t.Context(), "auto-night-detection"); err != nil {
		t.Errorf("got %v stopping by the firmware's name, want nil", err)
	}
	if st, _ := m.Status("auto-night"); st.State != Stopped {
		t.Errorf("got %s, want auto-night stopped through its firmware name", st.State)
	}
}

// The system settings on a camera are on at every boot, as the firmware's run.sh applied them,
// unless the user turned them off; an SD card from the firmware has no autostart file for them.
func TestOnUnlessOffServices(t *testing.T) {
	for _, firmwareDir := range []bool{false, true} {
		t.Run(map[bool]string{false: "first start", true: "firmware's autostart directory"}[firmwareDir], func(t *testing.T) {
			dir := t.TempDir()
			if firmwareDir {
				os.Mkdir(filepath.Join(dir, "autostart"), 0o755)
				os.WriteFile(filepath.Join(dir, "autostart", "mdns-responder"), []byte("#!/bin/sh\n"), 0o755)
			}
			opts := ManagerOptions{ConfigDir: dir, OnUnlessOff: []string{"system"}}
			m, j := newManager(t, opts)
			if on, err := m.Autostart("system"); !on || err != nil {
				t.Errorf("got autostart %v, %v for system before boot, want on", on, err)
			}
			m.StartAutostart(t.Context())
			if got := j.started(); len(got) == 0 || got[0] != "system" || !slices.Contains(got, "mdns") {
				t.Errorf("got %v started, want system first and mdns (the firmware's mdns-responder, or the default set)", got)
			}

			if err := m.SetAutostart("system", false); err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(autostartFiles(t, dir), "system.off") {
				t.Errorf("got files %v, want system.off written", autostartFiles(t, dir))
			}
			m2, j2 := newManager(t, opts)
			m2.StartAutostart(t.Context())
			if slices.Contains(j2.started(), "system") {
				t.Errorf("got %v started after turning system off, want it not started", j2.started())
			}
			if on, _ := m2.Autostart("system"); on {
				t.Errorf("got autostart on for system after turning it off, want off")
			}

			if err := m2.SetAutostart("system", true); err != nil {
				t.Fatal(err)
			}
			if slices.Contains(autostartFiles(t, dir), "system.off") {
				t.Errorf("got files %v, want system.off removed when turned on again", autostartFiles(t, dir))
			}
			m3, j3 := newManager(t, opts)
			m3.StartAutostart(t.Context())
			if !slices.Contains(j3.started(), "system") {
				t.Errorf("got %v started after turning system on again, want it started", j3.started())
			}
		})
	}
	// Without OnUnlessOff (an ordinary computer) system starts only with its own file.
	m, j := newManager(t, ManagerOptions{ConfigDir: t.TempDir()})
	m.StartAutostart(t.Context())
	if slices.Contains(j.started(), "system") {
		t.Errorf("got %v started on an ordinary computer, want system off by default", j.started())
	}
}

func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"auto-night-detection": "auto-night", "mqtt-control": "mqtt", "mqtt-status": "mqtt",
		"onvif-srvd": "onvif", "rtsp-h264": "rtsp", "rtsp-mjpeg": "rtsp", "mdns-responder": "mdns",
		"rtsp": "rtsp", "recording": "recording", "timelapse": "timelapse", "dropbear": "dropbear",
	} {
		if got := Canonical(in); got != want {
			t.Errorf("Canonical(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestAFailedAutostartIsLoggedAndTheOthersStart(t *testing.T) {
	var logs bytes.Buffer
	dir := t.TempDir()
	m, j := newManager(t, ManagerOptions{ConfigDir: dir, DefaultAutostart: []string{"rtsp", "motion", "timelapse"},
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	j.fail["motion"] = errors.New("no luma source")
	if err := m.StartAutostart(t.Context()); err != nil {
		t.Fatalf("got %v, want nil: a failing service must not abort the boot", err)
	}
	if got, want := j.started(), []string{"rtsp", "motion", "timelapse"}; !slices.Equal(got, want) {
		t.Errorf("got %v start attempts, want %v", got, want)
	}
	st, _ := m.Status("motion")
	if st.State != Failed || st.LastErr == nil {
		t.Errorf("got %s with %v, want motion failed with its error", st.State, st.LastErr)
	}
	if !bytes.Contains(logs.Bytes(), []byte("no luma source")) {
		t.Errorf("got log %q, want the start error logged", logs.String())
	}
}

func TestManagerControlsServicesByName(t *testing.T) {
	m, j := newManager(t, ManagerOptions{})
	ctx := t.Context()
	if err := m.Start(ctx, "ftp-server"); !errors.Is(err, ErrUnknown) {
		t.Errorf("got %v starting an unknown service, want ErrUnknown", err)
	}
	if _, err := m.Status("nope"); !errors.Is(err, ErrUnknown) {
		t.Errorf("got %v for the status of an unknown service, want ErrUnknown", err)
	}
	if err := m.SetAutostart("rtsp", true); err == nil {
		t.Errorf("got nil from SetAutostart without a config dir, want an error")
	}
	if err := m.Start(ctx, "rtsp"); err != nil {
		t.Fatal(err)
	}
	if err := m.Restart(ctx, "rtsp"); err != nil {
		t.Fatal(err)
	}
	if got, want := j.started(), []string{"rtsp", "rtsp"}; !slices.Equal(got, want) || !slices.Equal(j.stops, []string{"rtsp"}) {
		t.Errorf("got starts %v stops %v after Start+Restart, want %v and [rtsp]", got, j.stops, want)
	}
	list := m.List()
	var names []string
	for _, in := range list {
		names = append(names, in.Name)
		want := Stopped
		if in.Name == "rtsp" {
			want = Running
		}
		if in.State != want || in.Autostart {
			t.Errorf("%s: got %s autostart %v, want %s autostart false", in.Name, in.State, in.Autostart, want)
		}
	}
	if !slices.Equal(names, freecamServices) {
		t.Errorf("got List order %v, want registration order %v", names, freecamServices)
	}
	if list[slices.Index(names, "rtsp")].Since.IsZero() {
		t.Errorf("got a zero Since for a started service, want when it started")
	}
	if err := m.Stop(ctx, "rtsp"); err != nil {
		t.Fatal(err)
	}
	if st, _ := m.Status("rtsp"); st.State != Stopped {
		t.Errorf("got %s after Stop, want stopped", st.State)
	}
}

func TestRegisterRejectsBadNames(t *testing.T) {
	m := NewManager(ManagerOptions{})
	m.Register(Func("rtsp", func(context.Context) error { return nil }, nil))
	for _, name := range []string{"", "rtsp", "auto-night-detection", "../etc", ".hidden"} {
		if err := m.Register(Func(name, func(context.Context) error { return nil }, nil)); err == nil {
			t.Errorf("register %q: got nil, want an error", name)
		}
	}
}

func TestStopAllStopsInReverseOrderAndLeavesNothingBehind(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	m, j := newManager(t, ManagerOptions{})
	var mu sync.Mutex
	var supervisedStops []string
	for _, n := range []string{"web", "upload"} {
		m.Register(Supervised(n, func(ctx context.Context) error {
			<-ctx.Done()
			mu.Lock()
			supervisedStops = append(supervisedStops, n)
			mu.Unlock()
			return nil
		}, Options{}))
	}
	for _, in := range m.List() {
		if err := m.Start(t.Context(), in.Name); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.StopAll(t.Context()); err != nil {
		t.Fatalf("got %v from StopAll, want nil", err)
	}
	want := slices.Clone(freecamServices)
	slices.Reverse(want)
	if !slices.Equal(j.stops, want) {
		t.Errorf("got stop order %v, want %v", j.stops, want)
	}
	if !slices.Equal(supervisedStops, []string{"upload", "web"}) {
		t.Errorf("got supervised stop order %v, want [upload web]", supervisedStops)
	}
	for _, in := range m.List() {
		if in.State != Stopped {
			t.Errorf("%s: got %s after StopAll, want stopped", in.Name, in.State)
		}
	}
}

func TestStopAllHonoursItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m, j := newManager(t, ManagerOptions{})
		release := make(chan struct{})
		m.Register(Supervised("stuck", func(ctx context.Context) error { <-release; return nil }, Options{}))
		m.Start(t.Context(), "stuck")
		m.Start(t.Context(), "rtsp")
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		start := time.Now()
		err := m.StopAll(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want the stuck service's deadline error", err)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("got StopAll taking %v, want the 3 s deadline", d)
		}
		if !slices.Contains(j.stops, "rtsp") {
			t.Errorf("got stops %v, want rtsp stopped despite the stuck service", j.stops)
		}
		close(release)
		synctest.Wait()
	})
}

// plain is a Service that does not notify: the Manager publishes its changes itself.
type plain struct {
	mu sync.Mutex
	st State
}

func (p *plain) Name() string { return "plain" }
func (p *plain) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Status{State: p.st}
}
func (p *plain) Start(context.Context) error { p.mu.Lock(); p.st = Running; p.mu.Unlock(); return nil }
func (p *plain) Stop(context.Context) error  { p.mu.Lock(); p.st = Stopped; p.mu.Unlock(); return nil }

func TestStateChangesArePublished(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var bus event.Bus
		sub := bus.Subscribe("test", 64, event.ServiceState)
		defer sub.Close()
		m := NewManager(ManagerOptions{Bus: &bus})
		m.Register(Supervised("recording", func(ctx context.Context) error {
			return errors.New("sd card read-only")
		}, Options{MaxFastCrashes: 2}))
		m.Register(Func("rtsp", func(context.Context) error { return nil }, nil))
		m.Register(&plain{st: Stopped})

		rec, _ := m.lookup("recording")
		failed := when(rec.(Notifier), Failed)
		m.Start(t.Context(), "recording")
		<-failed
		m.Stop(t.Context(), "recording")
		m.Start(t.Context(), "rtsp")
		m.Start(t.Context(), "plain")
		m.StopAll(t.Context())

		type got struct{ service, state, err string }
		want := []got{
			{"recording", "starting", ""},
			{"recording", "running", ""},
			{"recording", "backoff", "sd card read-only"},
			{"recording", "running", ""},
			{"recording", "failed", "sd card read-only"},
			{"recording", "stopped", ""},
			{"rtsp", "starting", ""},
			{"rtsp", "running", ""},
			{"plain", "running", ""},
			{"plain", "stopped", ""},
			{"rtsp", "stopped", ""},
		}
		var events []got
		for len(events) < len(want) {
			select {
			case ev := <-sub.C():
				if ev.Kind != event.ServiceState || ev.Time.IsZero() {
					t.Errorf("got %+v, want a stamped service_state event", ev)
				}
				events = append(events, got{ev.Service, ev.State, ev.Err})
			default:
				t.Fatalf("got only %d events %v, want %v", len(events), events, want)
			}
		}
		if !slices.Equal(events, want) {
			t.Errorf("got events\n%v\nwant\n%v", events, want)
		}
		select {
		case ev := <-sub.C():
			t.Errorf("got an extra event %+v, want none", ev)
		default:
		}
	})
}
