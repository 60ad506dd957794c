package network

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/freecam/freecam/internal/backoff"
)

// ErrWPANotInstalled is returned (wrapped) by Apply when wpa_supplicant.conf exists, the interface
// is wireless and the wpa_supplicant binary is not found.
var ErrWPANotInstalled = errors.New("wpa_supplicant is not installed: Wi-Fi is left as the system set it up")

// WPAArgs is the argument list freecam runs wpa_supplicant with: station mode on ifname with the
// config directory's wpa_supplicant.conf, in the foreground (no -B) so freecam supervises it.
func WPAArgs(ifname, confPath string) []string {
	return []string{"-i", ifname, "-c", confPath}
}

// isWireless reports whether sysClassNet/IF/wireless or /phy80211 exists.
func isWireless(sysClassNet, ifname string) bool {
	for _, d := range []string{"wireless", "phy80211"} {
		if _, err := os.Stat(filepath.Join(sysClassNet, ifname, d)); err == nil {
			return true
		}
	}
	return false
}

// lookWPA finds the wpa_supplicant binary.
func lookWPA(bin string) (string, error) {
	p, err := exec.LookPath(bin)
	if err != nil {
		return "", fmt.Errorf("%w (%s not found)", ErrWPANotInstalled, bin)
	}
	return p, nil
}

// runWPA runs wpa_supplicant until ctx ends, restarting it with backoff when it exits. Its output
// goes to log at debug level. SIGTERM stops it (it then deauthenticates cleanly), SIGKILL 5 s later.
func runWPA(ctx context.Context, log *slog.Logger, bo *backoff.Backoff, bin string, args []string) {
	for {
		start := time.Now()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = 5 * time.Second
		w := &lineLog{log: log}
		cmd.Stdout, cmd.Stderr = w, w
		err := cmd.Run()
		w.flush()
		if ctx.Err() != nil {
			return
		}
		d := bo.Next(time.Since(start))
		log.Warn("wpa_supplicant exited; restarting", "err", err, "ran", time.Since(start).Round(time.Millisecond), "retry_in", d.Round(time.Millisecond))
		if !backoff.Sleep(ctx, d) {
			return
		}
	}
}

// lineLog writes a child's output to a logger at debug level, a line at a time. A line longer
// than maxLine is cut (the buffer is bounded).
type lineLog struct {
	log *slog.Logger
	mu  sync.Mutex
	buf []byte
}

const maxLine = 1024

func (w *lineLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range p {
		if c == '\n' {
			w.emit()
			continue
		}
		if len(w.buf) < maxLine {
			w.buf = append(w.buf, c)
		}
	}
	return len(p), nil
}

func (w *lineLog) emit() {
	if len(w.buf) > 0 {
		w.log.Debug(string(w.buf))
	}
	w.buf = w.buf[:0]
}

func (w *lineLog) flush() {
	w.mu.Lock()
	w.emit()
	w.mu.Unlock()
}
