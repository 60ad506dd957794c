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

// motionActions builds the motion actions and their delivery queues for an instance.
func (a *App) motionActions(inst *instance, cfg *conf.Config, log *slog.Logger) (component, error) {
	targets, err := deliveryTargets(cfg, log.With("component", "deliver"))
	if err != nil {
		return component{}, &ConfigError{Problems: []string{"motion.conf: " + err.Error()}}
	}
	names := map[string]bool{}
	for _, t := range targets {
		names[t.Name()] = true
	}
	set, err := deliver.NewSet(filepath.Join(a.opts.DataDir, "deliveries"), targets, deliver.Options{
		MaxAge: cfg.Motion.Storage.DeliveryMaxAge, Log: log}) // the queues name their component
	if err != nil {
		return component{}, fmt.Errorf("delivery queues: %w", err)
	}
	host, _ := os.Hostname()
	inst.deliveries = set
	inst.actions = actions.New(actions.Options{Config: cfg, Camera: webCamera{a}, Hub: inst.hub, Bus: &a.bus,
		Queue: set, Targets: names, DataDir: a.opts.DataDir, ConfigDir: a.opts.ConfigDir, Hostname: host,
		Log: log.With("component", "actions")})
	return goroutine("motion actions", func(ctx context.Context) error {
		done := make(chan error, 1)
		go func() { done <- set.Run(ctx) }()
		err := inst.actions.Run(ctx)
		<-done
		return err
	}, log), nil
}

func (w webCamera) actions() *actions.Actions {
	inst, _ := w.a.current()
	if inst == nil {
		return nil
	}
	return inst.actions
}

// Deliveries is the state of every delivery queue, by target name.
func (w webCamera) Deliveries() []deliver.Status {
	inst, _ := w.a.current()
	if inst == nil || inst.deliveries == nil {
		return nil
	}
	st := inst.deliveries.Status()
	sort.Slice(st, func(i, j int) bool { return st[i].Target < st[j].Target })
	return st
}

// telegramBotService is the firmware's telegram-bot: it answers telegram.conf's chat (/shot,
// /clip, /on, /off, /nighton …). Its autorun file is config/autostart/telegram-bot, as on the
// firmware.
func (a *App) telegramBotService(cfg *conf.Config, log *slog.Logger) service.Service {
	return service.Supervised("telegram-bot", func(ctx context.Context) error {
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
