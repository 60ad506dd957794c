package storage

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// tree creates files (relative path → size) under a new root, each modified age days before now
// where age is taken from the map of ages (default 0).
func tree(t *testing.T, sizes map[string]int, ages map[string]int) string {
	t.Helper()
	root := t.TempDir()
	for rel, size := range sizes {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		mt := now.Add(-time.Duration(ages[rel]) * 24 * time.Hour)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// files lists every file and directory under root, relative, sorted.
func files(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p != root {
			return nil // a running retention removed it while we looked
		}
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			rel += "/"
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// fakeFS is a file system of capacity bytes whose use is the size of the files under root, so
// deleting a file frees its space like on a real disk.
func fakeFS(t *testing.T, capacity uint64) StatFSFunc {
	return func(path string) (FSStat, error) {
		var used uint64
		err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() {
				info, err := d.Info()
				if err != nil {
					return err
				}
				used += uint64(info.Size())
			}
			return nil
		})
		if err != nil {
			return FSStat{}, err
		}
		return FSStat{Total: capacity, Free: capacity - used}, nil
	}
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestSweep(t *testing.T) {
	// Three days of hourly recordings of 100 bytes, plus files retention must never delete.
	sizes := map[string]int{
		"2026-11-24/10/REC_10-00-00.mp4": 100,
		"2026-11-24/10/REC_10-05-00.mp4": 100,
		"2026-11-25/09/REC_09-00-00.mp4": 100,
		"2026-11-26/11/REC_11-00-00.mp4": 100,
		"2026-11-26/11/REC_11-05-00.mp4": 100, // in progress (Keep)
		"2026-11-24/10/notes.txt":        10,  // not ours
		"2026-11-24/REC_x.mp4.part":      10,  // not a pattern match
	}
	ages := map[string]int{
		"2026-11-24/10/REC_10-00-00.mp4": 2,
		"2026-11-24/10/REC_10-05-00.mp4": 2,
		"2026-11-25/09/REC_09-00-00.mp4": 1,
		"2026-11-24/10/notes.txt":        30,
		"2026-11-24/REC_x.mp4.part":      30,
	}
	keepSuffix := "2026-11-26/11/REC_11-05-00.mp4"
	always := []string{"2026-11-24/", "2026-11-24/10/", "2026-11-24/10/notes.txt", "2026-11-24/REC_x.mp4.part",
		"2026-11-26/", "2026-11-26/11/", keepSuffix}
	tests := []struct {
		name        string
		opts        RetentionOptions
		capacity    uint64
		want        []string // besides always
		wantDeleted int
	}{
		{
			name:        "max age",
			opts:        RetentionOptions{MaxAge: 36 * time.Hour},
			want:        []string{"2026-11-25/", "2026-11-25/09/", "2026-11-25/09/REC_09-00-00.mp4", "2026-11-26/11/REC_11-00-00.mp4"},
			wantDeleted: 2,
		},
		{
			name:        "max bytes deletes oldest first",
			opts:        RetentionOptions{MaxBytes: 250}, // 500 bytes of ours, 100 of them kept
			want:        []string{"2026-11-26/11/REC_11-00-00.mp4"},
			wantDeleted: 3,
		},
		{
			name:        "min free percent",
			opts:        RetentionOptions{MinFreePercent: 50},
			capacity:    1000, // 520 used: free 480 < 500, one deletion gives 580
			want:        []string{"2026-11-24/10/REC_10-05-00.mp4", "2026-11-25/", "2026-11-25/09/", "2026-11-25/09/REC_09-00-00.mp4", "2026-11-26/11/REC_11-00-00.mp4"},
			wantDeleted: 1,
		},
		{
			name:        "min free bytes",
			opts:        RetentionOptions{MinFreeBytes: 750},
			capacity:    1000, // needs 270 more: three files
			want:        []string{"2026-11-26/11/REC_11-00-00.mp4"},
			wantDeleted: 3,
		},
		{
			name:        "impossible free space never deletes the kept file",
			opts:        RetentionOptions{MinFreeBytes: 1000},
			capacity:    1000,
			want:        nil,
			wantDeleted: 4,
		},
		{
			name: "no limits",
			opts: RetentionOptions{},
			want: []string{"2026-11-24/10/REC_10-00-00.mp4", "2026-11-24/10/REC_10-05-00.mp4", "2026-11-25/", "2026-11-25/09/",
				"2026-11-25/09/REC_09-00-00.mp4", "2026-11-26/11/REC_11-00-00.mp4"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := tree(t, sizes, ages)
			opts := tc.opts
			opts.Root = root
			opts.Patterns = []string{"REC_*.mp4"}
			opts.Now = func() time.Time { return now }
			opts.Keep = func(p string) bool { return p == filepath.Join(root, keepSuffix) }
			opts.StatFS = fakeFS(t, tc.capacity)
			opts.Logger = quiet()
			res, err := NewRetention(opts).Sweep(context.Background())
			if err != nil {
				t.Fatalf("Sweep: %v", err)
			}
			if res.Deleted != tc.wantDeleted {
				t.Errorf("deleted %d files, want %d", res.Deleted, tc.wantDeleted)
			}
			want := slices.Sorted(slices.Values(append(slices.Clone(always), tc.want...)))
			if got := files(t, root); !slices.Equal(got, want) {
				t.Errorf("left\n%q\nwant\n%q", got, want)
			}
		})
	}
}

func TestSweepMissingRoot(t *testing.T) {
	r := NewRetention(RetentionOptions{Root: filepath.Join(t.TempDir(), "none"), Patterns: []string{"*.mp4"}, MaxBytes: 1, Logger: quiet()})
	res, err := r.Sweep(context.Background())
	if err != nil || res.Deleted != 0 {
		t.Errorf("got %+v, %v; want nothing and no error", res, err)
	}
}

func TestSweepStatFSError(t *testing.T) {
	root := tree(t, map[string]int{"a/x.jpg": 5}, nil)
	boom := errors.New("boom")
	r := NewRetention(RetentionOptions{Root: root, Patterns: []string{"*.jpg"}, MinFreeBytes: 1, Logger: quiet(),
		StatFS: func(string) (FSStat, error) { return FSStat{}, boom }})
	_, err := r.Sweep(context.Background())
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want the statfs error", err)
	}
	if got := files(t, root); len(got) != 2 {
		t.Errorf("got %q, want nothing deleted without a free-space figure", got)
	}
}

func TestStatFSReal(t *testing.T) {
	st, err := StatFS(t.TempDir())
	if err != nil {
		t.Skipf("statfs: %v", err)
	}
	if st.Total == 0 || st.Free > st.Total {
		t.Errorf("got %+v, want 0 < Free <= Total", st)
	}
}

func TestRunTrigger(t *testing.T) {
	root := tree(t, map[string]int{"a/x.jpg": 5}, nil)
	r := NewRetention(RetentionOptions{Root: root, Patterns: []string{"*.jpg"}, MaxBytes: 1, Interval: time.Hour, Logger: quiet()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	// The first sweep happens at once; a file written later is removed on Trigger, long
	// before the hour-long interval.
	for len(files(t, root)) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("first sweep did not delete a/x.jpg")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := os.WriteFile(filepath.Join(root, "y.jpg"), []byte("123"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.Trigger()
	for len(files(t, root)) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("Trigger did not sweep y.jpg")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
}
