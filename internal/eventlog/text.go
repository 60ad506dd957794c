package eventlog

import (
	"fmt"
	"strings"

	"github.com/freecam/freecam/internal/event"
)

// maxText bounds an event's text (a service error can be long).
const maxText = 300

// Text is the line people read for ev: "motion in region 2, 12% changed", "night mode on (auto)",
// "service rtsp failed: …". It is one line, whatever the event carries.
func Text(ev event.Event) string {
	var s string
	switch ev.Kind {
	case event.NightOn, event.NightOff:
		s = "night mode on"
		if ev.Kind == event.NightOff {
			s = "night mode off"
		}
		if ev.Cause != "" {
			s += " (" + ev.Cause + ")"
		}
	case event.MotionStart:
		s = "motion"
		if ev.Region >= 0 {
			s += fmt.Sprintf(" in region %d", ev.Region)
		}
		s += fmt.Sprintf(", %.0f%% changed", ev.Score*100)
	case event.MotionEnd:
		s = "motion ended"
		if ev.Region >= 0 {
			s += fmt.Sprintf(" in region %d", ev.Region)
		}
	case event.ServiceState:
		s = "service " + ev.Service + " " + ev.State
		if ev.Err != "" {
			s += ": " + ev.Err
		}
	default:
		s = string(ev.Kind)
		if ev.Cause != "" {
			s += " (" + ev.Cause + ")"
		}
	}
	return oneLine(s)
}

// oneLine replaces control characters (newlines of an error) with spaces and cuts s to maxText
// bytes at a character boundary.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) <= maxText {
		return s
	}
	i := maxText - len("…")
	for i > 0 && s[i]&0xc0 == 0x80 {
		i--
	}
	return s[:i] + "…"
}
