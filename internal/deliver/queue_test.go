package deliver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/backoff"

	"github.com/freecam/freecam/internal/testutil"
)

func backoffFast() backoff.Backoff {
	return backoff.Backoff{Initial: time.Millisecond, Max: 2 * time.Millisecond}
}

func TestFailingTargetGetsEachItemOnceInOrder(t *testing.T) {
	for _, failFirst := range []int{0, 1, 4} {
		t.Run(fmt.Sprintf("fails %d times", failFirst), func(t *testing.T) {
			var mu sync.Mutex
			calls := 0
			f := newFake("ftp", func(ctx context.Context, it Item, n int) error {
				mu.Lock()
				defer mu.Unlock()
				calls++
				if calls <= failFirst {
					return errDown
				}
				return nil
			})
			o, _ := fastOptions(t, f)
			q, err := NewQueue(o)
			if err != nil {
				t.Fatal(err)
			}
			src := t.TempDir()
			var want [][]byte
			var ids []string
			for i := range 3 {
				p, b := picture(t, src, fmt.Sprintf("p%d.jpg", i), 1000, byte('a'+i))
				id := fmt.Sprintf("ev%d-snapshot-ftp", i)
				if err := q.Enqueue(Item{ID: id, Event: fmt.Sprint(i), Kind: Snapshot, Files: []string{p}}); err != nil {
					t.Fatal(err)
				}
				want, ids = append(want, b), append(ids, id)
			}
			if got := q.Status().Queued; got != 3 {
				t.Errorf("queued before Run: got %d, want 3", got)
			}
			stop := run(t, q)
			testutil.WaitWithin(t, 5*time.Second, "3 deliveries", func() bool { return q.Status().Delivered == 3 })
			stop()

			if got := f.got(); !slices.Equal(got, ids) {
				t.Errorf("delivered: got %v, want %v", got, ids)
			}
			for i := range want {
				if !bytes.Equal(f.contents[i], want[i]) {
					t.Errorf("item %d: the file delivered differs from the original", i)
				}
			}
			st := q.Status()
			if st.Queued != 0 || st.Delivered != 3 || st.Failures != uint64(failFirst) || st.Dropped != 0 {
				t.Errorf("status: got queued %d delivered %d failures %d dropped %d, want 0 3 %d 0",
					st.Queued, st.Delivered, st.Failures, st.Dropped, failFirst)
			}
			if (st.LastError != "") != (failFirst > 0) || st.LastSuccess.IsZero() {
				t.Errorf("status: got last error %q, last success %v; want an error iff it failed, a success", st.LastError, st.LastSuccess)
			}
			if failFirst > 0 && !strings.Contains(st.LastError, errDown.Error()) {
				t.Errorf("last error: got %q, want it to contain %q", st.LastError, errDown)
			}
			if left := spoolFiles(t, q); len(left) != 0 {
				t.Errorf("spool after delivery: got %v, want empty", left)
			}
		})
	}
}

// clock is a fake time that the queue's sleep hook advances instead of sleeping.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	delays []time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) sleep(ctx context.Context, d time.Duration) bool {
	c.mu.Lock()
	c.delays = append(c.delays, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err() == nil
}

func (c *clock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.delays)
}

func TestDeadTargetBacksOffThenDropsAtMaxAge(t *testing.T) {
	f := newFake("smb", func(context.Context, Item, int) error { return errDown })
	c := &clock{now: time.Date(2026, 11, 26, 14, 35, 1, 0, time.UTC)}
	o, logs := fastOptions(t, f)
	o.Now = c.Now
	o.MaxAge = 2 * time.Minute
	o.Backoff = backoff.Backoff{Initial: time.Second, Max: 16 * time.Second}
	q, err := NewQueue(o)
	if err != nil {
		t.Fatal(err)
	}
	q.sleep = c.sleep
	if err := q.Enqueue(Item{ID: "ev1-clip-smb", Kind: Text, Text: "motion"}); err != nil {
		t.Fatal(err)
	}
	run(t, q)
	testutil.WaitWithin(t, 5*time.Second, "the drop", func() bool { return q.Status().Dropped == 1 })

	d := c.slept()
	if len(d) < 8 {
		t.Fatalf("got %d retries in 2 min, want at least 8 (1+2+4+8+16+16… s)", len(d))
	}
	for i, want := range []time.Duration{1, 2, 4, 8, 16, 16} {
		want *= time.Second
		if d[i] < want*8/10 || d[i] > min(want*12/10, 16*time.Second) {
			t.Errorf("delay %d: got %v, want %v ±20 %% and at most 16s", i, d[i], want)
		}
	}
	var total time.Duration
	for _, x := range d[:len(d)-1] {
		total += x
	}
	if total > o.MaxAge || total+d[len(d)-1] <= o.MaxAge {
		t.Errorf("dropped after %v of retries (last delay %v), want just past MaxAge %v", total+d[len(d)-1], d[len(d)-1], o.MaxAge)
	}
	st := q.Status()
	if got := f.tries("ev1-clip-smb"); uint64(got) != st.Failures || got != len(d) {
		t.Errorf("attempts: got %d, want %d failures = %d delays", got, st.Failures, len(d))
	}
	if st.Queued != 0 || st.Delivered != 0 || st.Dropped != 1 {
		t.Errorf("status: got queued %d delivered %d dropped %d, want 0 0 1", st.Queued, st.Delivered, st.Dropped)
	}
	if !strings.Contains(logs.String(), "older than max age") {
		t.Errorf("logs: got %q, want a line about the item being too old", logs.String())
	}
	if got := strings.Count(logs.String(), "level=WARN msg=\"delivery failed"); got != 1 {
		t.Errorf("warnings for one outage: got %d, want 1 (the rest counted)", got)
	}
	if left := spoolFiles(t, q); len(left) != 0 {
		t.Errorf("spool after the drop: got %v, want empty", left)
	}
}

func TestPermanentErrorDropsAtOnce(t *testing.T) {
	f := newFake("telegram", func(_ context.Context, it Item, _ int) error {
		if it.ID == "bad" {
			return fmt.Errorf("telegram: sendPhoto: %w", &Permanent{Err: errors.New("400 Bad Request: PHOTO_INVALID_DIMENSIONS")})
		}
		return nil
	})
	o, logs := fastOptions(t, f)
	q, err := NewQueue(o)
	if err != nil {
		t.Fatal(err)
	}
	slept := 0
	q.sleep = func(context.Context, time.Duration) bool { slept++; return true }
	for _, id := range []string{"bad", "good"} {
		if err := q.Enqueue(Item{ID: id, Kind: Text}); err != nil {
			t.Fatal(err)
		}
	}
	stop := run(t, q)
	testutil.WaitWithin(t, 5*time.Second, "good delivered", func() bool { return q.Status().Delivered == 1 })
	stop()
	st := q.Status()
	if got := f.tries("bad"); got != 1 {
		t.Errorf("attempts of the bad item: got %d, want 1", got)
	}
	if st.Dropped != 1 || st.Failures != 1 || st.Queued != 0 || slept != 0 {
		t.Errorf("got dropped %d failures %d queued %d backoff sleeps %d, want 1 1 0 0", st.Dropped, st.Failures, st.Queued, slept)
	}
	if !strings.Contains(logs.String(), "PHOTO_INVALID_DIMENSIONS") {
		t.Errorf("logs: got %q, want the permanent error's reason", logs.String())
	}
}

func TestDeadTargetDoesNotDelayAnother(t *testing.T) {
	dead := newFake("smb", blockUntilCancel)
	live := newFake("telegram", nil)
	o, _ := fastOptions(t, nil)
	s, err := NewSet(o.Dir, []Target{dead, live}, o)
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, s)
	src := t.TempDir()
	for i := range 5 {
		p, _ := picture(t, src, fmt.Sprintf("%d.jpg", i), 2000, byte(i))
		for _, target := range []string{"smb", "telegram"} {
			start := time.Now()
			if err := s.Enqueue(target, Item{ID: fmt.Sprintf("ev%d", i), Kind: Snapshot, Files: []string{p}}); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("Enqueue to %s took %v, want no wait for the target", target, d)
			}
		}
	}
	testutil.WaitWithin(t, 5*time.Second, "the live target's 5 items", func() bool { return len(live.got()) == 5 })
	if got := dead.tries("ev0"); got != 1 {
		t.Errorf("the dead target's attempts: got %d, want 1 still blocked", got)
	}
	stop()
	st := s.Status()
	if st[0].Target != "smb" || st[0].Queued != 5 || st[1].Target != "telegram" || st[1].Queued != 0 || st[1].Delivered != 5 {
		t.Errorf("status: got %+v, want smb with 5 queued, telegram with 5 delivered", st)
	}
	if st[0].Failures != 0 {
		t.Errorf("the shutdown counted as a failure: got %d failures, want 0", st[0].Failures)
	}
}

func TestRestartDeliversWhatWasLeftOnce(t *testing.T) {
	dir, src := t.TempDir(), t.TempDir()
	first := newFake("ftp", func(ctx context.Context, it Item, _ int) error {
		if it.ID != "ev1" {
			return blockUntilCancel(ctx, it, 0) // killed during this upload
		}
		return nil
	})
	o, _ := fastOptions(t, first)
	o.Dir = dir
	q1, err := NewQueue(o)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	for i := 1; i <= 3; i++ {
		id := fmt.Sprintf("ev%d", i)
		p, b := picture(t, src, id+".jpg", 5000, byte(i))
		want[id] = b
		if err := q1.Enqueue(Item{ID: id, Kind: Snapshot, Files: []string{p}}); err != nil {
			t.Fatal(err)
		}
	}
	stop := run(t, q1)
	testutil.WaitWithin(t, 5*time.Second, "ev2 in flight", func() bool { return first.tries("ev2") == 1 })
	stop()

	// What a kill -9 can leave: a half-written JSON, files of an item whose JSON never got
	// written, a JSON damaged on the card. And a file that is not the spool's.
	qdir := filepath.Join(dir, "ftp")
	debris := map[string]string{
		stemOf(90, "ev9") + tmpExt:  `{"v":1,"item":{"id":"ev9"`,
		stemOf(91, "ev8") + jsonExt: "\x00\x00garbage",
		"README":                    "not the spool's",
	}
	for name, content := range debris {
		if err := os.WriteFile(filepath.Join(qdir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(qdir, stemOf(92, "ev7")), 0o700); err != nil {
		t.Fatal(err)
	}

	second := newFake("ftp", nil)
	o.Target = second
	o2, logs := fastOptions(t, second)
	o.Log = o2.Log
	q2, err := NewQueue(o)
	if err != nil {
		t.Fatal(err)
	}
	if got := q2.Status().Queued; got != 2 {
		t.Errorf("loaded: got %d items, want 2 (ev2, ev3)", got)
	}
	if !strings.Contains(logs.String(), stemOf(91, "ev8")+jsonExt) {
		t.Errorf("logs: got %q, want a warning naming the damaged file", logs.String())
	}
	if err := q2.Enqueue(Item{ID: "ev2", Kind: Text}); err == nil {
		t.Errorf("enqueue of a queued id: got nil, want an error")
	}
	if err := q2.Enqueue(Item{ID: "ev4", Kind: Text}); err != nil {
		t.Fatal(err)
	}
	stop2 := run(t, q2)
	testutil.WaitWithin(t, 5*time.Second, "3 deliveries", func() bool { return q2.Status().Delivered == 3 })
	stop2()

	all := append(first.got(), second.got()...)
	if wantIDs := []string{"ev1", "ev2", "ev3", "ev4"}; !slices.Equal(all, wantIDs) {
		t.Errorf("delivered over both runs: got %v, want %v (each once, in order)", all, wantIDs)
	}
	for i, id := range second.got()[:2] {
		if !bytes.Equal(second.contents[i], want[id]) {
			t.Errorf("%s after the restart: the file differs from the original", id)
		}
	}
	if got, want := spoolFiles(t, q2), []string{"README"}; !slices.Equal(got, want) {
		t.Errorf("spool after delivery: got %v, want %v (debris removed, strangers kept)", got, want)
	}
}

func TestOriginalsDeletedAfterEnqueueAreStillDelivered(t *testing.T) {
	for _, noLink := range []bool{false, true} {
		t.Run(map[bool]string{false: "hard link", true: "copy"}[noLink], func(t *testing.T) {
			f := newFake("mail", nil)
			o, _ := fastOptions(t, f)
			q, err := NewQueue(o)
			if err != nil {
				t.Fatal(err)
			}
			q.noLink = noLink
			src := t.TempDir()
			p, b := picture(t, src, "2026-11-26_14-35-01.jpg", 200<<10, 7)
			p2, _ := picture(t, t.TempDir(), "2026-11-26_14-35-01.jpg", 10, 8) // same name elsewhere
			if err := q.Enqueue(Item{ID: "ev1-mail", Kind: Snapshot, Files: []string{p, p2}}); err != nil {
				t.Fatal(err)
			}
			for _, x := range []string{p, p2} {
				if err := os.Remove(x); err != nil {
					t.Fatal(err)
				}
			}
			var files []string
			f.fn = func(_ context.Context, it Item, _ int) error { files = it.Files; return nil }
			stop := run(t, q)
			testutil.WaitWithin(t, 5*time.Second, "the delivery", func() bool { return q.Status().Delivered == 1 })
			stop()
			if !bytes.Equal(f.contents[0], b) {
				t.Errorf("delivered file: got %d bytes, want the original's %d", len(f.contents[0]), len(b))
			}
			if len(files) != 2 || !strings.HasPrefix(files[0], q.dir) || filepath.Base(files[0]) != "2026-11-26_14-35-01.jpg" || files[0] == files[1] {
				t.Errorf("files: got %v, want two distinct spool copies under %s keeping the name", files, q.dir)
			}
		})
	}
}

func TestFullSpoolDropsTheOldest(t *testing.T) {
	f := newFake("dropbox", nil)
	o, logs := fastOptions(t, f)
	o.MaxItems = 3
	q, err := NewQueue(o)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := picture(t, t.TempDir(), "a.jpg", 100, 1)
	for i := 1; i <= 5; i++ {
		if err := q.Enqueue(Item{ID: fmt.Sprintf("ev%d", i), Kind: Snapshot, Files: []string{p}}); err != nil {
			t.Fatal(err)
		}
	}
	if st := q.Status(); st.Queued != 3 || st.Dropped != 2 {
		t.Errorf("status: got queued %d dropped %d, want 3 2", st.Queued, st.Dropped)
	}
	if got := len(spoolFiles(t, q)); got != 3*3 { // json, dir, file
		t.Errorf("spool entries: got %d, want 9 (3 items)", got)
	}
	if !strings.Contains(logs.String(), "spool full") {
		t.Errorf("logs: got %q, want a warning about the full spool", logs.String())
	}
	stop := run(t, q)
	testutil.WaitWithin(t, 5*time.Second, "3 deliveries", func() bool { return q.Status().Delivered == 3 })
	stop()
	if got, want := f.got(), []string{"ev3", "ev4", "ev5"}; !slices.Equal(got, want) {
		t.Errorf("delivered: got %v, want %v", got, want)
	}
}

func TestFullSpoolNeverDropsTheItemBeingSent(t *testing.T) {
	release := make(chan struct{})
	f := newFake("ftp", func(ctx context.Context, it Item, _ int) error {
		if it.ID == "ev1" {
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	o, _ := fastOptions(t, f)
	o.MaxItems = 2
	q, err := NewQueue(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Enqueue(Item{ID: "ev1", Kind: Text}); err != nil {
		t.Fatal(err)
	}
	stop := run(t, q)
	testutil.WaitWithin(t, 5*time.Second, "ev1 in flight", func() bool { return f.tries("ev1") == 1 })
	for i := 2; i <= 4; i++ {
		if err := q.Enqueue(Item{ID: fmt.Sprintf("ev%d", i), Kind: Text}); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	testutil.WaitWithin(t, 5*time.Second, "2 deliveries", func() bool { return q.Status().Delivered == 2 })
	stop()
	if got, want := f.got(), []string{"ev1", "ev4"}; !slices.Equal(got, want) {
		t.Errorf("delivered: got %v, want %v", got, want)
	}
	if st := q.Status(); st.Dropped != 2 || st.Queued != 0 {
		t.Errorf("status: got dropped %d queued %d, want 2 0", st.Dropped, st.Queued)
	}
}

func TestEnqueueRefusesWhatItCannotSpool(t *testing.T) {
	good, _ := picture(t, t.TempDir(), "a.jpg", 10, 1)
	tests := []struct {
		name string
		it   Item
	}{
		{"empty id", Item{ID: ""}},
		{"upper case", Item{ID: "Ev1"}},
		{"slash", Item{ID: "a/b"}},
		{"dot dot", Item{ID: ".."}},
		{"space", Item{ID: "a b"}},
		{"leading dash", Item{ID: "-x"}},
		{"underscore", Item{ID: "ev_1"}},
		{"too long", Item{ID: strings.Repeat("a", 129)}},
		{"missing file", Item{ID: "ev1", Files: []string{good, filepath.Join(t.TempDir(), "gone.jpg")}}},
		{"directory", Item{ID: "ev1", Files: []string{t.TempDir()}}},
	}
	o, _ := fastOptions(t, newFake("ftp", nil))
	q, err := NewQueue(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := q.Enqueue(tt.it); err == nil {
				t.Errorf("got nil, want an error")
			}
			if got := q.Status().Queued; got != 0 {
				t.Errorf("queued: got %d, want 0", got)
			}
			if left := spoolFiles(t, q); len(left) != 0 {
				t.Errorf("spool: got %v, want nothing left behind", left)
			}
		})
	}
	if err := q.Enqueue(Item{ID: "ev1-0-snapshot-ftp", Files: []string{good}}); err != nil {
		t.Errorf("a good item: got %v, want nil", err)
	}
}

func TestSetRefusesBadTargets(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name    string
		targets []Target
	}{
		{"duplicate", []Target{newFake("ftp", nil), newFake("ftp", nil)}},
		{"unsafe name", []Target{newFake("../etc", nil)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewSet(dir, tt.targets, Options{}); err == nil {
				t.Errorf("got nil, want an error")
			}
		})
	}
	s, err := NewSet(dir, []Target{newFake("mail", nil)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue("ftp", Item{ID: "ev1"}); err == nil {
		t.Errorf("enqueue to an unknown target: got nil, want an error")
	}
	if fi, err := os.Stat(filepath.Join(dir, "mail")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("spool dir: got %v %v, want mode 0700", fi, err)
	}
}

func TestRunTwiceIsAnError(t *testing.T) {
	o, _ := fastOptions(t, newFake("ftp", nil))
	q, err := NewQueue(o)
	if err != nil {
		t.Fatal(err)
	}
	run(t, q)
	testutil.WaitWithin(t, 5*time.Second, "the worker", func() bool { return q.running.Load() })
	if err := q.Run(context.Background()); err == nil {
		t.Errorf("second Run: got nil, want an error")
	}
}
