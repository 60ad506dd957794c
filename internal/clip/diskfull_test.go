package clip

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/testutil"
)

// smallFS mounts a 1 MiB tmpfs for the test, or skips when this machine does not allow it.
func smallFS(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	return dir
}

// TestRecordDiskFull: the disk is full; Record returns ENOSPC and leaves no temporary file.
func TestRecordDiskFull(t *testing.T) {
	t.Parallel()
	fd := newFeed(t)
	dir := smallFS(t)
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 16<<10)
	for err == nil {
		_, err = f.Write(chunk)
	}
	f.Close()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("filling the disk: got %v, want ENOSPC", err)
	}
	_, err = Record(context.Background(), fd.hub, Request{Path: filepath.Join(dir, "clip.mp4"),
		Trigger: fd.timeOf(2 * fps), Duration: time.Second})
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("got %v, want ENOSPC", err)
	}
	if got := testutil.Files(t, dir); !slices.Equal(got, []string{"filler"}) {
		t.Errorf("got files %q, want only the filler", got)
	}
}
