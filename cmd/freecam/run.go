package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/freecam/freecam/internal/app"
	"github.com/freecam/freecam/internal/logring"
	"github.com/freecam/freecam/internal/system/clock"
	"github.com/freecam/freecam/internal/update"
)

func runCmd(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("freecam run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configDir := fs.String("config", "./config", "config directory (Dafang-style .conf files)")
	dataDir := fs.String("data", "./data", "data directory (recordings, state)")
	sourceSpec := fs.String("source", "", "video source, overriding freecam.conf SOURCE: synthetic | y4m:PATH | exec:COMMAND | v4l2:/dev/videoN")
	logLevel := fs.String("log-level", "", "debug, info, warn or error (default: freecam.conf LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "freecam run: unexpected argument %q\n", fs.Arg(0))
		return 2
	}

	level := new(slog.LevelVar)
	// The last lines also stay in memory for the Logs page and action.cgi?cmd=showlog.
	logs := logring.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}), 1000)
	log := slog.New(logs.Handler())
	zone := useTimeZone(*configDir, log)
	exe, _ := os.Executable()
	a := app.New(app.Options{
		Logs:      logs,
		Console:   stderr,
		ConfigDir: *configDir,
		DataDir:   *dataDir,
		Source:    *sourceSpec,
		LogLevel:  *logLevel,
		Level:     level,
		Logger:    log,
		Version:   version(),
		TimeZone:  zone,
		// time.Local is set once, above, before any goroutine reads it.
		RestartOnZoneChange: true,
		Executable:          exe,
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	go handleSignals(sigs, a, cancel, log)

	// A binary just installed by `freecam update` must prove itself: the guard rolls back to the
	// previous one when pictures do not flow within the update's deadline, or after repeated
	// crashes at start. A rollback stops the camera cleanly, then execs the old binary.
	var rolledBack atomic.Bool
	guard, gerr := update.GuardStart(ctx, update.GuardOptions{Executable: exe, Logger: log, Health: a.Health,
		OnRollback: func(update.Rollback) { rolledBack.Store(true); cancel() }})
	switch {
	case errors.Is(gerr, update.ErrRolledBack):
		return restartAfterRollback(exe, log)
	case gerr != nil:
		log.Warn("update guard", "err", gerr)
	}
	if guard.Pending() {
		go confirmWhenHealthy(ctx, a, guard, log)
	}

	// Under a Type=notify systemd unit: READY=1, the watchdog pings while pictures arrive, and
	// STOPPING=1; nothing otherwise.
	notified := make(chan struct{})
	go func() { defer close(notified); a.NotifySystemd(ctx) }()
	err := a.Run(ctx)
	cancel()
	<-notified
	if rolledBack.Load() {
		return restartAfterRollback(exe, log)
	}
	// An update installed from the web UI or Home Assistant ended Run to start the new binary
	// (which the guard above watches in its turn), or a new time zone to start again in it.
	if bin := a.RestartBinary(); bin != "" {
		if err != nil {
			log.Warn("starting the binary again after an unclean stop", "binary", bin, "stop_err", err)
		} else {
			log.Info("starting the binary again", "binary", bin)
		}
		return startBinary(bin, log)
	}

	if err != nil {
		var cerr interface{ ConfigProblems() []string }
		if errors.As(err, &cerr) {
			fmt.Fprintln(stderr, "freecam: the configuration has errors:")
			for _, p := range cerr.ConfigProblems() {
				fmt.Fprintln(stderr, "  "+p)
			}
			if rollBackRefusedConfig(exe, guard, cerr.ConfigProblems(), log) {
				return restartAfterRollback(exe, log)
			}
			return 1
		}
		log.Error("freecam stopped", "err", err)
		return 1
	}
	return 0
}

// handleSignals: SIGHUP reloads the config; the first SIGINT/SIGTERM stops freecam gracefully, a
// second one forces the exit for a stop that hangs.
func handleSignals(sigs <-chan os.Signal, a *app.App, cancel context.CancelFunc, log *slog.Logger) {
	stopping := false
	for s := range sigs {
		if s == syscall.SIGHUP {
			if stopping {
				continue // stopping: a reload would only delay it
			}
			if err := a.Reload(); err != nil {
				log.Error("reload refused; the running configuration stays", "err", err)
			}
			continue
		}
		if stopping {
			log.Error("second signal: exiting at once", "signal", s.String())
			os.Exit(1)
		}
		stopping = true
		log.Info("stopping", "signal", s.String())
		cancel()
	}
}

// confirmWhenHealthy tells the update guard the new binary works once the camera runs and
// pictures arrive (Health is nil).
func confirmWhenHealthy(ctx context.Context, a *app.App, guard *update.Guard, log *slog.Logger) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-guard.Done():
			return
		case <-t.C:
			if a.Health() == nil {
				// The guard logs the confirmation (one line).
				if err := guard.ConfirmHealthy(); err != nil {
					log.Error("confirming the update", "err", err)
				}
				return
			}
		}
	}
}

// restartAfterRollback starts the binary the guard put back.
// rollBackRefusedConfig rolls a just-installed binary back at once when it refuses the config
// at start: the previous version ran with it, and waiting for the guard's deadline or crash count
// would leave a camera without a supervisor down for good. It reports whether it rolled back.
func rollBackRefusedConfig(exe string, guard *update.Guard, problems []string, log *slog.Logger) bool {
	if !guard.Pending() || len(problems) == 0 {
		return false
	}
	reason := fmt.Sprintf("version %s refused the configuration at start: %s", version(), problems[0])
	if len(problems) > 1 {
		reason += fmt.Sprintf(" (and %d more)", len(problems)-1)
	}
	if _, err := update.RollbackTo(exe, reason, time.Now()); err != nil {
		log.Error("the new version refused the configuration, but rolling back failed", "err", err)
		return false
	}
	log.Error("rolled back to the previous version", "reason", reason)
	return true
}

func restartAfterRollback(exe string, log *slog.Logger) int {
	log.Error("the updated binary did not become healthy: rolled back; starting the previous one")
	return startBinary(exe, log)
}

// startBinary replaces this process with bin. Under systemd (which was told STOPPING) it exits
// non-zero instead, so that the unit's Restart=on-failure starts the binary now at that path:
// a process that carried on after STOPPING would be killed at the stop timeout.
func startBinary(bin string, log *slog.Logger) int {
	if os.Getenv("NOTIFY_SOCKET") != "" {
		log.Warn("exiting for systemd to start the new binary", "binary", bin)
		return 1
	}
	if err := update.Restart(bin); err != nil {
		log.Error("starting the binary; exiting for a supervisor to start it", "binary", bin, "err", err)
	}
	return 1
}

// useTimeZone makes timezone.conf's zone the process's local time (the OSD, file names, logs)
// and gives it to the programs freecam starts (user scripts) as TZ, in the POSIX form the
// camera's C library reads. It returns the zone's name, "" when the OS's zone stays. It must run
// before anything reads time.Local.
func useTimeZone(configDir string, log *slog.Logger) string {
	name, loc, err := clock.LoadZone(configDir)
	if err != nil {
		log.Error("time zone: the system's stays", "err", err)
		return ""
	}
	if name == "" {
		return ""
	}
	time.Local = loc
	os.Setenv("TZ", clock.POSIX(loc, time.Now().Year()))
	log.Info("time zone", "zone", name)
	return name
}
