package deliver

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/freecam/freecam/internal/testutil"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fake is a Target that records every attempt. fn decides each attempt's result; n counts the
// attempts for that item from 1. Nil fn always succeeds.
type fake struct {
	name string
	fn   func(ctx context.Context, it Item, n int) error

	mu        sync.Mutex
	attempts  map[string]int
	delivered []string // IDs, in order of success
	contents  [][]byte // Files[0] of each success, read during Deliver
}

func newFake(name string, fn func(ctx context.Context, it Item, n int) error) *fake {
	return &fake{name: name, fn: fn, attempts: make(map[string]int)}
}

func (f *fake) Name() string { return f.name }

func (f *fake) Deliver(ctx context.Context, it Item) error {
	f.mu.Lock()
	f.attempts[it.ID]++
	n := f.attempts[it.ID]
	f.mu.Unlock()
	if f.fn != nil {
		if err := f.fn(ctx, it, n); err != nil {
			return err
		}
	}
	var content []byte
	if len(it.Files) > 0 {
		b, err := os.ReadFile(it.Files[0])
		if err != nil {
			return err
		}
		content = b
	}
	f.mu.Lock()
	f.delivered = append(f.delivered, it.ID)
	f.contents = append(f.contents, content)
	f.mu.Unlock()
	return nil
}

func (f *fake) got() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.delivered...)
}

func (f *fake) tries(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts[id]
}

// blockUntilCancel is a dead target's Deliver.
func blockUntilCancel(ctx context.Context, _ Item, _ int) error {
	<-ctx.Done()
	return ctx.Err()
}

var errDown = errors.New("connection refused")

// fastOptions are Options for tests: millisecond backoff, logs into the returned buffer.
func fastOptions(t *testing.T, target Target) (Options, *testutil.SyncBuffer) {
	t.Helper()
	logs := &testutil.SyncBuffer{}
	return Options{
		Dir:     t.TempDir(),
		Target:  target,
		Backoff: backoffFast(),
		Log:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, logs
}

// run starts q.Run; the returned stop cancels it and waits for it to return.
func run(t *testing.T, runner interface{ Run(context.Context) error }) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runner.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: got %v, want nil", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("Run did not return within 5 s of cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// picture writes a fake JPEG of size bytes (distinct per seed) and returns its path and content.
func picture(t testing.TB, dir, name string, size int, seed byte) (string, []byte) {
	t.Helper()
	b := bytes.Repeat([]byte{seed}, size)
	copy(b, []byte{0xff, 0xd8, 0xff, 0xe0})
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, b
}

// spoolFiles lists what is in the queue's directory (names only, recursively).
func spoolFiles(t *testing.T, q *Queue) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(q.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != q.dir {
			rel, _ := filepath.Rel(q.dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
