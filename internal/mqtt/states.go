package mqtt

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/mqtt/conn"
	"github.com/freecam/freecam/internal/service"
)

// statusJSON is the status on <TOPIC>: the firmware's fields (strings, as iwconfig printed them;
// "" when unknown) and freecam's.
type statusJSON struct {
	Uptime      string `json:"uptime"`
	SSID        string `json:"ssid"`
	Bitrate     string `json:"bitrate"`
	SignalLevel string `json:"signal_level"`
	LinkQuality string `json:"link_quality"`
	NoiseLevel  string `json:"noise_level"`

	Version       string  `json:"version"`
	FPS           float64 `json:"fps"`
	Readers       int     `json:"readers"`
	UptimeSeconds int64   `json:"uptime_seconds"`
	FreeBytes     int64   `json:"free_bytes"`
}

// updateJSON is the update entity's state (reference §1.7: Home Assistant's JSON form).
type updateJSON struct {
	Installed string `json:"installed_version"`
	Latest    string `json:"latest_version"`
	Title     string `json:"title"`
	Summary   string `json:"release_summary,omitempty"`
	// InProgress and Percentage show an install (from Home Assistant, the web UI or UPDATE_AUTO)
	// with its progress bar; Percentage is null when none runs.
	InProgress bool `json:"in_progress"`
	Percentage *int `json:"update_percentage"`
}

// maxReleaseSummary is Home Assistant's limit on release_summary.
const maxReleaseSummary = 255

// updatePayload is the update entity's state now: the latest version is the installed one until
// a check has found another.
func (b *Bridge) updatePayload() string {
	u := b.opts.Camera.Update()
	j := updateJSON{Installed: b.version(), Latest: u.Latest, Title: "freecam"} // installed as sw_version says
	if j.Latest == "" || !u.Available && !u.InProgress && !u.Restarting {
		j.Latest = j.Installed
	}
	if u.Available {
		j.Summary = clipRunes(u.Notes, maxReleaseSummary)
	}
	if u.InProgress || u.Restarting {
		pct := min(max(u.Percentage, 0), 100)
		j.InProgress, j.Percentage = true, &pct
	}
	out, _ := json.Marshal(j) // cannot fail: strings, a bool and an int
	return string(out)
}

// clipRunes shortens s to at most n runes.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// publishUpdate publishes the update entity's state when it changed since the last publish on
// this connection (the bridge calls it every second, for the install's progress).
func (b *Bridge) publishUpdate() {
	v := b.updatePayload()
	b.stateMu.Lock()
	defer b.stateMu.Unlock()
	if old, ok := b.last[topicUpdate]; ok && old == v {
		return
	}
	b.last[topicUpdate] = v
	b.pub.Publish(conn.Message{Topic: b.t.abs(topicUpdate), Payload: []byte(v), QoS: b.qos(), Retain: true})
}

// states returns every state topic (relative) with its payload, as the camera is now.
func (b *Bridge) states(now time.Time) map[string]string {
	cam := b.opts.Camera
	hw := cam.Hardware()
	cfg := cam.Config()
	st := cam.Status()
	night := cam.Night()
	s := make(map[string]string, 32)

	s[topicStatus] = b.statusPayload(st, now)
	if hw.HasBlueLED {
		s[topicBlueLED] = onOff(hw.BlueLED)
	}
	if hw.HasYellowLED {
		s[topicYellowLED] = onOff(hw.YellowLED)
	}
	if hw.HasIRLED {
		s[topicIRLED] = onOff(hw.IRLED)
	}
	if hw.HasIRCut {
		s[topicIRCut] = onOff(hw.IRCutDay)
	}
	if b.opts.Config.LightSensor != "false" {
		switch {
		case hw.Light >= 0 && hw.HasLight:
			s[topicBrightness] = strconv.Itoa(hw.Light)
		case b.opts.Config.LightSensor == "virtual":
			s[topicBrightness] = strconv.FormatFloat(night.Level, 'f', -1, 64)
		}
	}
	// No service list means the camera is between two configurations (a reload): leave the
	// service states as they were rather than report everything off for a moment.
	if svcs := cam.Services(); svcs != nil {
		running := runningServices(svcs)
		s[topicRTSP] = onOff(running["rtsp"])
		s[topicRecording] = onOff(running["recording"])
		s[topicTimelapse] = onOff(running["timelapse"])
		s[topicNight] = onOff(night.Night)
		s[topicNightAuto] = onOff(night.Auto)
		s[topicNightMode] = string(nightMode(night))
		s["motion/detection"] = onOff(cam.Motion().Enabled)
	}
	for _, f := range motionFlags() {
		s[f.topic] = onOff(f.get(cfg.Motion))
	}
	if hw.HasMotor {
		pos := hw.Motor
		if cfg.RTSP.Flip { // the firmware's MAX - pos: positions as seen in the picture
			pos.X, pos.Y = hw.MotorLimits.X-pos.X, hw.MotorLimits.Y-pos.Y
		}
		s[topicMotorV] = strconv.Itoa(pos.Y)
		s[topicMotorH] = strconv.Itoa(pos.X)
	}
	s[topicUpdate] = b.updatePayload()
	if st.WiFi != nil {
		s[topicWiFiSignal] = strconv.Itoa(st.WiFi.SignalDBm)
	}
	if !st.Started.IsZero() {
		s[topicStarted] = st.Started.Format(time.RFC3339)
	}
	return s
}

// statusPayload is the status JSON.
func (b *Bridge) statusPayload(st camera.Status, now time.Time) string {
	up := time.Duration(0)
	if !st.Started.IsZero() && now.After(st.Started) {
		up = now.Sub(st.Started)
	}
	j := statusJSON{
		Uptime:        uptime(up),
		Version:       b.version(),
		FPS:           st.FPS,
		Readers:       st.Readers,
		UptimeSeconds: int64(up / time.Second),
		FreeBytes:     st.FreeBytes,
	}
	if w := st.WiFi; w != nil {
		j.SignalLevel = fmt.Sprintf("%d dBm", w.SignalDBm)
		j.LinkQuality = fmt.Sprintf("%d/70", w.LinkQuality)
		j.NoiseLevel = fmt.Sprintf("%d dBm", w.NoiseDBm)
	}
	out, _ := json.Marshal(j) // cannot fail: strings and numbers
	return string(out)
}

// uptime formats d as busybox's uptime did ("up 3 days, 4:05", "up 12 min").
func uptime(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	h := int(d/time.Hour) % 24
	m := int(d/time.Minute) % 60
	s := "up "
	switch days {
	case 0:
	case 1:
		s += "1 day, "
	default:
		s += strconv.Itoa(days) + " days, "
	}
	if h == 0 {
		return s + strconv.Itoa(m) + " min"
	}
	return fmt.Sprintf("%s%d:%02d", s, h, m)
}

// publishStates publishes the states that changed since the last publish on this connection;
// all of them when all is true; force names topics published even when unchanged (a command's
// own state, a query). It is safe for concurrent use.
func (b *Bridge) publishStates(all bool, force ...string) {
	s := b.states(time.Now())
	qos := b.qos()
	b.stateMu.Lock()
	defer b.stateMu.Unlock()
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := s[k]
		if old, ok := b.last[k]; ok && old == v && !all && !slices.Contains(force, k) {
			continue
		}
		b.last[k] = v
		b.pub.Publish(conn.Message{Topic: b.t.abs(k), Payload: []byte(v), QoS: qos, Retain: true})
	}
}

// resetStates forgets what was published: a new connection starts from nothing.
func (b *Bridge) resetStates() {
	b.stateMu.Lock()
	clear(b.last)
	b.stateMu.Unlock()
}

func runningServices(infos []service.Info) map[string]bool {
	m := make(map[string]bool, len(infos))
	for _, i := range infos {
		m[i.Name] = i.State == service.Running
	}
	return m
}

func nightMode(n camera.NightState) camera.NightMode {
	switch {
	case n.Auto:
		return camera.Auto
	case n.Night:
		return camera.Night
	default:
		return camera.Day
	}
}

func onOff(on bool) string {
	if on {
		return "ON"
	}
	return "OFF"
}
