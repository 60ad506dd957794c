package record

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/storage"
	"github.com/freecam/freecam/internal/stream"
)

// smallFS mounts a 2 MiB tmpfs for the test, or skips when this machine does not allow it.
func smallFS(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	return dir
}

// TestRecordDiskFull fills the disk with an old recording: the first segment's write fails with
// ENOSPC, the retention deletes the old recording, and the retry succeeds.
func TestRecordDiskFull(t *testing.T) {
	aus := testAUs(t)
	dir := smallFS(t)
	filler := filepath.Join(dir, "2026-11-25", "10", "REC_10-00-00.mp4")
	if err := os.MkdirAll(filepath.Dir(filler), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err = f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("filling the disk: got %v, want ENOSPC", err)
	}
	ret := storage.NewRetention(storage.RetentionOptions{Root: dir, Patterns: []string{FilePattern},
		MinFreeBytes: 1 << 20, Logger: quiet()})
	var segs []Segment
	rec := New(stream.New(stream.Options{}), Options{Dir: dir, SegmentLength: 2 * time.Second, Retention: ret,
		Logger: quiet(), OnSegment: func(s Segment) { segs = append(segs, s) }})
	rec.ctx = context.Background()
	for i, au := range aus {
		f := frameAt(i, au)
		f.Seq = uint64(i + 1)
		rec.handle(f)
	}
	rec.endSegment()
	checkSegments(t, dir, segs, []wantSeg{
		{"2026-11-26/13/REC_13-59-58.mp4", 30},
		{"2026-11-26/14/REC_14-00-00.mp4", 30},
		{"2026-11-26/14/REC_14-00-02.mp4", 30},
	})
	if st := rec.Stats(); st.WriteErrors == 0 || st.Lost != 0 {
		t.Errorf("got stats %+v, want write errors and no lost segment", st)
	}
}
