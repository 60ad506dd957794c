//go:build linux

package deliver

import (
	"errors"
	"syscall"
	"testing"
)

// TestFullDiskFailsEnqueueCleanly puts the spool on a 64 KiB tmpfs (root only): an item that
// does not fit is refused with ENOSPC and leaves nothing behind; a small one still fits.
func TestFullDiskFailsEnqueueCleanly(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0700"); err != nil {
		t.Skipf("cannot mount a small tmpfs (needs root): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	o, _ := fastOptions(t, newFake("ftp", nil))
	o.Dir = dir
	q, err := NewQueue(o)
	if err != nil {
		t.Fatal(err)
	}
	big, _ := picture(t, t.TempDir(), "big.jpg", 200<<10, 1) // another file system: copied
	err = q.Enqueue(Item{ID: "ev1", Kind: Snapshot, Files: []string{big}})
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("enqueue on a full disk: got %v, want ENOSPC", err)
	}
	if left := spoolFiles(t, q); len(left) != 0 || q.Status().Queued != 0 {
		t.Errorf("after the refused item: got %v and %d queued, want nothing", left, q.Status().Queued)
	}
	small, _ := picture(t, t.TempDir(), "small.jpg", 1000, 2)
	if err := q.Enqueue(Item{ID: "ev1", Kind: Snapshot, Files: []string{small}}); err != nil {
		t.Errorf("a small item after the refusal: got %v, want nil", err)
	}
}
