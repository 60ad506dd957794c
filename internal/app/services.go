package app

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/record"
	"github.com/freecam/freecam/internal/rtsp"
	"github.com/freecam/freecam/internal/service"
	"github.com/freecam/freecam/internal/storage"
	"github.com/freecam/freecam/internal/stream"
	"github.com/freecam/freecam/internal/timelapse"
)

// rtspService makes the RTSP server a service the user can stop and start (the firmware's rtsp
// controlscript). A gortsplib server starts only once, so every start builds a new one.
func rtspService(opts rtsp.Options, current *atomic.Pointer[rtsp.Server]) service.Service {
	return service.Func("rtsp",
		func(context.Context) error {
			srv, err := rtsp.New(opts)
			if err != nil {
				return err
			}
			if err := srv.Start(); err != nil {
				srv.Close()
				return err
			}
			current.Store(srv)
			return nil
		},
		func(context.Context) error {
			if srv := current.Swap(nil); srv != nil {
				srv.Close()
			}
			return nil
		})
}

// startServices starts, at boot, the services whose autostart file exists and, after a reload,
// also those that were running before it (so a reload does not undo what the user started by hand).
func (inst *instance) startServices(ctx context.Context, alsoRunning []string) error {
	if err := inst.services.StartAutostart(ctx); err != nil {
		inst.log.Error("autostart", "err", err)
	}
	// The firmware switched detection with motion.conf's motion_detection, not an autostart
	// file: honour it.
	if inst.cfg.Motion.Enabled() {
		alsoRunning = append(alsoRunning, "motion")
	} else { // turned off in this config: what ran before a reload must not bring it back
		alsoRunning = slices.DeleteFunc(slices.Clone(alsoRunning), func(n string) bool { return n == "motion" })
	}
	for _, name := range alsoRunning {
		st, err := inst.services.Status(name)
		if err != nil || st.State == service.Running {
			continue
		}
		if err := inst.services.Start(ctx, name); err != nil {
			inst.log.Error("restarting a service after reload", "service", name, "err", err)
		}
	}
	return nil
}

// runningServices lists the services that are running or trying to.
func (inst *instance) runningServices() []string {
	var names []string
	for _, info := range inst.services.List() {
		switch info.State {
		case service.Running, service.Starting, service.Backoff:
			names = append(names, info.Name)
		}
	}
	return names
}

// ServiceInfo is one line of the service list the UI, API and MQTT will show.
type ServiceInfo = service.Info

// Services lists the services with their state and autostart flag.
func (a *App) Services() []ServiceInfo {
	inst, _ := a.current()
	if inst == nil {
		return nil
	}
	return inst.services.List()
}

// ServiceControl starts ("start"), stops ("stop") or restarts ("restart") a service by name, or
// turns its autostart on ("enable") or off ("disable"). Names of the firmware's controlscripts
// (auto-night-detection, rtsp-h264 …) are accepted.
func (a *App) ServiceControl(ctx context.Context, name, action string) error {
	if s, ok := a.appServices()[service.Canonical(name)]; ok {
		return a.controlAppService(ctx, s, action)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cur == nil || !a.running {
		return fmt.Errorf("not running")
	}
	// App.mu is held: bound the wait so a hung service cannot block shutdown and reloads.
	ctx, cancel := context.WithTimeout(ctx, a.opts.StopTimeout)
	defer cancel()
	m := a.cur.services
	switch action {
	case "start":
		return m.Start(ctx, name)
	case "stop":
		return m.Stop(ctx, name)
	case "restart":
		return m.Restart(ctx, name)
	case "enable":
		return m.SetAutostart(name, true)
	case "disable":
		return m.SetAutostart(name, false)
	}
	return fmt.Errorf("service %s: unknown action %q; want start, stop, restart, enable or disable", name, action)
}

// recordingService records the stream in MP4 segments and keeps the directory within its limits.
func recordingService(cfg *conf.Config, dataDir string, hub *stream.Hub, log *slog.Logger) service.Service {
	dir := cfg.RecordingDir(dataDir)
	rc := cfg.Recording
	ret := storage.NewRetention(storage.RetentionOptions{
		Root:           dir,
		Patterns:       []string{record.FilePattern},
		MaxAge:         time.Duration(rc.MaxDays) * 24 * time.Hour,
		MaxBytes:       int64(rc.MaxSizeMB) << 20,
		MinFreePercent: float64(rc.MinFreePercent),
		MinFreeBytes:   int64(rc.MinFreeMB) << 20,
		Logger:         log,
	})
	rec := record.New(hub, record.Options{Dir: dir, SegmentLength: rc.Segment, Retention: ret, Logger: log})
	run := func(ctx context.Context) error {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); _ = ret.Run(ctx) }()
		err := rec.Run(ctx)
		wg.Wait()
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	return service.Supervised("recording", run, service.Options{Log: log})
}

// timelapseService takes a picture every TIMELAPSE_INTERVAL and makes each day's MP4. It ends by
// itself after TIMELAPSE_DURATION, which is not a crash.
func timelapseService(cfg *conf.Config, dataDir string, snaps timelapse.Snapshotter, log *slog.Logger) service.Service {
	t := cfg.Timelapse
	tl := timelapse.New(snaps, timelapse.Options{
		Dir:      t.Dir(dataDir),
		Interval: t.Interval,
		Duration: t.Duration,
		FlatDir:  !t.SaveDirPerDay,
		Quality:  t.Quality,
		MaxDays:  t.MaxDays,
		VideoFPS: t.VideoFPS,
		Logger:   log,
	})
	run := func(ctx context.Context) error {
		err := tl.Run(ctx)
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	return service.Supervised("timelapse", run, service.Options{StopOnNil: true, Log: log})
}
