package actions

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/event"

	"github.com/freecam/freecam/internal/testutil"
)

// A small tmpfs filled with old pictures: new events are still saved, the oldest pictures go,
// nothing crashes.
func TestFullDiskKeepsSavingNewEvents(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	media := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", media).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", media).Run() })
	stills := filepath.Join(media, "stills")

	// Fill the disk with pictures from an older day, until a write fails.
	old := filepath.Join(stills, "2026-01-01", "00")
	os.MkdirAll(old, 0o755)
	chunk := make([]byte, 64<<10)
	var oldFiles []string
	for i := 0; ; i++ {
		p := filepath.Join(old, fmt.Sprintf("old-%03d.jpg", i))
		if err := os.WriteFile(p, chunk, 0o644); err != nil {
			os.Remove(p)
			break
		}
		oldFiles = append(oldFiles, p)
	}
	if len(oldFiles) < 10 {
		t.Fatalf("filled the tmpfs with only %d files", len(oldFiles))
	}

	e := start(t, fmt.Sprintf("save_snapshot=true\nsave_snapshot_dir=%s\nmax_snapshot_days=0\nmedia_min_free_percent=20\n", stills))
	for i := range 3 {
		at := trigger.Add(time.Duration(i) * time.Minute)
		e.bus.Publish(event.Event{Kind: event.MotionStart, Time: at})
		want := filepath.Join(stills, at.Format("2006-01-02"), at.Format("15"), at.Format("2006-01-02_15-04-05")+".jpg")
		testutil.WaitFor(t, "picture "+want, func() bool { _, err := os.Stat(want); return err == nil })
		e.bus.Publish(event.Event{Kind: event.MotionEnd, Time: at.Add(time.Second)})
	}
	if _, err := os.Stat(oldFiles[0]); err == nil {
		t.Errorf("the oldest picture is still there on a full disk")
	}
	if _, err := os.Stat(oldFiles[len(oldFiles)-1]); err != nil {
		t.Errorf("retention deleted more than it needed (the newest old picture is gone too)")
	}
}
