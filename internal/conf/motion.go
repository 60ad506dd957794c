package conf

import (
	"fmt"
	"image"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// MotionFile is the firmware's motion config.
const MotionFile = "motion.conf"

// MaxMotionRects is the most rectangles region_of_interest (and motion_exclude) may list: the
// firmware's IVS limit of 52 regions.
const MaxMotionRects = 52

// Motion is motion.conf: the firmware's motion core keys, and freecam's detector tuning. The
// firmware's event action keys (LED, MQTT, e-mail, Telegram, Matrix, saving, FTP, Dropbox, SMB)
// are accepted without a warning but not read yet. Rectangles are in stream pixels.
type Motion struct {
	// Detection is motion_detection: on (default) or off.
	Detection bool
	// Sensitivity is motion_sensitivity: 0 (very low) to 4 (very high), default 2; -1 turns
	// detection off as in the firmware.
	Sensitivity int
	// Regions is region_of_interest: the areas watched, up to MaxMotionRects; empty (or the
	// firmware's 0,0,0,0) means the whole frame, the default.
	Regions []image.Rectangle
	// IndicatorColor is motion_indicator_color: the OSD marker's colour while motion lasts, 0–7
	// in the osd.conf COLOR palette (white, black, red, green, blue, cyan, yellow, purple);
	// default 2 (red); -1 means no marker.
	IndicatorColor int
	// Timeout is motion_timeout: with tracking on, the camera returns to its origin this long
	// after the last motion; negative or 0 means never (the default, -1).
	Timeout time.Duration
	// Tracking is motion_tracking: the camera follows motion; default off.
	Tracking bool
	// NightDelay is night_mode_event_delay: no motion events this long after a day/night
	// switch; default 30 s.
	NightDelay time.Duration
	// Debug is debug_msg_enable: log each motion result at debug level; default false.
	Debug bool

	// Exclude is motion_exclude (freecam): areas never watched, same syntax; default none.
	Exclude []image.Rectangle
	// MinFrames is motion_min_frames (freecam): consecutive motion frames before an event
	// starts; default 2.
	MinFrames int
	// EventGap is motion_event_gap (freecam): quiet time that ends an event; default 2 s.
	EventGap time.Duration
	// LightChange is motion_light_change (freecam): the share of the frame (0–1) changing at once
	// that is read as a lighting change, not motion; default 0.5.
	LightChange float64
	// MaxChanged is motion_max_changed (freecam): the share of a region (0–1) changing at once
	// that is read as noise (clouds, rain, a camera move), not motion; default 0.8.
	MaxChanged float64
	// FPS is motion_fps (freecam): pictures per second the detector looks at; default 5.
	FPS int

	// Actions are the firmware's on-motion switches.
	Actions MotionActions
	// Storage is where snapshots and clips go and how long they stay.
	Storage Storage
	// TelegramAlert and MatrixAlert say what a chat alert carries.
	TelegramAlert AlertType
	MatrixAlert   AlertType
	// The upload targets.
	FTP, SMB, Dropbox Remote
}

// Firmware media paths of motion.conf.
const (
	FirmwareSnapshotDir = "/system/sdcard/DCIM/Motion/Stills"
	FirmwareVideoDir    = "/system/sdcard/DCIM/Motion/Videos"
)

// SnapshotDir and VideoDir are where motion pictures and clips are saved: motion.conf's
// directories, or dataDir/Motion/Stills and dataDir/Motion/Videos on a machine without the
// firmware's SD card.
func (m Motion) SnapshotDir(dataDir string) string {
	return mediaDir(m.Storage.SnapshotDir, FirmwareSnapshotDir, filepath.Join(dataDir, "Motion", "Stills"))
}

// VideoDir is where motion clips are saved; see SnapshotDir.
func (m Motion) VideoDir(dataDir string) string {
	return mediaDir(m.Storage.VideoDir, FirmwareVideoDir, filepath.Join(dataDir, "Motion", "Videos"))
}

// MotionActions are motion.conf's on-motion switches, the firmware's spelling true/false.
type MotionActions struct {
	TriggerLED   bool // motion_trigger_led: the yellow LED while motion lasts; default true
	MQTTMessage  bool // publish_mqtt_message: ON/OFF on $TOPIC/motion
	MQTTSnapshot bool // publish_mqtt_snapshot: the JPEG on $TOPIC/motion/snapshot/image
	MQTTVideo    bool // publish_mqtt_video: the clip on $TOPIC/motion/video
	SendEmail    bool // send_email
	SendTelegram bool // send_telegram
	SendMatrix   bool // send_matrix
	SaveSnapshot bool // save_snapshot
	SaveVideo    bool // save_video
}

// DefaultMotion returns motion.conf's defaults (the built-in motion.conf.dist).
func DefaultMotion() Motion {
	return Motion{
		Detection:      true,
		Sensitivity:    2,
		IndicatorColor: 2,
		Timeout:        -time.Second,
		NightDelay:     30 * time.Second,
		MinFrames:      2,
		EventGap:       2 * time.Second,
		LightChange:    0.5,
		MaxChanged:     0.8,
		FPS:            5,
		Actions:        MotionActions{TriggerLED: true},
		Storage: Storage{
			SnapshotDir: FirmwareSnapshotDir, MaxSnapshotDays: 20, VideoDir: FirmwareVideoDir, MaxVideoDays: 10,
			GroupPattern: "%Y-%m-%d/%H", FilePattern: "%Y-%m-%d_%H-%M-%S", VideoDuration: 10 * time.Second,
			FileMode: 0o644, DirMode: 0o755, PostRoll: 2 * time.Second, MaxClip: 60 * time.Second,
			MinFreePercent: 10, DeliveryMaxAge: 72 * time.Hour,
		},
		TelegramAlert: AlertImage,
		MatrixAlert:   AlertImage,
		FTP: Remote{Host: "ftp.myserver.net", Port: 21, User: "user1", Password: "password2",
			StillsDir: "motion/stills", VideosDir: "motion/videos"},
		SMB: Remote{Host: "//DEVICE/SHARE", User: "admin", Password: "admin",
			StillsDir: "dafang_camera/stills", VideosDir: "dafang_camera/videos"},
		Dropbox: Remote{Host: "https://content.dropboxapi.com/2/files/upload", Password: "token",
			StillsDir: "/motion/stills", VideosDir: "/motion/videos"},
	}
}

// Enabled reports whether motion detection runs: motion_detection on and a sensitivity of 0
// or more.
func (m Motion) Enabled() bool { return m.Detection && m.Sensitivity >= 0 }

func (m *Motion) decode(r *reader) {
	// The firmware's event action keys: known, read by a later version.
	a := &m.Actions
	r.bool(&a.TriggerLED, "motion_trigger_led")
	r.bool(&a.MQTTMessage, "publish_mqtt_message")
	r.bool(&a.MQTTSnapshot, "publish_mqtt_snapshot")
	r.bool(&a.MQTTVideo, "publish_mqtt_video")
	r.bool(&a.SendEmail, "send_email")
	r.bool(&a.SendTelegram, "send_telegram")
	r.bool(&a.SendMatrix, "send_matrix")
	r.bool(&a.SaveSnapshot, "save_snapshot")
	r.bool(&a.SaveVideo, "save_video")
	m.decodeActions(r)
	r.bool(&m.Debug, "debug_msg_enable")
	if rs, ok := motionRects(r, "region_of_interest", true); ok {
		m.Regions = rs
	}
	r.int(&m.Sensitivity, "motion_sensitivity", -1, 4, "")
	r.int(&m.IndicatorColor, "motion_indicator_color", -1, 7, "")
	if s, line, ok := r.str("motion_timeout"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || v != v || v < -1 || v > 86400 || v < 0 && v != -1 {
			r.fail(line, "motion_timeout", "must be a number of seconds from 0 to 86400, or -1 for never (got %q)", s)
		} else {
			m.Timeout = time.Duration(v * float64(time.Second))
		}
	}
	r.bool(&m.Detection, "motion_detection")
	r.bool(&m.Tracking, "motion_tracking")
	r.seconds(&m.NightDelay, "night_mode_event_delay", true, 86400)

	if rs, ok := motionRects(r, "motion_exclude", false); ok {
		m.Exclude = rs
	}
	r.int(&m.MinFrames, "motion_min_frames", 1, 1000, "frames")
	r.seconds(&m.EventGap, "motion_event_gap", false, 3600)
	motionShare(r, &m.LightChange, "motion_light_change")
	motionShare(r, &m.MaxChanged, "motion_max_changed")
	r.int(&m.FPS, "motion_fps", 1, 60, "frames per second")
}

// motionShare reads a share of the picture, more than 0 and at most 1.
func motionShare(r *reader, dst *float64, key string) {
	s, line, ok := r.str(key)
	if !ok {
		return
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(v > 0 && v <= 1) {
		r.fail(line, key, "must be a share of the picture, more than 0 and at most 1, such as 0.5 (got %q)", s)
		return
	}
	*dst = v
}

// motionRects reads rectangles x0,y0,x1,y1[,x0,y0,x1,y1…] (spaces allowed). The firmware's
// whole-frame rectangle 0,0,0,0 (x1,y1 = 0,0) reads as an empty list: the whole frame for
// region_of_interest (wholeOK), nothing for motion_exclude. ok is false when the key is absent,
// empty or wrong (then an error is recorded).
func motionRects(r *reader, key string, wholeOK bool) (rs []image.Rectangle, ok bool) {
	s, line, present := r.str(key)
	if !present {
		return nil, false
	}
	fields := strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == ' ' || c == '\t' })
	if len(fields)%4 != 0 || len(fields) == 0 {
		r.fail(line, key, "must be rectangles x0,y0,x1,y1 (4 numbers each), got %d numbers in %q", len(fields), s)
		return nil, false
	}
	if n := len(fields) / 4; n > MaxMotionRects {
		r.fail(line, key, "at most %d rectangles (got %d)", MaxMotionRects, n)
		return nil, false
	}
	whole := false
	for i := 0; i < len(fields); i += 4 {
		var v [4]int
		for j := range v {
			n, err := strconv.Atoi(fields[i+j])
			if err != nil || n < 0 || n > 1<<16 {
				r.fail(line, key, "rectangle %d: %q is not a pixel coordinate (a whole number from 0 to 65536)", i/4+1, fields[i+j])
				return nil, false
			}
			v[j] = n
		}
		desc := fmt.Sprintf("rectangle %d (%d,%d,%d,%d)", i/4+1, v[0], v[1], v[2], v[3])
		switch {
		case v[2] == 0 && v[3] == 0:
			whole = true
			continue
		case v[2] <= v[0]:
			r.fail(line, key, "%s: x1 (%d) must be greater than x0 (%d)", desc, v[2], v[0])
			return nil, false
		case v[3] <= v[1]:
			r.fail(line, key, "%s: y1 (%d) must be greater than y0 (%d)", desc, v[3], v[1])
			return nil, false
		}
		rs = append(rs, image.Rect(v[0], v[1], v[2], v[3]))
	}
	if whole {
		if !wholeOK && len(rs) == 0 {
			return nil, true // 0,0,0,0: nothing excluded
		}
		if len(rs) > 0 {
			r.fail(line, key, "0,0,0,0 means the whole frame and cannot be combined with other rectangles (got %q)", s)
			return nil, false
		}
	}
	return rs, true
}

// writeText writes the effective motion.conf for WriteText.
func (m Motion) writeText(b *strings.Builder) {
	rects := func(rs []image.Rectangle, empty string) string {
		if len(rs) == 0 {
			return empty
		}
		parts := make([]string, len(rs))
		for i, r := range rs {
			parts[i] = fmt.Sprintf("%d,%d,%d,%d", r.Min.X, r.Min.Y, r.Max.X, r.Max.Y)
		}
		return strings.Join(parts, ",")
	}
	timeout := m.Timeout.Seconds()
	if timeout <= 0 {
		timeout = -1
	}
	fmt.Fprintf(b, "\n[%s]\n", MotionFile)
	fmt.Fprintf(b, "motion_detection=%s\nmotion_sensitivity=%d\nregion_of_interest=%s\nmotion_indicator_color=%d\nmotion_timeout=%g\nmotion_tracking=%s\nnight_mode_event_delay=%g\ndebug_msg_enable=%t\n",
		strings.ToLower(onOff(m.Detection)), m.Sensitivity, rects(m.Regions, "(whole frame)"), m.IndicatorColor,
		timeout, strings.ToLower(onOff(m.Tracking)), m.NightDelay.Seconds(), m.Debug)
	fmt.Fprintf(b, "motion_exclude=%s\nmotion_min_frames=%d\nmotion_event_gap=%g\nmotion_light_change=%g\nmotion_max_changed=%g\nmotion_fps=%d\n",
		rects(m.Exclude, "(none)"), m.MinFrames, m.EventGap.Seconds(), m.LightChange, m.MaxChanged, m.FPS)
	a := m.Actions
	fmt.Fprintf(b, "motion_trigger_led=%t\npublish_mqtt_message=%t\npublish_mqtt_snapshot=%t\npublish_mqtt_video=%t\nsend_email=%t\nsend_telegram=%t\nsend_matrix=%t\nsave_snapshot=%t\nsave_video=%t\n",
		a.TriggerLED, a.MQTTMessage, a.MQTTSnapshot, a.MQTTVideo, a.SendEmail, a.SendTelegram, a.SendMatrix, a.SaveSnapshot, a.SaveVideo)
}
