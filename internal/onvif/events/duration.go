package events

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

var errEmpty = errors.New("empty value")

// parseDuration parses an xs:duration in the subset clients send (PnYnMnDTnHnMnS, fractional
// seconds; a year is 365 days and a month 30 days). Negative durations are refused.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errEmpty
	}
	if s[0] == '-' {
		return 0, fmt.Errorf("negative duration %q", s)
	}
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" {
		return 0, fmt.Errorf("duration %q does not start with P", s)
	}
	var total float64
	inTime, digits := false, false
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return 0, fmt.Errorf("duration %q has two T", s)
			}
			inTime = true
			rest = rest[1:]
			if rest == "" {
				return 0, fmt.Errorf("duration %q ends after T", s)
			}
			continue
		}
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.' || rest[i] == ',') {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("malformed duration %q", s)
		}
		n, err := strconv.ParseFloat(strings.ReplaceAll(rest[:i], ",", "."), 64)
		if err != nil {
			return 0, fmt.Errorf("malformed duration %q", s)
		}
		var unit float64
		switch u := rest[i]; {
		case !inTime && u == 'Y':
			unit = 365 * 24 * 3600
		case !inTime && u == 'M':
			unit = 30 * 24 * 3600
		case !inTime && u == 'W':
			unit = 7 * 24 * 3600
		case !inTime && u == 'D':
			unit = 24 * 3600
		case inTime && u == 'H':
			unit = 3600
		case inTime && u == 'M':
			unit = 60
		case inTime && u == 'S':
			unit = 1
		default:
			return 0, fmt.Errorf("malformed duration %q", s)
		}
		total += n * unit
		digits = true
		rest = rest[i+1:]
	}
	if !digits {
		return 0, fmt.Errorf("malformed duration %q", s)
	}
	if total*float64(time.Second) > math.MaxInt64 {
		return math.MaxInt64, nil
	}
	return time.Duration(total * float64(time.Second)), nil
}

// formatDuration writes d as PT<seconds>S (whole seconds, rounded up).
func formatDuration(d time.Duration) string {
	sec := (d + time.Second - 1) / time.Second
	return "PT" + strconv.FormatInt(int64(sec), 10) + "S"
}

// parseTermination reads a termination time as clients send it: an xs:duration relative to
// now ("PT600S") or an absolute xs:dateTime (with a zone, or UTC when it has none). It returns
// the requested termination instant.
func parseTermination(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errEmpty
	}
	if s[0] == 'P' || s[0] == '-' && len(s) > 1 && s[1] == 'P' {
		d, err := parseDuration(s)
		if err != nil {
			return time.Time{}, err
		}
		return now.Add(d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("termination time %q is neither a duration nor a dateTime", s)
}

// formatTime writes t as xs:dateTime in UTC with a Z and whole seconds, the form the npm
// onvif client turns into a Date.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}
