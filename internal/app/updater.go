package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/buildinfo"
	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/update"
)

// updater is the camera's side of the signed self-update (internal/update does the work): it
// checks the manifest of update.conf every UPDATE_CHECK_HOURS and when asked, installs a release
// with its progress in the state, then asks Run to end so that `freecam run` execs the new
// binary (whose start the update guard watches). One check or install runs at a time. Its
// methods are safe for concurrent use; run owns the goroutines.
type updater struct {
	log     *slog.Logger
	version string
	// config returns update.conf as loaded now (the zero Update when nothing is loaded yet).
	config func() conf.Update
	// restart asks Run to end so the caller execs exe; it must not wait for the updater.
	restart func(exe string)
	// tune adjusts the update options (tests: the client with the test CA, the platform, the
	// binary, no run check, a short progress interval). nil for the real camera.
	tune func(*update.Options)
	// tick is how often run looks whether a periodic check is due (1 min; tests shorten it).
	tick time.Duration
	// replaced returns the binary on disk and its file when it is no longer the file this
	// process started from (`freecam update` or `--rollback` from a shell replaced it), "" and
	// nil otherwise; nil: never.
	replaced func() (string, os.FileInfo)

	diskMu  sync.Mutex
	diskFI  os.FileInfo // the replaced binary as diskVer was read from it
	diskVer string

	mu         sync.Mutex
	st         camera.UpdateState
	busy       bool            // a check or an install runs
	ctx        context.Context // run's, nil when run is not running: an install belongs to it
	wg         sync.WaitGroup  // the install goroutine
	lastTry    time.Time       // the last periodic check, failed or not
	statusRead time.Time       // when the files next to the binary were last read
	restartExe string          // set once an install asked for the restart
}

// statusEvery bounds how often Update re-reads the files next to the binary (the pending
// marker goes when the new binary confirms; a rollback leaves its record).
const statusEvery = 5 * time.Second

func newUpdater(version string, config func() conf.Update, restart func(string), log *slog.Logger) *updater {
	return &updater{log: log, version: version, config: config, restart: restart, tick: time.Minute,
		st: camera.UpdateState{Installed: version}}
}

// ownPlatform is this build's manifest platform: the cgo build with x264 is its own flavour
// (as `freecam update` names it).
func ownPlatform() string {
	p := update.Platform()
	if buildinfo.Get().H264Encoder != "" {
		p += "-x264"
	}
	return p
}

// offError says that updates are off because update.conf has errors (conf.Update.Problem).
func offError(c conf.Update) error {
	if c.Problem == "" {
		return nil
	}
	return fmt.Errorf("updates are off: %s", c.Problem)
}

// options builds the update options from update.conf, or says why updates are off or not set up.
func (u *updater) options() (update.Options, error) {
	c := u.config()
	if err := offError(c); err != nil {
		return update.Options{}, err
	}
	if !c.Configured() {
		return update.Options{}, errors.New("updates are not set up: set UPDATE_MANIFEST_URL in update.conf")
	}
	o := update.Options{ManifestURL: c.ManifestURL, CAFile: c.CAFile, CurrentVersion: u.version, Platform: ownPlatform(),
		Logger: u.log, ProgressInterval: 250 * time.Millisecond}
	if c.PublicKey != "" {
		keys, err := update.ParsePublicKeys(c.PublicKey)
		if err != nil {
			return update.Options{}, fmt.Errorf("update.conf UPDATE_PUBLIC_KEY: %w", err)
		}
		o.PublicKeys = keys
	}
	if u.tune != nil {
		u.tune(&o)
	}
	return o, nil
}

// State returns the update state (it may read the small files next to the binary, at most
// every statusEvery, and ask a replaced binary on disk its version once per change).
func (u *updater) State() camera.UpdateState {
	exe := u.executable()
	disk := u.diskVersion()
	c := u.config()
	u.mu.Lock()
	defer u.mu.Unlock()
	if time.Since(u.statusRead) >= statusEvery {
		u.statusRead = time.Now()
		if st, err := update.ReadStatus(exe); err == nil {
			u.st.Pending = ""
			if st.Pending != nil && st.Pending.Version == u.version {
				u.st.Pending = st.Pending.Version
			}
			u.st.LastRollback = nil
			if r := st.LastRollback; r != nil {
				u.st.LastRollback = &camera.UpdateRollback{Version: r.Version, RestoredVersion: r.RestoredVersion, At: r.At, Reason: r.Reason}
			}
		}
	}
	s := u.st
	s.DiskVersion = disk
	// With errors in update.conf nothing is checked or installed: the error says why, and
	// Configured is false so that the API refuses checks and installs at once.
	s.Configured = c.Configured() && c.Problem == ""
	if err := offError(c); err != nil {
		s.Error = err.Error()
	}
	if s.LastRollback != nil {
		r := *s.LastRollback
		s.LastRollback = &r
	}
	return s
}

// diskVersion is the version of the binary on disk when it is not the one this process started
// from and says another version than the running one; "" otherwise ("unknown" when it cannot
// tell). The binary is asked (`BIN version --json`) only when its file changed: a stat per call.
func (u *updater) diskVersion() string {
	if u.replaced == nil {
		return ""
	}
	path, fi := u.replaced()
	if path == "" {
		return ""
	}
	u.diskMu.Lock()
	defer u.diskMu.Unlock()
	if was := u.diskFI; was == nil || !sameFile(fi, was) {
		v, err := update.BinaryVersion(context.Background(), path, 0)
		if err != nil || v == "" {
			v = "unknown"
		}
		u.diskFI, u.diskVer = fi, v
	}
	if u.diskVer == u.version {
		return ""
	}
	return u.diskVer
}

// executable is the binary an install replaces (tune's, else the running one).
func (u *updater) executable() string {
	var o update.Options
	if u.tune != nil {
		u.tune(&o)
	}
	if o.Executable != "" {
		return o.Executable
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if p, err := filepath.EvalSymlinks(exe); err == nil {
		return p
	}
	return exe
}

// begin marks a check (install false) or an install as running, or says why it cannot start.
func (u *updater) begin(install bool) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	switch {
	case u.st.Restarting:
		return fmt.Errorf("freecam %s is installed; the camera is restarting into it", u.st.Latest)
	case u.st.InProgress:
		return errors.New("an update is being installed; its progress shows on the System page")
	case u.busy:
		return errors.New("an update check is running; try again in a moment")
	}
	u.busy = true
	if install {
		u.st.InProgress, u.st.Percentage, u.st.Error = true, 0, ""
	} else {
		u.st.Checking = true
	}
	return nil
}

// Check fetches the manifest and records what it offers. It blocks until done or ctx ends.
func (u *updater) Check(ctx context.Context) error {
	o, err := u.options()
	if err != nil {
		return err
	}
	if err := u.begin(false); err != nil {
		return err
	}
	_, err = u.check(ctx, o)
	u.mu.Lock()
	u.busy, u.st.Checking = false, false
	u.mu.Unlock()
	return err
}

// check runs update.Check and records its result in the state. Call with busy set.
func (u *updater) check(ctx context.Context, o update.Options) (*update.Release, error) {
	rel, err := update.Check(ctx, o)
	u.mu.Lock()
	defer u.mu.Unlock()
	if err != nil {
		err = fmt.Errorf("update check: %w", err)
		if ctx.Err() == nil {
			// A failed check is a check too: the state says when it ran and why it failed, and
			// the log has one line for it.
			u.st.Error, u.st.LastCheck = err.Error(), time.Now()
			u.log.Warn("update check failed", "err", err)
		}
		return nil, err
	}
	u.st.Error, u.st.LastCheck = "", time.Now()
	u.st.Latest, u.st.Notes, u.st.Released, u.st.Available = rel.Version, rel.Notes, rel.Released, rel.Newer
	return rel, nil
}

// Apply starts installing the newest release and returns at once; the state shows the progress.
// It refuses when updates are not set up, while a check or install runs, while the running
// version is still on probation, and when run is not running.
func (u *updater) Apply(context.Context) error {
	o, err := u.options()
	if err != nil {
		return err
	}
	u.mu.Lock()
	ctx, pending := u.ctx, u.st.Pending
	u.mu.Unlock()
	if ctx == nil {
		return errNotRunning
	}
	if pending != "" {
		return fmt.Errorf("freecam %s was just installed and has not proved healthy yet; install again once it has", pending)
	}
	if err := u.installable(); err != nil {
		return err
	}
	if err := u.begin(true); err != nil {
		return err
	}
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		u.install(ctx, o)
	}()
	return nil
}

// installable refuses an install the last check did not offer: none yet, or nothing newer (so
// the caller hears it at once instead of an install that fails in the background).
func (u *updater) installable() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	switch {
	case u.st.Restarting, u.st.InProgress, u.busy:
		return nil // begin says why
	case u.st.Latest == "":
		return errors.New("no update check has reached the manifest yet: check for updates first")
	case u.st.Available:
		return nil
	}
	if _, err := update.CompareVersions(u.version, u.version); err != nil {
		return fmt.Errorf("this is a development build (%s): install %s with freecam update --force", u.version, u.st.Latest)
	}
	return fmt.Errorf("nothing to install: the manifest offers %s and %s runs", u.st.Latest, u.version)
}

// install checks the manifest afresh, downloads and installs its release with progress, and on
// success asks for the restart into it. Call with busy and InProgress set.
func (u *updater) install(ctx context.Context, o update.Options) {
	rel, err := u.check(ctx, o)
	checked := err == nil // a failed check has logged its line
	if err == nil && !rel.Newer {
		if _, verr := update.CompareVersions(u.version, u.version); verr != nil {
			err = fmt.Errorf("this is a development build (%s): install %s with freecam update --force", u.version, rel.Version)
		} else {
			err = fmt.Errorf("nothing to install: the manifest offers %s and %s runs", rel.Version, u.version)
		}
	}
	if err == nil {
		u.log.Info("installing an update", "version", rel.Version, "running", u.version, "bytes", rel.Binary.Size)
		o.Progress = func(done, total int64) {
			pct := 100
			if total > 0 {
				pct = int(done * 100 / total)
			}
			u.mu.Lock()
			u.st.Percentage = min(max(pct, 0), 100)
			u.mu.Unlock()
		}
		err = update.Apply(ctx, rel, o)
	}
	exe := o.Executable
	if exe == "" {
		exe = u.executable()
	}
	u.mu.Lock()
	u.busy, u.st.InProgress = false, false
	if err != nil {
		if !errors.Is(err, context.Canceled) || ctx.Err() == nil {
			u.st.Error = fmt.Sprintf("install: %v", err)
		}
		u.mu.Unlock()
		if checked {
			u.log.Error("update not installed; the running binary is untouched", "err", err)
		}
		return
	}
	u.st.Percentage, u.st.Restarting, u.restartExe = 100, true, exe
	u.statusRead = time.Time{}
	u.mu.Unlock()
	u.log.Warn("update installed; restarting into it", "version", rel.Version, "binary", exe)
	u.restart(exe)
}

// restartRequested is the binary to exec after Run returns, "" when no install asked for it.
func (u *updater) restartRequested() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.restartExe
}

// run checks the manifest every UPDATE_CHECK_HOURS (looking every tick, so a changed update.conf
// applies without a restart) and, with UPDATE_AUTO, installs a newer release, never the one the
// last rollback removed. It blocks until ctx ends and an install it started has stopped.
func (u *updater) run(ctx context.Context) {
	u.mu.Lock()
	u.ctx = ctx
	u.mu.Unlock()
	defer func() {
		u.mu.Lock()
		u.ctx = nil
		u.mu.Unlock()
		u.wg.Wait()
	}()
	t := time.NewTicker(u.tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			u.periodic(ctx, now)
		}
	}
}

// periodic runs one periodic check when it is due, and an automatic install after it.
func (u *updater) periodic(ctx context.Context, now time.Time) {
	c := u.config()
	u.mu.Lock()
	due := c.Configured() && c.Problem == "" && c.CheckInterval > 0 && now.Sub(u.lastTry) >= c.CheckInterval
	if due {
		u.lastTry = now
	}
	u.mu.Unlock()
	if !due {
		return
	}
	if err := u.Check(ctx); err != nil {
		return // a failed check logged its line; a busy updater is checking already
	}
	st := u.State()
	if !st.Available {
		return
	}
	if !c.Auto {
		u.log.Info("an update is available", "version", st.Latest, "running", u.version)
		return
	}
	if r := st.LastRollback; r != nil && r.Version == st.Latest {
		u.log.Warn("not installing the update automatically: it was rolled back before", "version", st.Latest, "reason", r.Reason)
		return
	}
	if err := u.Apply(ctx); err != nil {
		u.log.Warn("automatic update", "err", err)
	}
}

// RestartBinary returns the binary `freecam run` must exec once Run has returned: an update
// was installed from the web UI or Home Assistant, or timezone.conf changed, and Run ended for
// it. "" otherwise.
func (a *App) RestartBinary() string {
	if a.upd != nil {
		if bin := a.upd.restartRequested(); bin != "" {
			return bin
		}
	}
	if p := a.restartSelf.Load(); p != nil {
		return *p
	}
	return ""
}

// replacedBinary returns Options.Executable and its file when another file took its place since
// New (an update or a rollback from a shell), so that a restart runs what is on disk; "" and nil
// otherwise.
func (a *App) replacedBinary() (string, os.FileInfo) {
	if a.exeAtStart == nil {
		return "", nil
	}
	now, err := os.Stat(a.opts.Executable)
	if err != nil || sameFile(now, a.exeAtStart) {
		return "", nil
	}
	return a.opts.Executable, now
}

// sameFile reports whether two stats are of one unchanged file: the same inode, modification
// time and size (an install or a rollback renames another file into place; a copy over it
// changes the time or the size).
func sameFile(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.ModTime().Equal(b.ModTime()) && a.Size() == b.Size()
}

// requestUpdateRestart ends Run (as a failed reload does) so the caller can exec exe
// (RestartBinary).
func (a *App) requestUpdateRestart(string) {
	a.mu.Lock()
	fail := a.fail
	a.mu.Unlock()
	if fail != nil {
		fail()
	}
}

// startUpdater creates the updater and runs it until the returned stop is called.
func (a *App) startUpdater(ctx context.Context) (stop func()) {
	a.upd = newUpdater(a.opts.Version, func() conf.Update {
		if _, cfg := a.current(); cfg != nil {
			return cfg.Update
		}
		return conf.Update{}
	}, a.requestUpdateRestart, a.log.With("component", "update"))
	a.upd.replaced = a.replacedBinary
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); a.upd.run(ctx) }()
	return func() { cancel(); <-done }
}

func (w webCamera) Update() camera.UpdateState {
	if w.a.upd == nil {
		return camera.UpdateState{Installed: w.a.opts.Version}
	}
	return w.a.upd.State()
}

func (w webCamera) UpdateCheck(ctx context.Context) error {
	if w.a.upd == nil {
		return errNotRunning
	}
	return w.a.upd.Check(ctx)
}

func (w webCamera) UpdateApply(ctx context.Context) error {
	if w.a.upd == nil {
		return errNotRunning
	}
	return w.a.upd.Apply(ctx)
}
