package app

import (
	"context"
	"reflect"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/osd"
	"github.com/freecam/freecam/internal/service"
)

// osdOptions maps osd.conf onto the renderer's options.
func osdOptions(cfg *conf.Config) osd.Options {
	o := cfg.OSD
	return osd.Options{
		Enabled:    o.Enabled,
		Pattern:    o.Format,
		Color:      osd.RGBA(o.Color.R, o.Color.G, o.Color.B, o.Color.A),
		Size:       o.Size,
		Space:      o.Spacing,
		PosY:       o.PosY,
		FixedWidth: o.FixedWidth,
	}
}

// onlyOSDChanged reports whether new differs from old in osd.conf alone (or not at all), which
// the running renderer can take live without restarting the video. Every other section counts,
// so a file added to conf.Config later is covered without touching this.
func onlyOSDChanged(old, new *conf.Config) bool {
	a, b := *old, *new
	a.OSD, b.OSD = conf.OSD{}, conf.OSD{}
	a.Docs, b.Docs = nil, nil             // the parsed text, comments included; the typed fields are what matter
	a.HAL, b.HAL = conf.HAL{}, conf.HAL{} // the board is set up once per run: restarting video would not apply it
	return reflect.DeepEqual(a, b)
}

// multicastDest is MULTICASTDEST as "ip:port", or "" when off.
func multicastDest(cfg *conf.Config) string {
	if !cfg.RTSP.Multicast.IsValid() {
		return ""
	}
	return cfg.RTSP.Multicast.String()
}

// liveChangeable reports whether old and new differ only in what can change without restarting
// the video: the OSD, motion detection and what it does on motion, MQTT, the notification
// targets and ONVIF. Anything else (the source, the encoder, RTSP) needs the full restart.
func liveChangeable(old, new *conf.Config) bool {
	a, b := *old, *new
	for _, c := range []*conf.Config{&a, &b} {
		c.OSD, c.Docs, c.HAL = conf.OSD{}, nil, conf.HAL{}
		c.Motion, c.MQTT = conf.Motion{}, conf.MQTT{}
		c.Mail, c.Telegram, c.Matrix = conf.Mail{}, conf.Telegram{}, conf.Matrix{}
		c.ONVIF = conf.ONVIF{}
		c.Update = conf.Update{} // the updater reads it live
		// The web server's addresses apply when freecam restarts (warnWeb says so).
		c.Freecam.HTTPSListen, c.Freecam.HTTPListen = "", ""
	}
	return reflect.DeepEqual(a, b)
}

// applyLive applies a configuration that liveChangeable allows, part by part: the OSD at once,
// the motion service and the motion actions restarted with their new settings, MQTT and the
// Telegram bot reconnected when their own files changed. RTSP viewers and recordings carry on.
// Call with a.mu held.
func (a *App) applyLive(cfg *conf.Config) {
	old, inst := a.cfg, a.cur
	ctx, cancel := context.WithTimeout(context.Background(), a.opts.StopTimeout)
	defer cancel()
	a.applyLogLevel(cfg)
	inst.osd.SetOptions(osdOptions(cfg))
	inst.cfg = cfg
	running := func(name string) bool {
		st, err := inst.services.Status(name)
		return err == nil && (st.State == service.Running || st.State == service.Starting || st.State == service.Backoff)
	}
	if !reflect.DeepEqual(old.Motion, cfg.Motion) {
		// The detector reads its settings while it runs: stop it before changing them.
		if running("motion") {
			if err := inst.services.Stop(ctx, "motion"); err != nil {
				a.log.Warn("reload: stopping motion detection", "err", err)
			}
		}
		inst.motion.cfg = cfg.Motion
		inst.motion.markerC = osd.Color(max(cfg.Motion.IndicatorColor, 0))
		if cfg.Motion.Enabled() { // as at start: motion_detection decides
			if err := inst.services.Start(ctx, "motion"); err != nil {
				a.log.Warn("reload: starting motion detection", "err", err)
			}
		}
	}
	if !reflect.DeepEqual(old.Motion, cfg.Motion) || !reflect.DeepEqual(old.Mail, cfg.Mail) ||
		old.Telegram != cfg.Telegram || old.Matrix != cfg.Matrix {
		if err := inst.stopActions(ctx); err != nil {
			a.log.Warn("reload: stopping the motion actions", "err", err)
		}
		if err := a.startActions(inst, cfg); err != nil {
			a.log.Error("reload: the motion actions did not start", "err", err)
		}
	}
	a.cfg = cfg
	a.setState()
	if old.Telegram != cfg.Telegram && running("telegram-bot") {
		if err := inst.services.Restart(ctx, "telegram-bot"); err != nil {
			a.log.Warn("reload: restarting the telegram bot", "err", err)
		}
	}
	if old.MQTT != cfg.MQTT && a.mqtt != nil {
		if st := a.mqtt.sup.Status(); st.State == service.Running || st.State == service.Backoff {
			// Asynchronously: the reload may come from an MQTT command, running on the very
			// connection that must stop.
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), a.opts.StopTimeout)
				defer cancel()
				if err := a.controlAppService(ctx, a.mqtt, "restart"); err != nil {
					a.log.Warn("reload: reconnecting MQTT", "err", err)
				}
			}()
		}
	}
	if old.ONVIF != cfg.ONVIF {
		a.onvif.setConfig(cfg)
		if running("onvif") { // the name and discovery: announce the camera anew
			if err := inst.services.Restart(ctx, "onvif"); err != nil {
				a.log.Warn("reload: restarting onvif", "err", err)
			}
		}
	}
	a.log.Info("config reloaded without restarting the video")
	a.bus.Publish(event.Event{Kind: event.ConfigReloaded, Time: time.Now(), Cause: "reload"})
}
