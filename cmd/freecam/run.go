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
	"syscall"

	"github.com/freecam/freecam/internal/app"
	"github.com/freecam/freecam/internal/logring"
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
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	go handleSignals(sigs, a, cancel, log)

	if err := a.Run(ctx); err != nil {
		var cerr interface{ ConfigProblems() []string }
		if errors.As(err, &cerr) {
			fmt.Fprintln(stderr, "freecam: the configuration has errors:")
			for _, p := range cerr.ConfigProblems() {
				fmt.Fprintln(stderr, "  "+p)
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
