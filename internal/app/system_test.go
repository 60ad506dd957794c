package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The process's time zone is set once, before anything runs (cmd/freecam): a new timezone.conf
// ends Run at the reload and asks for this binary to start again, in the new zone.
func TestANewTimeZoneRestartsFreecam(t *testing.T) {
	dir := writeConfig(t, map[string]string{"timezone.conf": "Europe/London\n"})
	r := startApp(t, dir, Options{TimeZone: "Europe/London", RestartOnZoneChange: true})

	if err := r.app.Reload(); err != nil {
		t.Fatalf("reload with the same zone: %v", err)
	}
	if bin := r.app.RestartBinary(); bin != "" {
		t.Fatalf("got restart into %q after a reload that kept the zone, want none", bin)
	}
	select {
	case err := <-r.done:
		t.Fatalf("Run ended (%v) after a reload that kept the zone", err)
	default:
	}

	// A bad zone is refused and changes nothing.
	os.WriteFile(filepath.Join(dir, "timezone.conf"), []byte("Mars/Olympus_Mons\n"), 0o644)
	r.app.Reload()
	if bin := r.app.RestartBinary(); bin != "" {
		t.Fatalf("got restart into %q for an unknown zone, want none", bin)
	}
	if !strings.Contains(r.logs.String(), "timezone.conf") {
		t.Errorf("got no timezone.conf error in the log; log:\n%s", r.logs)
	}

	os.WriteFile(filepath.Join(dir, "timezone.conf"), []byte("Europe/Berlin\n"), 0o644)
	if err := r.app.Reload(); err != nil {
		t.Fatalf("reload with a new zone: %v", err)
	}
	waitRestartAsked(t, r, "a reload with a new zone")
	exe, _ := os.Executable()
	if bin := r.app.RestartBinary(); bin != exe {
		t.Errorf("got restart into %q, want this binary %q", bin, exe)
	}
	if !strings.Contains(r.logs.String(), "time zone changed") {
		t.Errorf("got no \"time zone changed\" in the log")
	}
}

// A restart from the web UI or MQTT after `freecam update` or `--rollback` from a shell replaced
// the binary runs the new file, instead of reloading the old code in place; without a new file
// it reloads.
func TestRestartRunsAReplacedBinary(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "freecam")
	if err := os.WriteFile(exe, []byte("old binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := startApp(t, writeConfig(t, nil), Options{Executable: exe})
	cam := webCamera{r.app}

	cam.Restart()
	select {
	case err := <-r.done:
		t.Fatalf("Run ended (%v) after a restart with the same binary, want a reload in place", err)
	case <-time.After(2 * time.Second):
	}
	if bin := r.app.RestartBinary(); bin != "" {
		t.Fatalf("got restart into %q with the same binary, want none", bin)
	}

	// What an update or a rollback does: another file renamed into place.
	next := exe + ".new"
	if err := os.WriteFile(next, []byte("new binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, exe); err != nil {
		t.Fatal(err)
	}
	cam.Restart()
	waitRestartAsked(t, r, "a restart with a replaced binary")
	if bin := r.app.RestartBinary(); bin != exe {
		t.Errorf("got restart into %q, want the replaced binary %q", bin, exe)
	}
}

// waitRestartAsked waits for Run to end cleanly, as it does when a restart of the binary was
// asked for after what.
func waitRestartAsked(t *testing.T, r *running, what string) {
	t.Helper()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run returned %v after %s, want nil: a restart asked for, not a failure", err, what)
		}
		r.done <- nil // for the cleanup's stop
	case <-time.After(15 * time.Second):
		t.Fatalf("Run did not end within 15 s of %s; log:\n%s", what, r.logs)
	}
}
