package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/eventlog"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/record"
	"github.com/freecam/freecam/internal/service"
	"github.com/freecam/freecam/internal/snapshot"
	"github.com/freecam/freecam/internal/storage"
	"github.com/freecam/freecam/internal/web"
	"github.com/freecam/freecam/internal/web/auth"
	"github.com/freecam/freecam/internal/web/tlscert"
)

// webCamera is the App as the web server sees it (camera.Camera). The web server outlives
// reloads, so every method looks up the instance running at the time of the call.
type webCamera struct{ a *App }

var _ camera.Camera = webCamera{}

// current returns the running instance and configuration; the instance is nil while nothing
// runs (before the start, after the stop, while a reload swaps instances). It never waits for
// a.mu.
func (a *App) current() (*instance, *conf.Config) {
	st := a.state.Load()
	if st == nil {
		return nil, nil
	}
	return st.inst, st.cfg
}

var errNotRunning = errors.New("the camera is restarting; try again in a moment")

func (w webCamera) Status() camera.Status {
	a := w.a
	inst, cfg := a.current()
	host, _ := os.Hostname()
	st := camera.Status{Version: a.opts.Version, Hostname: host, Started: a.started}
	if cfg != nil {
		st.Source, st.Width, st.Height, st.FPS = cfg.Freecam.Source, cfg.RTSP.Width, cfg.RTSP.Height, cfg.RTSP.FPS()
	}
	if inst != nil {
		st.RTSPURL = inst.rtspURL()
		ps := inst.pipe.Stats()
		st.Frames = ps.RawFrames + ps.EncodedFrames
		st.Restarts = inst.supervisor.restarts.Load()
		if srv := inst.rtsp.Load(); srv != nil {
			st.Readers = srv.Stats().Playing
		}
	}
	st.FreeBytes = -1
	if fs, err := storage.StatFS(w.MediaRoots()["recordings"]); err == nil {
		st.FreeBytes = int64(fs.Free)
	} else if fs, err := storage.StatFS(a.opts.DataDir); err == nil {
		st.FreeBytes = int64(fs.Free)
	}
	st.MAC = primaryMAC()
	st.WiFi = readWiFi("/proc/net/wireless")
	if p := a.lastReloadErr.Load(); p != nil {
		st.ConfigErr = *p
	}
	return st
}

func (w webCamera) Config() *conf.Config {
	_, cfg := w.a.current()
	return cfg
}

func (w webCamera) ConfigDir() string { return w.a.opts.ConfigDir }

func (w webCamera) Reload() error { return w.a.Reload() }

// Restart stops and starts every part with the configuration on disk, after the response that
// asked for it has gone out.
func (w webCamera) Restart() {
	a := w.a
	go func() {
		time.Sleep(200 * time.Millisecond)
		if exe, _ := a.replacedBinary(); exe != "" {
			a.log.Warn("the binary was replaced since freecam started: restarting into it", "binary", exe)
			a.restartSelf.Store(&exe)
			a.requestUpdateRestart(exe)
			return
		}
		if err := a.reload(true); err != nil {
			a.log.Error("restart", "err", err)
		}
	}()
}

// snapshotHandler serves through the snapshot cache of the instance running at request time.
func (w webCamera) snapshotHandler(pick func(*snapshot.Cache) http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		inst := w.a.waitRunning(r.Context())
		if inst == nil {
			http.Error(rw, errNotRunning.Error(), http.StatusServiceUnavailable)
			return
		}
		pick(inst.snapshots).ServeHTTP(rw, r)
	})
}

// reloadWait bounds how long a picture request waits for a reload to finish: a snapshot asked
// for while the camera swaps configurations (a setting was saved) arrives a moment late rather
// than failing.
const reloadWait = 5 * time.Second

// waitRunning returns the running instance, waiting up to reloadWait while a reload swaps
// instances; nil when none runs by then.
func (a *App) waitRunning(ctx context.Context) *instance {
	deadline := time.Now().Add(reloadWait)
	for {
		if inst, _ := a.current(); inst != nil {
			return inst
		}
		if time.Now().After(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (w webCamera) CurrentPic() http.Handler { return w.snapshotHandler((*snapshot.Cache).CurrentPic) }
func (w webCamera) Snapshot() http.Handler   { return w.snapshotHandler((*snapshot.Cache).Snapshot) }
func (w webCamera) MJPEG() http.Handler      { return w.snapshotHandler((*snapshot.Cache).MJPEG) }

// SnapshotJPEG is the current picture at the configured size and quality.
func (w webCamera) SnapshotJPEG(ctx context.Context) ([]byte, error) {
	inst := w.a.waitRunning(ctx)
	if inst == nil {
		return nil, errNotRunning
	}
	img, err := inst.snapshots.Get(ctx, snapshot.Request{})
	if err != nil {
		return nil, err
	}
	return img.JPEG, nil
}

func (w webCamera) device() *hal.Device { return w.a.hw.board.Device }

func (w webCamera) Hardware() hal.State { return w.device().State() }

func (w webCamera) SetSwitch(ctx context.Context, s camera.Switch, on bool) error {
	dev := w.device()
	var sw hal.Switch
	switch s {
	case camera.BlueLED:
		sw = dev.BlueLED
	case camera.YellowLED:
		sw = dev.YellowLED
	case camera.IRLED, camera.IRCut:
		// Setting the night parts by hand takes them from auto night, as the firmware did.
		if inst, _ := w.a.current(); inst != nil {
			if err := inst.night.SetAuto(ctx, false); err != nil {
				return err
			}
		}
		if s == camera.IRLED {
			sw = dev.IRLED
			break
		}
		if dev.IRCut == nil {
			return fmt.Errorf("this camera has no IR-cut filter")
		}
		return dev.IRCut.SetDay(ctx, on)
	default:
		return fmt.Errorf("no switch %q", s)
	}
	if sw == nil {
		return fmt.Errorf("this camera has no %s", s)
	}
	return sw.Set(on)
}

func (w webCamera) Night() camera.NightState {
	inst, _ := w.a.current()
	if inst == nil {
		return camera.NightState{}
	}
	s := inst.night.State()
	return camera.NightState{Night: s.Night, Auto: s.Auto && w.serviceRunning(inst, "auto-night"), Level: s.Level, Since: s.LastSwitch, Cause: s.Cause}
}

func (w webCamera) serviceRunning(inst *instance, name string) bool {
	st, err := inst.services.Status(name)
	return err == nil && st.State == service.Running
}

// SetNightMode switches day or night by hand, or hands the choice to auto night (starting its
// service, which is what acts on the light).
func (w webCamera) SetNightMode(ctx context.Context, m camera.NightMode) error {
	inst, _ := w.a.current()
	if inst == nil {
		return errNotRunning
	}
	switch m {
	case camera.Day, camera.Night:
		return inst.night.SetNight(ctx, m == camera.Night, "manual")
	case camera.Auto:
		if err := inst.night.SetAuto(ctx, true); err != nil {
			return err
		}
		if !w.serviceRunning(inst, "auto-night") {
			return w.a.ServiceControl(ctx, "auto-night", "start")
		}
		return nil
	}
	return fmt.Errorf("night mode must be day, night or auto (got %q)", m)
}

func (w webCamera) motor() (hal.Motor, error) {
	if m := w.device().Motor; m != nil {
		return m, nil
	}
	return nil, errors.New("this camera has no motor")
}

func (w webCamera) Move(ctx context.Context, dx, dy int) (hal.Move, error) {
	m, err := w.motor()
	if err != nil {
		return hal.Move{}, err
	}
	return m.Move(ctx, dx, dy)
}

func (w webCamera) MoveTo(ctx context.Context, p hal.Position) (hal.Move, error) {
	m, err := w.motor()
	if err != nil {
		return hal.Move{}, err
	}
	return m.MoveTo(ctx, p)
}

func (w webCamera) Calibrate(ctx context.Context) error {
	m, err := w.motor()
	if err != nil {
		return err
	}
	return m.Calibrate(ctx)
}

func (w webCamera) Motion() camera.MotionState {
	inst, _ := w.a.current()
	if inst == nil {
		return camera.MotionState{}
	}
	st := w.a.Motion()
	return camera.MotionState{Enabled: w.serviceRunning(inst, "motion"), Active: st.Active, Since: st.Since, Region: st.Region, Box: st.Box, Score: st.Score}
}

func (w webCamera) Services() []service.Info { return w.a.Services() }

func (w webCamera) ServiceControl(ctx context.Context, name, action string) error {
	return w.a.ServiceControl(ctx, name, action)
}

// Events lists the timeline. A motion event recorded by the recording service links the
// segment that holds its start, so the Events page can play it.
func (w webCamera) Events(n int) []camera.Event {
	if w.a.events == nil {
		return nil
	}
	evs := w.a.events.Events(n)
	_, cfg := w.a.current()
	if cfg == nil {
		return evs
	}
	roots := w.MediaRoots()
	recordings := clipFinder{dir: roots["recordings"], segment: cfg.Recording.Segment, listed: map[string][]string{}}
	for i := range evs {
		if evs[i].Clip != "" || evs[i].Kind != string(event.MotionStart) {
			continue
		}
		// The event's own clip (motion.conf save_video), named from its start time, else the
		// continuous recording's segment that holds it.
		if acts := w.actions(); acts != nil {
			_, clip := acts.Paths(evs[i].Time)
			if rel, err := filepath.Rel(roots["clips"], clip); err == nil && fileExists(clip) {
				evs[i].Clip = "clips/" + filepath.ToSlash(rel)
				continue
			}
		}
		if rel := recordings.find(evs[i].Time); rel != "" {
			evs[i].Clip = "recordings/" + rel
		}
	}
	return evs
}

// clipFinder finds the recording segment (dir/YYYY-MM-DD/HH/REC_HH-MM-SS.mp4, see record.SegmentPath)
// that covers a moment, listing each hour directory once per call.
type clipFinder struct {
	dir     string
	segment time.Duration
	listed  map[string][]string
}

func (c *clipFinder) find(t time.Time) string {
	if c.dir == "" || c.segment <= 0 {
		return ""
	}
	t = t.Local()
	best, bestStart := "", time.Time{}
	for _, at := range []time.Time{t, t.Add(-c.segment)} {
		hourDir := filepath.Join(at.Format("2006-01-02"), at.Format("15"))
		names, ok := c.listed[hourDir]
		if !ok {
			names, _ = filepath.Glob(filepath.Join(c.dir, hourDir, record.FilePattern))
			c.listed[hourDir] = names
		}
		for _, path := range names {
			clock := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "REC_"), ".mp4")
			clock, _, _ = strings.Cut(clock, "_") // REC_HH-MM-SS_2.mp4
			start, err := time.ParseInLocation("2006-01-02 15-04-05", at.Format("2006-01-02 ")+clock, time.Local)
			if err != nil || start.After(t) || t.Sub(start) >= c.segment+time.Minute || !start.After(bestStart) {
				continue
			}
			// A segment cut short (recording stopped) ends at its last write.
			if st, err := os.Stat(path); err != nil || st.ModTime().Before(t) {
				continue
			}
			if rel, err := filepath.Rel(c.dir, path); err == nil {
				best, bestStart = filepath.ToSlash(rel), start
			}
		}
	}
	return best
}

func (w webCamera) Thumb(id string) ([]byte, bool) {
	if w.a.events == nil {
		return nil, false
	}
	return w.a.events.Thumb(id)
}

// MediaRoots are the continuous recordings, the motion clips and the motion pictures.
func (w webCamera) MediaRoots() map[string]string {
	_, cfg := w.a.current()
	if cfg == nil {
		return nil
	}
	roots := map[string]string{}
	for name, dir := range map[string]string{
		"recordings": cfg.RecordingDir(w.a.opts.DataDir),
		"clips":      cfg.Motion.VideoDir(w.a.opts.DataDir),
		"stills":     cfg.Motion.SnapshotDir(w.a.opts.DataDir),
	} {
		if abs, err := filepath.Abs(dir); err == nil {
			roots[name] = abs
		}
	}
	return roots
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

func (w webCamera) Logs(n int) []camera.LogLine {
	if w.a.opts.Logs == nil {
		return nil
	}
	return w.a.opts.Logs.Lines(n)
}

// startWeb opens the accounts (creating the first admin), the certificate, the event timeline and
// the web server. They live for the whole Run. The returned stop ends them.
func (a *App) startWeb(ctx context.Context, cfg *conf.Config) (stop func(), err error) {
	log := a.log.With("component", "web")
	a.auth, err = auth.New(auth.Options{ConfigDir: a.opts.ConfigDir, Log: a.log.With("component", "auth")})
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	if pass, created, err := a.auth.EnsureAdmin(); err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	} else if created {
		// The only time the password exists in clear: on the console, never in the log.
		fmt.Fprintf(a.opts.Console, "\n  freecam created the account %q with the password: %s\n"+
			"  It is shown only this once. Change it on the System page or with: freecam passwd\n\n", "admin", pass)
		a.log.Warn("created the first account, admin; its password was printed on the console once")
	}
	certs, err := tlscert.New(tlscert.Options{Dir: a.opts.ConfigDir, Logger: a.log.With("component", "tls"),
		// https://<name>.local/ without a name mismatch: the name mDNS answers, which
		// hostname.conf sets (and a conflict can change to name-2).
		Names: func() []string {
			h := a.mdnsHost()
			if r := a.mdnsResponder.Load(); r != nil {
				h = r.Host()
			}
			if h == "" {
				return nil
			}
			return []string{h, h + ".local"}
		}})
	if err != nil {
		return nil, fmt.Errorf("https certificate: %w", err)
	}
	if uerr := certs.UserError(); uerr != nil {
		a.log.Warn("your certificate is not used; serving the self-signed one", "err", uerr)
	}

	a.events, err = eventlog.New(eventlog.Options{
		Dir: filepath.Join(a.opts.DataDir, "events"),
		Bus: &a.bus,
		Thumb: func(ctx context.Context) ([]byte, error) {
			inst, _ := a.current()
			if inst == nil {
				return nil, errNotRunning
			}
			img, err := inst.snapshots.Get(ctx, snapshot.Request{Width: 320, Height: 240})
			if err != nil {
				return nil, err
			}
			return img.JPEG, nil
		},
		Log: a.log.With("component", "events"),
	})
	if err != nil {
		return nil, fmt.Errorf("event timeline: %w", err)
	}
	evCtx, evCancel := context.WithCancel(context.WithoutCancel(ctx))
	evDone := make(chan struct{})
	go func() {
		defer close(evDone)
		if err := a.events.Run(evCtx); err != nil {
			a.log.Error("event timeline stopped", "err", err)
		}
	}()

	a.onvif, err = a.startONVIF(cfg, a.log.With("component", "onvif"))
	if err != nil {
		evCancel()
		<-evDone
		return nil, err
	}
	stopUpdater := a.startUpdater(ctx)
	a.web, err = web.New(web.Options{
		Camera:      webCamera{a},
		Auth:        a.auth,
		Certs:       certs,
		HTTPSListen: cfg.Freecam.HTTPSListen,
		HTTPListen:  cfg.Freecam.HTTPListen,
		ONVIF:       a.onvif.handler(),
		Version:     a.opts.Version,
		Log:         log,
	})
	if err == nil {
		err = a.web.Start()
	}
	if err != nil {
		stopUpdater()
		a.onvif.close()
		evCancel()
		<-evDone
		return nil, fmt.Errorf("web: %w", err)
	}
	a.webCfg = cfg.Freecam
	return func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), a.opts.StopTimeout)
		defer cancel()
		stopUpdater()   // an install still running is abandoned; the binary stays untouched
		a.onvif.close() // ends the ONVIF long polls, so the web server stops at once
		if err := a.web.Stop(stopCtx); err != nil {
			a.log.Warn("stopping the web server", "err", err)
		}
		evCancel()
		<-evDone
	}, nil
}

// warnWeb tells the user that the web server's addresses change at the next start: restarting
// the server from a reload would cut the page that asked for the reload.
func (a *App) warnWeb(cfg *conf.Config) {
	old, now := a.webCfg, cfg.Freecam
	if old.HTTPSListen != now.HTTPSListen || old.HTTPListen != now.HTTPListen {
		a.log.Warn("freecam.conf: HTTPS_LISTEN and HTTP_LISTEN take effect when freecam restarts")
	}
}

// rtspAuthenticate is the RTSP server's check of freecam's accounts, or nil when the stream is
// open to anyone (RTSP_ANONYMOUS=on without a USERNAME in rtspserver.conf).
func (a *App) rtspAuthenticate(cfg *conf.Config) func(user, pass string) bool {
	if cfg.Freecam.RTSPAnonymous && cfg.RTSP.Username == "" {
		return nil
	}
	return func(user, pass string) bool {
		// The hook has no client address, so the throttle key is the user.
		_, err := a.auth.Verify(user, pass, "rtsp/"+user)
		return err == nil
	}
}
