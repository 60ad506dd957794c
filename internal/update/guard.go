package update

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/fsutil"
)

// GuardOptions configure GuardStart. The zero value guards the running binary with the real
// clock and restarts into the old binary after a rollback.
type GuardOptions struct {
	// Executable is the binary whose update is guarded. Default: the running one.
	Executable string
	// OnRollback runs after a rollback has put the old binary back. Default: Restart (exec the
	// old binary with the same arguments), or exit with status 1 for the supervisor when the
	// exec fails. A caller that wants to stop the camera cleanly first passes its own.
	OnRollback func(Rollback)
	// Health, if set, is the camera's health (nil when pictures flow). When the deadline passes
	// its last error is put in the rollback's reason, so that the reason says what did not
	// work ("no picture from the source …"), not only that something did not.
	Health func() error
	// Now and After are the clock (tests inject one). Default: time.Now and time.After.
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
	// Logger; default discard.
	Logger *slog.Logger
}

// ErrRolledBack is returned by GuardStart when it rolled the update back at once (the new binary
// kept crashing at start, or its deadline had passed) and OnRollback returned.
var ErrRolledBack = errors.New("the update was rolled back")

// Guard watches one start of a freshly installed binary. Its methods are safe for concurrent use
// and on a nil *Guard.
type Guard struct {
	exe     string
	o       GuardOptions
	log     *slog.Logger
	mu      sync.Mutex
	pending bool      // waiting for ConfirmHealthy
	version string    // the version on probation
	applied time.Time // when it was installed (its .pending's "applied"): tells this install from a later one
	confirm chan struct{}
	done    chan struct{}
}

// GuardStart is called once, early, by `freecam run`. With no update pending it does nothing. With
// one pending it counts this start and rolls back at once when the new binary has started more
// than its MaxStarts times without confirming or its deadline has passed (returning
// ErrRolledBack once OnRollback returns); otherwise it starts a watchdog that rolls back when the
// deadline passes before ConfirmHealthy. The watchdog ends with ctx, a confirmation or a
// rollback; Done tells when.
func GuardStart(ctx context.Context, o GuardOptions) (*Guard, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.After == nil {
		o.After = time.After
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "update")
	exe, err := Options{Executable: o.Executable}.executable()
	if err != nil {
		return nil, err
	}
	g := &Guard{exe: exe, o: o, log: log, confirm: make(chan struct{}), done: make(chan struct{})}
	var p Pending
	ok, err := readJSON(exe+".pending", &p)
	if err != nil || !ok {
		close(g.done)
		return g, err
	}
	now := o.Now()
	p.Starts++
	if p.FirstStart.IsZero() {
		p.FirstStart = now
	}
	g.version, g.applied = p.Version, p.Applied
	reason := ""
	switch {
	case p.Starts > p.MaxStarts:
		reason = fmt.Sprintf("version %s started %d times without reporting healthy (it crashes at start)", p.Version, p.Starts-1)
	case !now.Before(p.Deadline()):
		reason = fmt.Sprintf("version %s did not report healthy within %gs of its first start", p.Version, p.TimeoutSeconds)
	}
	if reason != "" {
		g.pending = true
		close(g.done)
		if r, ok := g.rollback(reason); ok {
			return g, fmt.Errorf("%w: %s", ErrRolledBack, r.Reason)
		}
		return g, fmt.Errorf("rolling back failed: %s", reason)
	}
	if err := writeJSON(exe+".pending", p); err != nil {
		close(g.done)
		return g, fmt.Errorf("count this start of the pending update: %w", err)
	}
	g.pending = true
	wait := p.Deadline().Sub(now)
	log.Info("running a new version: it must report healthy in time or the previous one comes back",
		"version", p.Version, "previous", p.PreviousVersion, "start", p.Starts, "max_starts", p.MaxStarts, "deadline_in", wait.Round(time.Second))
	timer := o.After(wait)
	go func() {
		defer close(g.done)
		select {
		case <-ctx.Done():
		case <-g.confirm:
		case <-timer:
			reason := fmt.Sprintf("version %s did not report healthy within %gs", p.Version, p.TimeoutSeconds)
			if o.Health != nil {
				if herr := o.Health(); herr != nil {
					reason += ": " + herr.Error()
				}
			}
			g.rollback(reason)
		}
	}()
	return g, nil
}

// Pending reports whether this start runs an update that has not confirmed yet.
func (g *Guard) Pending() bool {
	if g == nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.pending
}

// Done is closed when the watchdog has ended (at once when nothing is pending).
func (g *Guard) Done() <-chan struct{} {
	if g == nil {
		c := make(chan struct{})
		close(c)
		return c
	}
	return g.done
}

// ConfirmHealthy tells the guard the new binary works (the camera runs): the update becomes
// permanent (<bin>.previous stays for a manual rollback). A rollback record about this same
// version (an earlier install of it that was rolled back, then installed again by hand) no
// longer applies and is removed, so nothing says the version that runs and proved healthy "was
// rolled back", and an automatic update may offer its successors again; a record made after this
// install (a rollback by hand during the trial) stays. It does nothing when nothing is pending,
// when the watchdog has already rolled back, or when the update was rolled back by hand during
// the trial (<bin>.pending is gone or describes another install): then the binary on disk and the
// record of that rollback are left as they are, and only a line is logged.
func (g *Guard) ConfirmHealthy() error {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.pending {
		return nil
	}
	if !g.stillPending() {
		g.pending = false
		close(g.confirm)
		g.log.Info("the new version reports healthy, but the update was already rolled back by hand (freecam update --rollback): nothing to confirm; restart freecam to run the restored binary",
			"version", g.version)
		return nil
	}
	if err := os.Remove(g.exe + ".pending"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("confirm the update: %w", err)
	}
	superseded := supersedeRollback(g.exe, g.version, g.applied)
	fsutil.SyncDir(filepath.Dir(g.exe))
	g.pending = false
	close(g.confirm)
	if superseded != nil {
		g.log.Info("update confirmed: the new version reports healthy and stays", "version", g.version,
			"superseded_rollback", superseded.At.Format(time.RFC3339))
	} else {
		g.log.Info("update confirmed: the new version reports healthy and stays", "version", g.version)
	}
	return nil
}

// supersedeRollback removes <exe>.rollback when it is about version (which has just proved
// healthy) and older than its install at applied, and returns the record removed, nil otherwise.
// A record about another version stays: it is still true, and keeps UPDATE_AUTO from installing
// that version again. So does one made after the install (a rollback by hand during the trial):
// it undid this very install. A zero applied (a marker of an older freecam) does not compare.
func supersedeRollback(exe, version string, applied time.Time) *Rollback {
	var r Rollback
	if ok, err := readJSON(exe+".rollback", &r); err != nil || !ok || version == "" || !sameVersion(r.Version, version) {
		return nil
	}
	if !applied.IsZero() && !r.At.Before(applied) {
		return nil
	}
	if err := os.Remove(exe + ".rollback"); err != nil {
		return nil
	}
	return &r
}

// stillPending reports whether <exe>.pending still describes the install this guard watches: a
// rollback by hand (freecam update --rollback) during the trial removes it, and a later install
// writes another. g.mu is held.
func (g *Guard) stillPending() bool {
	var p Pending
	ok, err := readJSON(g.exe+".pending", &p)
	if err != nil {
		return true // unreadable: it is there; the confirmation or rollback says what fails
	}
	return ok && sameVersion(p.Version, g.version) && p.Applied.Equal(g.applied)
}

// rollback restores the previous binary unless a confirmation came first or the update was
// already rolled back by hand, then runs OnRollback.
func (g *Guard) rollback(reason string) (Rollback, bool) {
	g.mu.Lock()
	if !g.pending {
		g.mu.Unlock()
		return Rollback{}, false
	}
	g.pending = false
	if !g.stillPending() {
		g.mu.Unlock()
		g.log.Info("the new version did not report healthy in time, but the update was already rolled back by hand (freecam update --rollback): nothing to do; restart freecam to run the restored binary",
			"version", g.version, "reason", reason)
		return Rollback{}, false
	}
	r, err := RollbackTo(g.exe, reason, g.o.Now())
	g.mu.Unlock()
	if err != nil {
		g.log.Error("the new version is not healthy, but rolling back failed", "reason", reason, "err", err)
		return r, false
	}
	g.log.Error("rolled back to the previous version", "reason", reason, "restored", r.RestoredVersion)
	if g.o.OnRollback != nil {
		g.o.OnRollback(r)
	} else {
		err := Restart(g.exe)
		g.log.Error("restarting into the restored binary failed; exiting for the supervisor", "err", err)
		os.Exit(1)
	}
	return r, true
}

// RollbackTo puts <exe>.previous back as exe ("" = the running binary), removes <exe>.pending
// and records why in <exe>.rollback. It is what the guard does, and what
// `freecam update --rollback` does by hand.
func RollbackTo(exe, reason string, now time.Time) (Rollback, error) {
	exe, err := Options{Executable: exe}.executable()
	if err != nil {
		return Rollback{}, err
	}
	var p Pending
	readJSON(exe+".pending", &p)
	r := Rollback{Version: p.Version, RestoredVersion: p.PreviousVersion, At: now.UTC(), Reason: reason}
	// A rollback by hand with no update pending (or a marker of an older freecam): the versions
	// are what the two binaries say.
	if r.Version == "" {
		r.Version = diskVersion(context.Background(), exe, "", 0)
	}
	if r.RestoredVersion == "" {
		r.RestoredVersion = diskVersion(context.Background(), exe+".previous", "", 0)
	}
	if err := os.Rename(exe+".previous", exe); err != nil {
		return r, fmt.Errorf("restore %s.previous: %w", exe, err)
	}
	os.Remove(exe + ".pending")
	if err := writeJSON(exe+".rollback", r); err != nil {
		return r, fmt.Errorf("restored the previous binary, but recording why failed: %w", err)
	}
	fsutil.SyncDir(filepath.Dir(exe))
	return r, nil
}
