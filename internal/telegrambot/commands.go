package telegrambot

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver/telegram"
)

// Help is the answer to /help and /start.
const Help = `/status – camera, night and motion state
/shot – a picture now
/clip – the latest motion clip
/on, /off – motion detection on or off
/nighton, /nightoff – night or day mode by hand
/textalerts, /imagealerts, /videoalerts, /dualalerts – what a motion alert sends
/help – this list`

// handle answers one message from the configured chat; others are ignored.
func (b *Bot) handle(ctx context.Context, m *telegram.Message) {
	if !b.fromConfiguredChat(m) {
		b.log.Debug("message from another chat ignored", "chat", m.Chat.ID)
		return
	}
	fields := strings.Fields(m.Text)
	if len(fields) == 0 || !strings.HasPrefix(fields[0], "/") {
		return
	}
	cmd, _, _ := strings.Cut(strings.ToLower(fields[0]), "@") // /status@mybot
	ctx, cancel := context.WithTimeout(ctx, b.o.CommandTimeout)
	defer cancel()
	chat := b.o.Config.ChatID
	b.log.Info("command", "command", cmd)
	var reply string
	var err error
	switch cmd {
	case "/help", "/start":
		reply = Help
	case "/status":
		reply = b.status()
	case "/shot":
		err = b.shot(ctx, chat)
	case "/clip":
		reply, err = b.clip(ctx, chat)
	case "/on", "/off":
		on := cmd == "/on"
		err = b.setMotion(ctx, on)
		reply = "Motion detection " + onOff(on) + "."
	case "/nighton", "/nightoff":
		mode := camera.Day
		if cmd == "/nighton" {
			mode = camera.Night
		}
		err = b.o.Camera.SetNightMode(ctx, mode)
		reply = "Night mode " + onOff(mode == camera.Night) + "."
	case "/textalerts", "/imagealerts", "/videoalerts", "/dualalerts":
		a := map[string]conf.AlertType{"/textalerts": conf.AlertText, "/imagealerts": conf.AlertImage,
			"/videoalerts": conf.AlertVideo, "/dualalerts": conf.AlertVideoImage}[cmd]
		err = b.apply(map[string]string{"telegram_alert_type": string(a)})
		reply = "Alerts now send: " + string(a) + "."
	default:
		reply = "Unknown command " + cmd + ". /help lists them."
	}
	if err != nil {
		b.log.Warn("command failed", "command", cmd, "err", err)
		reply = cmd + " failed: " + err.Error()
	}
	if reply == "" {
		return
	}
	if err := b.cl.SendMessage(ctx, chat, reply); err != nil {
		b.log.Warn("cannot answer", "command", cmd, "err", err)
	}
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// status is the /status answer: the camera, night and motion at a glance.
func (b *Bot) status() string {
	c := b.o.Camera
	s, n, m := c.Status(), c.Night(), c.Motion()
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s (freecam %s)\n", s.Hostname, s.Version)
	if !s.Started.IsZero() {
		fmt.Fprintf(&sb, "Up %s\n", time.Since(s.Started).Round(time.Minute))
	}
	fmt.Fprintf(&sb, "Video %dx%d @ %g fps, %d RTSP viewer(s)\n", s.Width, s.Height, s.FPS, s.Readers)
	night := "day"
	if n.Night {
		night = "night"
	}
	auto := "manual"
	if n.Auto {
		auto = "auto"
	}
	fmt.Fprintf(&sb, "Night mode: %s (%s)\n", night, auto)
	motion := "off"
	if m.Enabled {
		motion = "on"
		if m.Active {
			motion += ", motion now"
		}
	}
	fmt.Fprintf(&sb, "Motion detection: %s\n", motion)
	if s.FreeBytes >= 0 {
		fmt.Fprintf(&sb, "Free space: %.1f GB\n", float64(s.FreeBytes)/(1<<30))
	}
	if s.WiFi != nil {
		fmt.Fprintf(&sb, "Wi-Fi: %d dBm\n", s.WiFi.SignalDBm)
	}
	return strings.TrimSuffix(sb.String(), "\n")
}

func (b *Bot) shot(ctx context.Context, chat string) error {
	jpg, err := b.o.Camera.SnapshotJPEG(ctx)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	now := time.Now()
	caption := b.o.Camera.Status().Hostname + "-" + now.Format("02012006_150405") // the firmware's caption
	return b.cl.SendPhoto(ctx, chat, "shot-"+now.Format("20060102-150405")+".jpg", jpg, caption)
}

func (b *Bot) clip(ctx context.Context, chat string) (string, error) {
	if b.o.LatestClip == nil {
		return "No motion clip yet.", nil
	}
	path, ok := b.o.LatestClip()
	if !ok {
		return "No motion clip yet.", nil
	}
	if err := b.cl.SendVideoFile(ctx, chat, path, "Latest clip: "+filepath.Base(path)); err != nil {
		return "", err
	}
	return "", nil
}

// setMotion writes motion_detection, reloads and starts or stops the motion service.
func (b *Bot) setMotion(ctx context.Context, on bool) error {
	if err := b.apply(map[string]string{"motion_detection": onOff(on)}); err != nil {
		return err
	}
	action := "stop"
	if on {
		action = "start"
	}
	return b.o.Camera.ServiceControl(ctx, "motion", action)
}

// apply writes motion.conf keys and reloads the camera.
func (b *Bot) apply(keys map[string]string) error {
	dir := b.o.Camera.ConfigDir()
	if dir == "" {
		return fmt.Errorf("no config directory to write %s to", conf.MotionFile)
	}
	if _, err := conf.Apply(dir, conf.Edits{conf.MotionFile: keys}); err != nil {
		return fmt.Errorf("%s: %w", conf.MotionFile, err)
	}
	if err := b.o.Camera.Reload(); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	return nil
}
