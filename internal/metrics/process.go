package metrics

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

// Process is the collect function for the process's own series: resident memory (from
// StatmPath), goroutines, start time and uptime, and build information.
type Process struct {
	Start   time.Time
	Version string
	// Commit is the VCS revision the binary was built from (internal/buildinfo); "unknown" is
	// written when it is empty, so the label is always there.
	Commit string
	// StatmPath is /proc/self/statm unless set (tests point it at a fixture). Where it cannot
	// be read (not Linux) the resident-memory series is left out.
	StatmPath string
	// Now is time.Now unless set.
	Now func() time.Time
}

// Collect writes freecam_resident_memory_bytes, freecam_goroutines, freecam_start_time_seconds,
// freecam_uptime_seconds and freecam_build_info.
func (p Process) Collect(w *Writer) {
	path := p.StatmPath
	if path == "" {
		path = "/proc/self/statm"
	}
	if rss, err := ResidentBytes(path); err == nil {
		w.Gauge("freecam_resident_memory_bytes", "Resident memory of the freecam process.", float64(rss))
	}
	w.Gauge("freecam_goroutines", "Goroutines that currently exist.", float64(runtime.NumGoroutine()))
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	if !p.Start.IsZero() {
		w.Gauge("freecam_start_time_seconds", "When freecam started, seconds since the Unix epoch.", float64(p.Start.UnixNano())/1e9)
		w.Gauge("freecam_uptime_seconds", "Seconds since freecam started.", now().Sub(p.Start).Seconds())
	}
	commit := p.Commit
	if commit == "" {
		commit = "unknown"
	}
	w.Gauge("freecam_build_info", "Always 1; the labels say which freecam runs: version, commit (the VCS revision, \"unknown\" when the build has none), Go version and architecture.", 1,
		Label{"version", p.Version}, Label{"commit", commit}, Label{"goversion", runtime.Version()}, Label{"goarch", runtime.GOARCH})
}

// ResidentBytes reads the resident set size from a statm file (/proc/self/statm: sizes in
// pages, the second field resident).
func ResidentBytes(statmPath string) (uint64, error) {
	b, err := os.ReadFile(statmPath)
	if err != nil {
		return 0, fmt.Errorf("resident memory: %w", err)
	}
	fields := bytes.Fields(b)
	if len(fields) < 2 {
		return 0, fmt.Errorf("resident memory: %s: want at least 2 fields, got %d", statmPath, len(fields))
	}
	pages, err := strconv.ParseUint(string(fields[1]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("resident memory: %s: %w", statmPath, err)
	}
	return pages * uint64(os.Getpagesize()), nil
}
