package app

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"

	"github.com/freecam/freecam/internal/actions"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
	"github.com/freecam/freecam/internal/deliver/dropbox"
	"github.com/freecam/freecam/internal/deliver/ftp"
	"github.com/freecam/freecam/internal/deliver/mail"
	"github.com/freecam/freecam/internal/deliver/matrix"
	"github.com/freecam/freecam/internal/deliver/smb"
	"github.com/freecam/freecam/internal/deliver/telegram"
	"github.com/freecam/freecam/internal/service"
	"github.com/freecam/freecam/internal/telegrambot"
)

// deliveryTargets builds the upload and alert targets the configuration sets up. A target that
// is not configured has no queue; items already in its spool wait there until it is again.
func deliveryTargets(cfg *conf.Config, log *slog.Logger) ([]deliver.Target, error) {
	var ts []deliver.Target
	m := cfg.Motion
	add := func(t deliver.Target, err error) error {
		if err != nil {
			return err
		}
		ts = append(ts, t)
		return nil
	}
	var err error
	if m.FTP.Enabled() {
		err = add(ftp.New(m.FTP, ftp.Options{Log: log}))
	}
	if err == nil && m.SMB.Enabled() {
		err = add(smb.New(m.SMB, smb.Options{Log: log}))
	}
	if err == nil && m.Dropbox.Enabled() {
		err = add(dropbox.New(m.Dropbox, dropbox.Options{Log: log}), nil)
	}
	if err == nil && m.Actions.SendEmail && cfg.Mail.Configured() {
		err = add(mail.New(cfg.Mail, mail.Options{Log: log}), nil)
	}
	if err == nil && m.Actions.SendTelegram && cfg.Telegram.Configured() {
		err = add(telegram.New(cfg.Telegram, m.TelegramAlert, telegram.Options{Log: log}), nil)
	}
	if err == nil && m.Actions.SendMatrix && cfg.Matrix.Configured() {
		err = add(matrix.New(cfg.Matrix, m.MatrixAlert, matrix.Options{Log: log}), nil)
	}
	return ts, err
}

// actionsRun is the motion actions and delivery queues of one configuration, running. A light
// reload (a changed upload target, an alert type) replaces it without touching the video.
type actionsRun struct {
	acts   *actions.Actions
	set    *deliver.Set
	cancel context.CancelFunc
	done   chan struct{}
}

// startActions builds the motion actions and their delivery queues for cfg and runs them.
func (a *App) startActions(inst *instance, cfg *conf.Config) error {
	log := inst.log
	targets, err := deliveryTargets(cfg, log.With("component", "deliver"))
	if err != nil {
		return &ConfigError{Problems: []string{"motion.conf: " + err.Error()}}
	}
	names := map[string]bool{}
	for _, t := range targets {
		names[t.Name()] = true
	}
	set, err := deliver.NewSet(filepath.Join(a.opts.DataDir, "deliveries"), targets, deliver.Options{
		MaxAge: cfg.Motion.Storage.DeliveryMaxAge, Log: log}) // the queues name their component
	if err != nil {
		return fmt.Errorf("delivery queues: %w", err)
	}
	host, _ := os.Hostname()
	acts := actions.New(actions.Options{Config: cfg, Camera: webCamera{a}, Hub: inst.hub, Bus: &a.bus,
		Queue: set, Targets: names, DataDir: a.opts.DataDir, ConfigDir: a.opts.ConfigDir, Hostname: host,
		Log: log.With("component", "actions")})
	ctx, cancel := context.WithCancel(context.Background())
	run := &actionsRun{acts: acts, set: set, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(run.done)
		queues := make(chan error, 1)
		go func() { queues <- set.Run(ctx) }()
		if err := acts.Run(ctx); err != nil {
			log.Error("motion actions stopped", "err", err)
		}
		<-queues
	}()
	inst.actionsRun.Store(run)
	return nil
}

// stopActions ends the running motion actions: an event's clip in progress is finished and
// kept, and what waits for delivery stays in the spool for the next queues.
func (inst *instance) stopActions(ctx context.Context) error {
	run := inst.actionsRun.Load()
	if run == nil {
		return nil
	}
	run.cancel()
	select {
	case <-run.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("motion actions did not stop in time: %w", ctx.Err())
	}
}

func (w webCamera) actions() *actions.Actions {
	inst, _ := w.a.current()
	if inst == nil {
		return nil
	}
	if run := inst.actionsRun.Load(); run != nil {
		return run.acts
	}
	return nil
}

// Deliveries is the state of every delivery queue, by target name.
func (w webCamera) Deliveries() []deliver.Status {
	inst, _ := w.a.current()
	if inst == nil || inst.actionsRun.Load() == nil {
		return nil
	}
	st := inst.actionsRun.Load().set.Status()
	sort.Slice(st, func(i, j int) bool { return st[i].Target < st[j].Target })
	return st
}

// telegramBotService is the firmware's telegram-bot: it answers telegram.conf's chat (/shot,
// /clip, /on, /off, /nighton …). Its autorun file is config/autostart/telegram-bot, as on the
// firmware.
func (a *App) telegramBotService(log *slog.Logger) service.Service {
	return service.Supervised("telegram-bot", func(ctx context.Context) error {
		// At boot the services start just before the camera is published as running: wait.
		if a.waitRunning(ctx) == nil {
			return errNotRunning
		}
		_, cfg := a.current()
		bot := telegrambot.New(telegrambot.Options{
			Config:     cfg.Telegram,
			Camera:     webCamera{a},
			Log:        log,
			DataDir:    filepath.Join(a.opts.DataDir, "telegram"),
			LatestClip: func() (string, bool) { return latestFile(cfg.Motion.VideoDir(a.opts.DataDir), ".mp4") },
		})
		return bot.Run(ctx)
	}, service.Options{Log: log})
}

// latestFile is the newest file with ext below dir. The date layout of the names sorts in time
// order, so the last name wins (file times may be wrong on a camera that booted without a clock).
func latestFile(dir, ext string) (string, bool) {
	best := ""
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && filepath.Ext(p) == ext && p > best {
			best = p
		}
		return nil
	})
	return best, best != ""
}
