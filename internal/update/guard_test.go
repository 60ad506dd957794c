package update

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// clock is an injected clock: Now is fixed unless moved, After hands out a channel the test fires.
type clock struct {
	now   time.Time
	waits chan time.Duration
	fire  chan time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC), waits: make(chan time.Duration, 1), fire: make(chan time.Time)}
}

func (c *clock) options(exe string, rolled *[]Rollback) GuardOptions {
	return GuardOptions{Executable: exe, Now: func() time.Time { return c.now },
		After:      func(d time.Duration) <-chan time.Time { c.waits <- d; return c.fire },
		OnRollback: func(r Rollback) { *rolled = append(*rolled, r) }}
}

// appliedUpdate installs 1.1.0 over 1.0.0 with a 60 s health timeout and 2 starts.
func appliedUpdate(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	o := f.options()
	o.HealthTimeout = time.Minute
	o.MaxStarts = 2
	if err := f.update(t, o); err != nil {
		t.Fatal(err)
	}
	return f
}

func wantOldBinaryBack(t *testing.T, f *fixture, rolled []Rollback, reason string) {
	t.Helper()
	if got, _ := os.ReadFile(f.exe); !bytes.Equal(got, f.old) {
		t.Errorf("the binary is not the previous one after the rollback")
	}
	if got := runVersion(t, f.exe); got != "freecam 1.0.0" {
		t.Errorf("the restored binary says %q, want \"freecam 1.0.0\"", got)
	}
	if got, want := dirNames(t, f.exe), []string{"freecam", "freecam.rollback"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got files %v, want %v", got, want)
	}
	if len(rolled) != 1 || rolled[0].Version != "1.1.0" || rolled[0].RestoredVersion != "1.0.0" || !strings.Contains(rolled[0].Reason, reason) {
		t.Errorf("got OnRollback calls %+v, want one from 1.1.0 to 1.0.0 saying %q", rolled, reason)
	}
	st, err := ReadStatus(f.exe)
	if err != nil || st.LastRollback == nil || st.LastRollback.Version != "1.1.0" || st.Pending != nil || st.HasPrevious {
		t.Errorf("got status %+v (%v), want the rollback of 1.1.0 recorded and nothing pending", st, err)
	}
}

func TestGuardRollsBackABinaryThatNeverConfirms(t *testing.T) {
	f := appliedUpdate(t)
	c := newClock()
	var rolled []Rollback
	g, err := GuardStart(context.Background(), c.options(f.exe, &rolled))
	if err != nil || !g.Pending() {
		t.Fatalf("got %v, pending %v; want the start counted and a watchdog", err, g.Pending())
	}
	if d := <-c.waits; d != time.Minute {
		t.Errorf("got the watchdog waiting %v, want 1m", d)
	}
	if len(rolled) != 0 {
		t.Fatal("rolled back before the deadline")
	}
	c.fire <- c.now.Add(time.Minute)
	<-g.Done()
	wantOldBinaryBack(t, f, rolled, "did not report healthy within 60s")
	if err := g.ConfirmHealthy(); err != nil || g.Pending() {
		t.Errorf("a late confirmation: got %v, pending %v; want nothing to happen", err, g.Pending())
	}
}

func TestGuardKeepsABinaryThatConfirms(t *testing.T) {
	f := appliedUpdate(t)
	c := newClock()
	var rolled []Rollback
	g, err := GuardStart(context.Background(), c.options(f.exe, &rolled))
	if err != nil {
		t.Fatal(err)
	}
	<-c.waits
	if err := g.ConfirmHealthy(); err != nil {
		t.Fatal(err)
	}
	<-g.Done()
	select {
	case c.fire <- c.now: // nobody may be waiting any more
		t.Error("the watchdog still waits after the confirmation")
	default:
	}
	if got := runVersion(t, f.exe); got != "freecam 1.1.0" || len(rolled) != 0 {
		t.Errorf("got %q and rollbacks %v, want 1.1.0 kept", got, rolled)
	}
	if got, want := dirNames(t, f.exe), []string{"freecam", "freecam.previous"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got files %v, want %v", got, want)
	}
	// The next start has nothing to guard.
	g2, err := GuardStart(context.Background(), c.options(f.exe, &rolled))
	if err != nil || g2.Pending() {
		t.Errorf("got %v, pending %v after a confirmed update, want nothing to do", err, g2.Pending())
	}
	// By hand, the previous binary still comes back.
	if _, err := RollbackTo(f.exe, "asked", c.now); err != nil || runVersion(t, f.exe) != "freecam 1.0.0" {
		t.Errorf("manual rollback: got %v, want 1.0.0 back", err)
	}
}

func TestGuardRollsBackACrashLoop(t *testing.T) {
	f := appliedUpdate(t) // MaxStarts 2
	c := newClock()
	var rolled []Rollback
	for start := 1; start <= 2; start++ {
		ctx, crash := context.WithCancel(context.Background())
		g, err := GuardStart(ctx, c.options(f.exe, &rolled))
		if err != nil {
			t.Fatalf("start %d: %v", start, err)
		}
		<-c.waits
		crash() // the process dies before confirming
		<-g.Done()
		c.now = c.now.Add(5 * time.Second)
		if len(rolled) != 0 || runVersion(t, f.exe) != "freecam 1.1.0" {
			t.Fatalf("start %d: rolled back too early", start)
		}
	}
	_, err := GuardStart(context.Background(), c.options(f.exe, &rolled))
	if !errors.Is(err, ErrRolledBack) {
		t.Fatalf("got %v at the third start, want ErrRolledBack", err)
	}
	wantOldBinaryBack(t, f, rolled, "started 2 times without reporting healthy")
}

func TestGuardRollsBackAtStartAfterTheDeadline(t *testing.T) {
	f := appliedUpdate(t)
	c := newClock()
	var rolled []Rollback
	ctx, crash := context.WithCancel(context.Background())
	g, err := GuardStart(ctx, c.options(f.exe, &rolled))
	if err != nil {
		t.Fatal(err)
	}
	<-c.waits
	crash()
	<-g.Done()
	c.now = c.now.Add(61 * time.Second) // the supervisor took its time restarting it
	if _, err := GuardStart(context.Background(), c.options(f.exe, &rolled)); !errors.Is(err, ErrRolledBack) {
		t.Fatalf("got %v, want ErrRolledBack", err)
	}
	wantOldBinaryBack(t, f, rolled, "within 60s of its first start")
}

func TestGuardWithNothingPending(t *testing.T) {
	exe := installed(t, []byte("binary"))
	c := newClock()
	var rolled []Rollback
	g, err := GuardStart(context.Background(), c.options(exe, &rolled))
	if err != nil || g.Pending() {
		t.Fatalf("got %v, pending %v, want nothing to do", err, g.Pending())
	}
	<-g.Done()
	if err := g.ConfirmHealthy(); err != nil {
		t.Errorf("got %v confirming with nothing pending, want nil", err)
	}
	var nilGuard *Guard
	<-nilGuard.Done()
	if nilGuard.Pending() || nilGuard.ConfirmHealthy() != nil {
		t.Error("a nil guard is not inert")
	}
}

// A version rolled back once, installed again by hand and confirmed healthy is no longer
// reported as rolled back (its record goes); a record about another version stays.
func TestConfirmationSupersedesTheRollbackOfTheSameVersion(t *testing.T) {
	for _, tc := range []struct {
		name     string
		recorded string // the version the earlier rollback removed
		wantKept bool
	}{
		{"same version", "1.1.0", false},
		{"same version with a v", "v1.1.0", false},
		{"another version", "1.0.7", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := appliedUpdate(t) // 1.1.0 pending over 1.0.0
			earlier := Rollback{Version: tc.recorded, RestoredVersion: "1.0.0", At: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC),
				Reason: "version " + tc.recorded + " did not report healthy within 180s"}
			if err := writeJSON(f.exe+".rollback", earlier); err != nil {
				t.Fatal(err)
			}
			c := newClock()
			var rolled []Rollback
			g, err := GuardStart(context.Background(), c.options(f.exe, &rolled))
			if err != nil {
				t.Fatal(err)
			}
			<-c.waits
			// While on probation the earlier record is still the truth.
			if st, _ := ReadStatus(f.exe); st.LastRollback == nil {
				t.Error("the earlier rollback record went before the confirmation")
			}
			if err := g.ConfirmHealthy(); err != nil {
				t.Fatal(err)
			}
			<-g.Done()
			st, err := ReadStatus(f.exe)
			if err != nil {
				t.Fatal(err)
			}
			if kept := st.LastRollback != nil; kept != tc.wantKept {
				t.Errorf("got the rollback record %+v after 1.1.0 confirmed, want kept %v", st.LastRollback, tc.wantKept)
			}
			if st.Pending != nil || !st.HasPrevious {
				t.Errorf("got %+v, want nothing pending and .previous kept", st)
			}
		})
	}
}

// startTrial runs GuardStart on an applied update with a log to read, and waits for the watchdog.
func startTrial(t *testing.T, f *fixture, c *clock, rolled *[]Rollback) (*Guard, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	o := c.options(f.exe, rolled)
	o.Logger = slog.New(slog.NewTextHandler(&buf, nil))
	g, err := GuardStart(context.Background(), o)
	if err != nil || !g.Pending() {
		t.Fatalf("got %v, pending %v; want a watchdog", err, g.Pending())
	}
	<-c.waits
	return g, &buf
}

// wantHandRollbackKept checks that the rollback by hand made during the trial is what the files
// still say: 1.0.0 on disk, the record of 1.1.0's removal, nothing pending.
func wantHandRollbackKept(t *testing.T, f *fixture, byHand Rollback, rolled []Rollback) {
	t.Helper()
	if got, _ := os.ReadFile(f.exe); !bytes.Equal(got, f.old) {
		t.Error("the binary is not the one the rollback by hand put back")
	}
	if got, want := dirNames(t, f.exe), []string{"freecam", "freecam.rollback"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got files %v, want %v", got, want)
	}
	st, err := ReadStatus(f.exe)
	if err != nil || st.LastRollback == nil || *st.LastRollback != byHand {
		t.Errorf("got the rollback record %+v (%v), want the one by hand %+v", st.LastRollback, err, byHand)
	}
	if len(rolled) != 0 {
		t.Errorf("got OnRollback calls %+v, want none", rolled)
	}
}

// `freecam update --rollback` during the trial, then the camera reports healthy: the rollback by
// hand stands (its record is not "superseded", UPDATE_AUTO keeps off 1.1.0).
func TestConfirmationAfterARollbackByHandKeepsIt(t *testing.T) {
	f := appliedUpdate(t)
	c := newClock()
	var rolled []Rollback
	g, buf := startTrial(t, f, c, &rolled)
	byHand, err := RollbackTo(f.exe, "asked for by freecam update --rollback", c.now.Add(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.ConfirmHealthy(); err != nil {
		t.Fatalf("got %v confirming, want nil", err)
	}
	<-g.Done()
	if g.Pending() {
		t.Error("still pending after the confirmation")
	}
	wantHandRollbackKept(t, f, byHand, rolled)
	if log := buf.String(); !strings.Contains(log, "already rolled back by hand") || strings.Contains(log, "superseded") {
		t.Errorf("got log %q, want it to say the update was already rolled back by hand", log)
	}
}

// `freecam update --rollback` during the trial, then the deadline passes: nothing to undo.
func TestDeadlineAfterARollbackByHandDoesNothing(t *testing.T) {
	f := appliedUpdate(t)
	c := newClock()
	var rolled []Rollback
	g, buf := startTrial(t, f, c, &rolled)
	byHand, err := RollbackTo(f.exe, "asked for by freecam update --rollback", c.now.Add(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	c.fire <- c.now.Add(time.Minute)
	<-g.Done()
	wantHandRollbackKept(t, f, byHand, rolled)
	if log := buf.String(); strings.Contains(log, "level=ERROR") || !strings.Contains(log, "already rolled back by hand") {
		t.Errorf("got log %q, want no error and a line saying the update was already rolled back by hand", log)
	}
}

// A rollback record about the same version made after this install (whatever made it) is not
// the earlier failure a healthy reinstall supersedes: it stays.
func TestConfirmationKeepsALaterRollbackRecord(t *testing.T) {
	f := appliedUpdate(t)
	st, err := ReadStatus(f.exe)
	if err != nil || st.Pending == nil {
		t.Fatalf("got %+v, %v; want the update pending", st, err)
	}
	later := Rollback{Version: "1.1.0", RestoredVersion: "1.0.0", At: st.Pending.Applied.Add(time.Second).UTC(), Reason: "later"}
	if err := writeJSON(f.exe+".rollback", later); err != nil {
		t.Fatal(err)
	}
	c := newClock()
	var rolled []Rollback
	g, _ := startTrial(t, f, c, &rolled)
	if err := g.ConfirmHealthy(); err != nil {
		t.Fatal(err)
	}
	<-g.Done()
	st, err = ReadStatus(f.exe)
	if err != nil || st.LastRollback == nil || *st.LastRollback != later {
		t.Errorf("got the record %+v (%v), want the later one kept", st.LastRollback, err)
	}
	if st.Pending != nil {
		t.Errorf("got pending %+v after the confirmation, want none", st.Pending)
	}
}
