package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/update"
)

// A binary just installed that refuses the config at start is rolled back at once: without a
// supervisor nothing would start it again to count its crashes.
func TestANewBinaryThatRefusesTheConfigIsRolledBack(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "freecam")
	for name, text := range map[string]string{"freecam": "new binary", "freecam.previous": "old binary"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	pending, _ := json.Marshal(update.Pending{Version: "1.1.0", PreviousVersion: "1.0.0", Applied: time.Now().Add(-time.Minute),
		TimeoutSeconds: 180, MaxStarts: 3})
	if err := os.WriteFile(exe+".pending", pending, 0o644); err != nil {
		t.Fatal(err)
	}
	never := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	guard, err := update.GuardStart(ctx, update.GuardOptions{Executable: exe, After: func(time.Duration) <-chan time.Time { return never }})
	if err != nil || !guard.Pending() {
		t.Fatalf("GuardStart: got %v, pending %v; want an update on trial", err, guard.Pending())
	}
	problems := []string{"matrix.conf:1: host: must be a host name", "motion.conf:3: motion_sensitivity: 9 is not 0 to 4"}
	if !rollBackRefusedConfig(exe, guard, problems, slog.New(slog.DiscardHandler)) {
		t.Fatal("got no rollback for a new binary that refused the config")
	}
	if b, _ := os.ReadFile(exe); string(b) != "old binary" {
		t.Errorf("binary after the rollback: got %q, want the previous one", b)
	}
	st, err := update.ReadStatus(exe)
	if err != nil || st.LastRollback == nil || !strings.Contains(st.LastRollback.Reason, "refused the configuration at start: matrix.conf:1: host") ||
		!strings.Contains(st.LastRollback.Reason, "(and 1 more)") {
		t.Errorf("rollback record: got %+v, %v; want the first problem and the count of the others in its reason", st.LastRollback, err)
	}

	// Without an update on trial a config error is only reported.
	if rollBackRefusedConfig(exe, nil, problems, slog.New(slog.DiscardHandler)) {
		t.Error("got a rollback with no update on trial")
	}
}
