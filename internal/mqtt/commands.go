package mqtt

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/mqtt/conn"
)

// command is one command topic (relative, ending in /set, or "set").
type command struct {
	state   string // the state topic published afterwards even when unchanged ("" none)
	timeout time.Duration
	run     func(ctx context.Context, payload string) error
}

// handle is conn's OnMessage: one message at a time, on the connection's goroutine. It never
// panics on input; what is wrong is reported on <TOPIC>/error.
func (b *Bridge) handle(ctx context.Context, topic string, payload []byte) {
	p := string(payload)
	if b.t.birth != "" && topic == b.t.birth {
		if p == "online" {
			signal(b.announceReq)
		}
		return
	}
	rel, ok := b.t.rel(topic)
	if !ok {
		if topic == b.t.location {
			if p != "announce" {
				b.errorf("%s: payload %q is not announce", topic, clip(p))
				return
			}
			b.announce(ctx)
		}
		return
	}
	switch {
	case rel == topicImage:
		// The firmware's request for a picture; the JPEGs the bridge publishes there come back
		// on the same topic and are not requests.
		if p == "GET" {
			b.publishJPEG(ctx, topicImage, false)
		}
		return
	case rel == "play":
		b.errorf("play: freecam has no audio output")
		return
	case rel != "set" && !strings.HasSuffix(rel, "/set"):
		// A state topic (the bridge's own messages come back here) or a reply. The firmware read
		// an empty message on a state topic as a query.
		if p == "" {
			b.publishStates(false, rel)
		}
		return
	}
	c, ok := b.commands[rel]
	if !ok {
		b.errorf("%s: unknown command topic (publish help to %s/set for the list)", clip(rel), b.t.base)
		return
	}
	b.run(ctx, rel, c, p)
}

// run runs one command with its timeout, reports its error and publishes the resulting state.
func (b *Bridge) run(ctx context.Context, rel string, c command, p string) bool {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	err := c.run(ctx, p)
	cancel()
	if err != nil {
		b.errorf("%s: %v", rel, err)
		b.log.Info("mqtt command failed", "topic", rel, "err", err)
	}
	if c.state != "" {
		b.publishStates(false, c.state)
	} else {
		b.publishStates(false)
	}
	return err == nil
}

// errorf publishes a message for people on <TOPIC>/error.
func (b *Bridge) errorf(format string, args ...any) {
	b.pub.Publish(conn.Message{Topic: b.t.abs(topicError), Payload: fmt.Appendf(nil, format, args...), QoS: b.qos()})
}

// reply publishes a short text on a relative topic, not retained.
func (b *Bridge) reply(rel, text string) {
	b.pub.Publish(conn.Message{Topic: b.t.abs(rel), Payload: []byte(text), QoS: b.qos()})
}

// commandTable lists every command topic.
func (b *Bridge) commandTable() map[string]command {
	cam := b.opts.Camera
	t := map[string]command{}
	switchCmd := func(state string, sw camera.Switch, part string, has func(hal.State) bool) {
		t[state+"/set"] = command{state: state, timeout: switchTimeout, run: func(ctx context.Context, p string) error {
			on, err := parseOnOff(p)
			if err != nil {
				return err
			}
			if !has(cam.Hardware()) {
				return fmt.Errorf("this camera has no %s", part)
			}
			return cam.SetSwitch(ctx, sw, on)
		}}
	}
	switchCmd(topicBlueLED, camera.BlueLED, "blue LED", func(s hal.State) bool { return s.HasBlueLED })
	switchCmd(topicYellowLED, camera.YellowLED, "yellow LED", func(s hal.State) bool { return s.HasYellowLED })
	switchCmd(topicIRLED, camera.IRLED, "IR LED", func(s hal.State) bool { return s.HasIRLED })
	switchCmd(topicIRCut, camera.IRCut, "IR-cut filter", func(s hal.State) bool { return s.HasIRCut })

	t[topicNight+"/set"] = command{state: topicNight, timeout: switchTimeout, run: func(ctx context.Context, p string) error {
		on, err := parseOnOff(p)
		if err != nil {
			return err
		}
		return cam.SetNightMode(ctx, map[bool]camera.NightMode{true: camera.Night, false: camera.Day}[on])
	}}
	t[topicNightAuto+"/set"] = command{state: topicNightAuto, timeout: switchTimeout, run: func(ctx context.Context, p string) error {
		on, err := parseOnOff(p)
		if err != nil {
			return err
		}
		if on {
			return cam.SetNightMode(ctx, camera.Auto)
		}
		// Stopping auto night keeps the current day or night, as the firmware's autonight stop.
		return cam.SetNightMode(ctx, map[bool]camera.NightMode{true: camera.Night, false: camera.Day}[cam.Night().Night])
	}}
	t[topicNightMode+"/set"] = command{state: topicNightMode, timeout: switchTimeout, run: func(ctx context.Context, p string) error {
		m := camera.NightMode(p)
		if m != camera.Auto && m != camera.Day && m != camera.Night {
			return fmt.Errorf("payload %q is not auto, day or night", clip(p))
		}
		return cam.SetNightMode(ctx, m)
	}}

	serviceCmd := func(state, name string) {
		t[state+"/set"] = command{state: state, timeout: switchTimeout, run: func(ctx context.Context, p string) error {
			on, err := parseOnOff(p)
			if err != nil {
				return err
			}
			return cam.ServiceControl(ctx, name, map[bool]string{true: "start", false: "stop"}[on])
		}}
	}
	serviceCmd(topicRTSP, "rtsp")
	serviceCmd(topicRecording, "recording")
	serviceCmd(topicTimelapse, "timelapse")

	t["motion/detection/set"] = command{state: "motion/detection", timeout: switchTimeout, run: func(ctx context.Context, p string) error {
		on, err := parseOnOff(p)
		if err != nil {
			return err
		}
		if err := b.setMotionConf("motion_detection", on); err != nil {
			return err
		}
		return cam.ServiceControl(ctx, "motion", map[bool]string{true: "start", false: "stop"}[on])
	}}
	for _, f := range motionFlags() {
		t[f.topic+"/set"] = command{state: f.topic, timeout: switchTimeout, run: func(_ context.Context, p string) error {
			on, err := parseOnOff(p)
			if err != nil {
				return err
			}
			return b.setMotionConf(f.key, on)
		}}
	}

	t[topicMotorV+"/set"] = command{state: topicMotorV, timeout: motorTimeout, run: func(ctx context.Context, p string) error {
		return b.motor(ctx, p, false)
	}}
	t[topicMotorH+"/set"] = command{state: topicMotorH, timeout: motorTimeout, run: func(ctx context.Context, p string) error {
		return b.motor(ctx, p, true)
	}}
	t["motors/set"] = command{timeout: calibrateTimeout, run: func(ctx context.Context, p string) error {
		if p != "calibrate" {
			return fmt.Errorf("payload %q is not calibrate", clip(p))
		}
		if !cam.Hardware().HasMotor {
			return errors.New("this camera has no motor")
		}
		return cam.Calibrate(ctx)
	}}

	t[topicSnapshot+"/set"] = command{timeout: snapshotTimeout, run: func(ctx context.Context, p string) error {
		if p != "ON" {
			return fmt.Errorf("payload %q is not ON", clip(p))
		}
		jpg, err := cam.SnapshotJPEG(ctx)
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		b.pub.Publish(conn.Message{Topic: b.t.abs(topicSnapshot), Payload: jpg, QoS: b.qos()})
		b.pub.Publish(conn.Message{Topic: b.t.abs(topicImage), Payload: jpg, QoS: b.qos()}) // the camera entity
		return nil
	}}
	restart := func(want string) command {
		return command{timeout: switchTimeout, run: func(_ context.Context, p string) error {
			if p != want {
				return fmt.Errorf("payload %q is not %s", clip(p), want)
			}
			b.reply(topicReboot, "Rebooting the System")
			cam.Restart()
			return nil
		}}
	}
	t["reboot/set"] = restart("ON")
	t["restart/set"] = restart("PRESS")

	unsupported := func(why string) command {
		return command{timeout: switchTimeout, run: func(context.Context, string) error { return errors.New(why) }}
	}
	// Home Assistant's install button: the install starts and this returns; the progress
	// follows on update/state (publishUpdate), then the camera restarts into the new version.
	t["update/set"] = command{state: topicUpdate, timeout: switchTimeout, run: func(ctx context.Context, p string) error {
		if p != payloadInstall {
			return fmt.Errorf("payload %q is not %s", clip(p), payloadInstall)
		}
		return cam.UpdateApply(ctx)
	}}
	t["hwvolume/set"] = unsupported("freecam has no audio")
	t["swvolume/set"] = unsupported("freecam has no audio")
	t["remount_sdcard/set"] = unsupported("not supported: freecam does not remount the SD card; it writes recordings where freecam.conf says")

	t["set"] = command{timeout: calibrateTimeout, run: b.set}
	return t
}

// motor runs motors/vertical/set (up, down or a position) or motors/horizontal/set (left, right
// or a position). Positions are as published: mirrored when the picture is flipped.
func (b *Bridge) motor(ctx context.Context, p string, horizontal bool) error {
	cam := b.opts.Camera
	hw := cam.Hardware()
	fwd, back, limit := "up", "down", hw.MotorLimits.Y
	if horizontal {
		fwd, back, limit = "right", "left", hw.MotorLimits.X
	}
	var err error
	switch p {
	case "STOP": // Home Assistant's cover stop: a move runs to its end before the next command
		return nil
	case fwd, back:
		step := 100
		if p == back {
			step = -step
		}
		if !hw.HasMotor {
			return errors.New("this camera has no motor")
		}
		if horizontal {
			_, err = cam.Move(ctx, step, 0)
		} else {
			_, err = cam.Move(ctx, 0, step)
		}
		return err
	}
	v, perr := strconv.Atoi(p)
	if perr != nil || v < 0 || v > limit {
		return fmt.Errorf("payload %q is not %s, %s or a position from 0 to %d", clip(p), fwd, back, limit)
	}
	if !hw.HasMotor {
		return errors.New("this camera has no motor")
	}
	if cam.Config().RTSP.Flip {
		v = limit - v
	}
	to := hw.Motor
	if horizontal {
		to.X = v
	} else {
		to.Y = v
	}
	_, err = cam.MoveTo(ctx, to)
	return err
}

// setMotionConf writes one motion.conf switch (true/false, the firmware's spelling) and reloads.
func (b *Bridge) setMotionConf(key string, on bool) error {
	cam := b.opts.Camera
	dir := cam.ConfigDir()
	if dir == "" {
		return errors.New("the camera has no config dir to write motion.conf in")
	}
	if _, err := conf.Apply(dir, conf.Edits{conf.MotionFile: {key: strconv.FormatBool(on)}}); err != nil {
		return fmt.Errorf("write %s %s: %w", conf.MotionFile, key, err)
	}
	if err := cam.Reload(); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	return nil
}

// set is <TOPIC>/set: help, status, announce or an action.cgi command name.
func (b *Bridge) set(ctx context.Context, p string) error {
	switch p {
	case "help":
		b.reply(topicHelp, b.help())
		return nil
	case "status":
		b.pub.Publish(conn.Message{Topic: b.t.base + "/", Payload: []byte(b.statusPayload(b.opts.Camera.Status(), time.Now())), QoS: b.qos()})
		return nil
	case "announce":
		b.announce(ctx)
		return nil
	}
	cg, ok := b.cgi[p]
	if !ok {
		return fmt.Errorf("payload %q is not help, status, announce or an action.cgi command (publish help here for the list)", clip(p))
	}
	c := b.commands[cg.topic]
	if !b.run(ctx, cg.topic, c, cg.payload) {
		return nil // run reported the error
	}
	b.reply(p, "OK")
	b.publishStates(false, topicStatus)
	return nil
}

// help lists the commands, as the firmware's <TOPIC>/help did.
func (b *Bridge) help() string {
	topics := make([]string, 0, len(b.commands))
	for k := range b.commands {
		topics = append(topics, b.t.abs(k))
	}
	slices.Sort(topics)
	names := make([]string, 0, len(b.cgi))
	for k := range b.cgi {
		names = append(names, k)
	}
	slices.Sort(names)
	return "possible commands: " + strings.Join(topics, " ") + "; " + b.t.abs(topicImage) + " GET; " +
		b.t.location + " announce; " + b.t.abs("set") + " help, status, announce or one of: " + strings.Join(names, " ")
}

func parseOnOff(p string) (bool, error) {
	switch p {
	case "ON":
		return true, nil
	case "OFF":
		return false, nil
	}
	return false, fmt.Errorf("payload %q is not ON or OFF", clip(p))
}

// clip shortens untrusted input before it is quoted into a message.
func clip(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) && len(s) > 0 {
		s = s[:len(s)-1]
	}
	return s + "…"
}
