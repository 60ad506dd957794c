package network

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/backoff"
	"github.com/freecam/freecam/internal/testutil"
)

func TestWPAArgs(t *testing.T) {
	got := WPAArgs("wlan0", "/system/sdcard/config/wpa_supplicant.conf")
	want := []string{"-i", "wlan0", "-c", "/system/sdcard/config/wpa_supplicant.conf"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q (station mode, foreground: no -B)", got, want)
	}
}

func TestWPANotInstalled(t *testing.T) {
	_, err := lookWPA(filepath.Join(t.TempDir(), "wpa_supplicant"))
	if !errors.Is(err, ErrWPANotInstalled) {
		t.Fatalf("got %v, want ErrWPANotInstalled", err)
	}
	if want := "wpa_supplicant is not installed: Wi-Fi is left as the system set it up"; !strings.Contains(err.Error(), want) {
		t.Errorf("got %q, want it to contain %q", err, want)
	}
}

func TestIsWireless(t *testing.T) {
	sys := t.TempDir()
	for _, d := range []string{"wlan0/wireless", "wlan1/phy80211", "eth0"} {
		if err := os.MkdirAll(filepath.Join(sys, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]bool{"wlan0": true, "wlan1": true, "eth0": false, "none": false} {
		if got := isWireless(sys, name); got != want {
			t.Errorf("isWireless(%s): got %v, want %v", name, got, want)
		}
	}
}

// A stand-in wpa_supplicant (a script: there is no Wi-Fi hardware here) that records its
// arguments and exits: runWPA must restart it with backoff, log its output at debug, and stop
// when ctx ends, leaving no goroutine.
func TestRunWPARestartsAndStops(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in wpa_supplicant is a shell script")
	}
	dir := t.TempDir()
	record := filepath.Join(dir, "runs")
	bin := filepath.Join(dir, "wpa_supplicant")
	script := "#!/bin/sh\necho \"$@\" >> " + record + "\necho 'Successfully initialized wpa_supplicant'\nexit 1\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	base := runtime.NumGoroutine()
	var logs testutil.SyncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		runWPA(ctx, log, &backoff.Backoff{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond}, bin, WPAArgs("wlan0", "/cfg/wpa_supplicant.conf"))
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	var runs []string
	for time.Now().Before(deadline) {
		data, _ := os.ReadFile(record)
		if runs = strings.Fields(strings.ReplaceAll(string(data), " ", "_")); len(runs) >= 3 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if len(runs) < 3 {
		t.Fatalf("got %d runs, want at least 3 (restarted after exiting)", len(runs))
	}
	if runs[0] != "-i_wlan0_-c_/cfg/wpa_supplicant.conf" {
		t.Errorf("got arguments %q, want \"-i wlan0 -c /cfg/wpa_supplicant.conf\"", runs[0])
	}
	out := logs.String()
	for _, w := range []string{"level=DEBUG msg=\"Successfully initialized wpa_supplicant\"", "wpa_supplicant exited; restarting"} {
		if !strings.Contains(out, w) {
			t.Errorf("got log %q, want it to contain %q", out, w)
		}
	}
	waitGoroutines(t, base)
}

// waitGoroutines fails when more than base goroutines are still running after a deadline.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("got %d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLineLogCutsLongLines(t *testing.T) {
	var logs testutil.SyncBuffer
	w := &lineLog{log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	w.Write([]byte(strings.Repeat("x", 5000) + "\nshort"))
	w.flush()
	out := logs.String()
	if !strings.Contains(out, strings.Repeat("x", maxLine)) || strings.Contains(out, strings.Repeat("x", maxLine+1)) {
		t.Errorf("got a line of %d x, want it cut at %d", strings.Count(out, "x"), maxLine)
	}
	if !strings.Contains(out, "msg=short") {
		t.Errorf("got %q, want the unterminated last line flushed", out)
	}
}
