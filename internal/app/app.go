// Package app is the only place that sees the whole camera: it loads the configuration, builds the
// pipeline (source → OSD → encoder → stream hub → RTSP; raw frames → snapshots), starts the parts
// in order and rolls back if one fails, stops them in reverse within a bound, and reloads the
// configuration on request without ever giving up a working one for a broken one.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/eventlog"
	"github.com/freecam/freecam/internal/mdns"
	"github.com/freecam/freecam/internal/metrics"
	"github.com/freecam/freecam/internal/web"
	"github.com/freecam/freecam/internal/web/auth"
)

// Options configures an App. ConfigDir and DataDir default to ./config and ./data.
type Options struct {
	ConfigDir string
	DataDir   string
	Source    string // overrides freecam.conf SOURCE when set
	LogLevel  string // overrides freecam.conf LOG_LEVEL when set
	// Level, when set, is adjusted to the configured log level (the caller's handler uses it).
	Level   *slog.LevelVar
	Logger  *slog.Logger
	Version string
	// StopTimeout bounds a stop or a reload's stop. It defaults to 10 s.
	StopTimeout time.Duration
	// Console receives the one message that must not go to the log: the first admin password,
	// shown once. It defaults to os.Stderr.
	Console io.Writer
	// Logs, when set, is the in-memory log the Logs page and showlog read.
	Logs interface{ Lines(n int) []camera.LogLine }
	// TimeZone is the name of the time zone the process uses (time.Local), read from
	// timezone.conf by the caller before anything started; "" for the OS's. With
	// RestartOnZoneChange, a reload that finds another zone in timezone.conf ends Run and
	// RestartBinary returns this binary: time.Local cannot change under running goroutines.
	TimeZone            string
	RestartOnZoneChange bool
	// Executable, when set, is the binary `freecam run` runs from and execs when Run ends for
	// a restart (RestartBinary). A restart asked for from the web UI or MQTT then starts the
	// binary again when the file was replaced since the start (`freecam update` or `--rollback`
	// from a shell), instead of reloading the old code in place.
	Executable string
}

// App is one running camera. Run it once; Reload and Addrs are safe from any goroutine while it runs.
type App struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex // guards cfg and cur, and serialises Run's start/stop with Reload
	cfg     *conf.Config
	cur     *instance
	running bool

	bus event.Bus // night, motion and service events; outlives reloads
	hw  *hardware // the board; opened once per Run, outlives reloads

	fail    context.CancelFunc // ends Run when a reload leaves nothing running
	failErr error

	started       time.Time
	lastReloadErr atomic.Pointer[[]string] // problems of the last refused reload, for the UI

	// The web server, its accounts and the event timeline outlive reloads: a page that saves a
	// setting keeps its connection while the camera behind it restarts.
	auth *auth.Authenticator
	web  *web.Server
	mqtt *appService // outlives reloads; see appservice.go
	// system and mdns outlive reloads too (system.go, mdns.go); a reload signals them to
	// re-read their files.
	system, mdns             *appService
	systemReload, mdnsReload chan struct{}
	sysState                 systemState
	mdnsResponder            atomic.Pointer[mdns.Responder] // while the mdns service runs
	restartSelf              atomic.Pointer[string]         // this binary, when a reload asked for a restart
	exeAtStart               os.FileInfo                    // Options.Executable as it was at New, nil without one
	// onvif is the ONVIF server under /onvif/; it outlives reloads (event subscriptions too).
	onvif *onvifParts
	// upd checks and installs signed updates (updater.go); it lives for the whole Run.
	upd *updater
	// encodeTime is the encode-duration histogram of /metrics, kept across reloads.
	encodeTime *metrics.Hist

	// state is cur and cfg for readers that must not wait for a.mu (the web and MQTT, which a
	// reload or a service stop holding a.mu may be waiting for). Its inst is nil while nothing
	// runs, including while a reload swaps instances.
	state  atomic.Pointer[runState]
	webCfg conf.Freecam // what the web server was started with
	events *eventlog.Log
}

// New returns an App. It does nothing until Run.
func New(opts Options) *App {
	if opts.ConfigDir == "" {
		opts.ConfigDir = "./config"
	}
	if opts.DataDir == "" {
		opts.DataDir = "./data"
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = 10 * time.Second
	}
	if opts.Console == nil {
		opts.Console = os.Stderr
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &App{opts: opts, log: log, encodeTime: metrics.NewHist(metrics.LatencyBuckets)}
	if opts.Executable != "" {
		a.exeAtStart, _ = os.Stat(opts.Executable) // nil when it cannot be read: never "replaced"
	}
	return a
}

// ConfigError carries every problem of a configuration that could not be used.
type ConfigError struct{ Problems []string }

func (e *ConfigError) Error() string {
	return "invalid configuration:\n  " + strings.Join(e.Problems, "\n  ")
}

// ConfigProblems lists the problems one per line, each naming file, line and key.
func (e *ConfigError) ConfigProblems() []string { return e.Problems }

// load creates missing config files from their defaults, then parses and validates everything.
func (a *App) load() (*conf.Config, error) {
	created, err := conf.EnsureFiles(a.opts.ConfigDir)
	if err != nil {
		return nil, fmt.Errorf("config dir %s: %w", a.opts.ConfigDir, err)
	}
	for _, f := range created {
		a.log.Info("created config file from its default", "file", f)
	}
	cfg, warnings, err := conf.Load(a.opts.ConfigDir)
	for _, w := range warnings {
		a.log.Warn("config: " + w.String())
	}
	if err != nil {
		var cerrs conf.Errors
		if errors.As(err, &cerrs) {
			p := make([]string, len(cerrs))
			for i, e := range cerrs {
				p[i] = e.String()
			}
			return nil, &ConfigError{Problems: p}
		}
		return nil, err
	}
	if a.opts.Source != "" {
		cfg.Freecam.Source = a.opts.Source
	}
	if a.opts.LogLevel != "" {
		if err := cfg.Freecam.LogLevel.UnmarshalText([]byte(a.opts.LogLevel)); err != nil {
			return nil, &ConfigError{Problems: []string{fmt.Sprintf("--log-level: %v (want debug, info, warn or error)", err)}}
		}
	}
	return cfg, nil
}

func (a *App) applyLogLevel(cfg *conf.Config) {
	if a.opts.Level == nil {
		return
	}
	a.opts.Level.Set(cfg.Freecam.LogLevel)
}

// Run starts the camera and blocks until ctx ends, then stops everything in reverse order within
// Options.StopTimeout. It returns an error only when the camera could not start (a *ConfigError
// for configuration problems) or did not stop cleanly.
func (a *App) Run(ctx context.Context) error {
	if err := os.MkdirAll(a.opts.DataDir, 0o755); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	cfg, err := a.load()
	if err != nil {
		return err
	}
	a.applyLogLevel(cfg)

	hw, err := openHardware(ctx, cfg, a.opts.ConfigDir, &a.bus, a.log.With("component", "hal"))
	if err != nil {
		return fmt.Errorf("hal: %w", err)
	}
	defer hw.close(a.opts.ConfigDir)

	ctx, fail := context.WithCancel(ctx)
	defer fail()
	a.started = time.Now()
	a.hw = hw
	// Before the web server, whose handlers read them.
	a.mqtt = a.newMQTTService()
	a.systemReload, a.mdnsReload = make(chan struct{}, 1), make(chan struct{}, 1)
	a.system, a.mdns = a.newSystemService(), a.newMDNSService()
	stopWeb, err := a.startWeb(ctx, cfg)
	if err != nil {
		return err
	}
	defer stopWeb()
	a.mu.Lock()
	a.fail = fail
	inst, err := a.startInstance(ctx, cfg, nil)
	if err != nil {
		a.mu.Unlock()
		return err
	}
	a.cfg, a.cur, a.running = cfg, inst, true
	a.setState()
	a.mu.Unlock()
	a.log.Info("freecam running", "version", a.opts.Version, "source", cfg.Freecam.Source,
		"rtsp", inst.rtspURL(), "web", a.web.URL())

	<-ctx.Done()

	// MQTT first and without a.mu: its last command may be waiting for the camera.
	a.mqtt.stop(a)
	a.mdns.stop(a)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.running = false
	a.setState()
	if a.cur == nil { // a reload failed and the old configuration could not start again
		return a.failErr
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), a.opts.StopTimeout)
	defer cancel()
	if err := a.cur.stop(stopCtx); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	a.system.stop(a) // last: the network stays up while the rest says goodbye
	a.log.Info("freecam stopped")
	return nil
}

// runState is what current() returns.
type runState struct {
	inst *instance
	cfg  *conf.Config
}

// setState publishes cur and cfg to current(). Call with a.mu held after changing them.
func (a *App) setState() {
	st := &runState{cfg: a.cfg}
	if a.running {
		st.inst = a.cur
	}
	a.state.Store(st)
}

// Reload re-reads the configuration. A configuration with errors is refused and the running one
// stays. A change to the OSD alone is applied live; any other change restarts the video parts with
// the new configuration, and if they fail to start the old configuration is started again.
func (a *App) Reload() error { return a.reload(false) }

// reload is Reload; force restarts every part even when nothing changed (the UI's restart).
func (a *App) reload(force bool) error {
	a.reloadSystem() // the system files are not part of cfg: their services re-read them
	if a.zoneChanged() {
		return nil
	}
	cfg, err := a.load()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.lastReloadErr.Store(nil)
	if err != nil {
		problems := []string{err.Error()}
		var ce *ConfigError
		if errors.As(err, &ce) {
			problems = ce.Problems
		}
		a.lastReloadErr.Store(&problems)
		return err
	}
	if !a.running {
		return errors.New("not running")
	}
	a.hw.warnHAL(cfg)
	a.warnWeb(cfg)
	if a.onvif.needsRestart(cfg) {
		a.log.Warn("onvif.conf: ONVIF_MAX_SUBSCRIPTIONS and PTZ_FOV_STEPS_X/Y take effect when freecam restarts")
	}
	if !force && onlyOSDChanged(a.cfg, cfg) {
		msg := "config reloaded: OSD updated live"
		if a.cfg.OSD == cfg.OSD {
			msg = "config reloaded: the video settings are unchanged" // the system and mdns services re-read their own files
		}
		a.applyLogLevel(cfg)
		a.cur.osd.SetOptions(osdOptions(cfg))
		a.cfg = cfg
		a.cur.cfg = cfg
		a.setState()
		a.log.Info(msg)
		a.bus.Publish(event.Event{Kind: event.ConfigReloaded, Time: time.Now(), Cause: "reload"})
		return nil
	}
	if !force && liveChangeable(a.cfg, cfg) {
		a.applyLive(cfg)
		return nil
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), a.opts.StopTimeout)
	defer cancel()
	running := a.cur.runningServices()
	a.state.Store(&runState{cfg: a.cfg}) // readers see "restarting" until the new instance runs
	// The MQTT connection carries on unless its own config changed.
	a.mqtt.keep.Store(a.cfg.MQTT == cfg.MQTT)
	a.system.keep.Store(true)
	a.mdns.keep.Store(true)
	defer func() {
		for _, s := range []*appService{a.mqtt, a.system, a.mdns} {
			s.keep.Store(false)
		}
	}()
	if err := a.cur.stop(stopCtx); err != nil {
		a.log.Error("reload: stopping the old instance", "err", err)
	}
	inst, err := a.startInstance(context.Background(), cfg, running)
	if err != nil {
		a.log.Error("reload: the new configuration failed to start; going back to the old one", "err", err)
		old, rerr := a.startInstance(context.Background(), a.cfg, running)
		if rerr != nil {
			// Nothing runs now: end Run with the error, so a supervisor (systemd, init)
			// restarts freecam instead of it pretending to be a camera.
			a.cur, a.running = nil, false
			a.setState()
			a.failErr = fmt.Errorf("reload failed (%w) and the old configuration failed to restart: %w", err, rerr)
			a.fail()
			return a.failErr
		}
		a.cur = old
		a.setState()
		return fmt.Errorf("reload: %w", err)
	}
	a.cfg, a.cur = cfg, inst
	a.setState()
	a.applyLogLevel(cfg)
	a.hw.setFlip(cfg)
	a.log.Info("config reloaded", "rtsp", inst.rtspURL())
	a.bus.Publish(event.Event{Kind: event.ConfigReloaded, Time: time.Now(), Cause: "reload"})
	return nil
}

// Addrs returns the RTSP and HTTPS listen addresses in use (with real ports when 0 was
// configured), or empty strings when not running.
func (a *App) Addrs() (rtsp, https string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cur == nil || !a.running {
		return "", ""
	}
	return a.cur.rtspAddr(), a.web.HTTPSAddr()
}

// RedirectAddr is the plain-HTTP redirect listener's address, "" when it is off or not running.
func (a *App) RedirectAddr() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.web == nil {
		return ""
	}
	return a.web.HTTPAddr()
}

// Stats are the counters of the running camera, for tests and (later) metrics.
type Stats struct {
	SourceRestarts   uint64
	WatchdogRestarts uint64
	Pipeline         string
}

// Stats returns the counters, or zero values when not running.
func (a *App) Stats() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cur == nil {
		return Stats{}
	}
	return Stats{
		SourceRestarts:   a.cur.supervisor.restarts.Load(),
		WatchdogRestarts: a.cur.supervisor.watchdogRestarts.Load(),
		Pipeline:         a.cur.pipe.Stats().String(),
	}
}
