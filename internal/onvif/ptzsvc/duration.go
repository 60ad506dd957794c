package ptzsvc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseDuration reads an xs:duration without years or months (a month
// has no fixed length): "PT60S", "PT0.5S", "PT1M30S", "P1DT2H". A leading
// '-' is refused, as no PTZ timeout is negative.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" {
		return 0, fmt.Errorf("duration %q: want an ISO 8601 duration such as PT10S", s)
	}
	var d time.Duration
	inTime := false
	units := 0
	for rest != "" {
		if rest[0] == 'T' {
			if inTime || len(rest) == 1 {
				return 0, fmt.Errorf("duration %q: misplaced T", s)
			}
			inTime, rest = true, rest[1:]
			continue
		}
		i := strings.IndexFunc(rest, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if i <= 0 {
			return 0, fmt.Errorf("duration %q: want a number before each unit", s)
		}
		v, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %w", s, err)
		}
		var unit time.Duration
		switch c := rest[i]; {
		case c == 'D' && !inTime:
			unit = 24 * time.Hour
		case c == 'H' && inTime:
			unit = time.Hour
		case c == 'M' && inTime:
			unit = time.Minute
		case c == 'S' && inTime:
			unit = time.Second
		default:
			return 0, fmt.Errorf("duration %q: unit %q not supported (use D, H, M, S)", s, c)
		}
		if v*float64(unit) > float64(1<<62) {
			return 0, fmt.Errorf("duration %q: %w", s, errors.New("too long"))
		}
		d += time.Duration(v * float64(unit))
		rest = rest[i+1:]
		units++
	}
	if units == 0 {
		return 0, fmt.Errorf("duration %q: no value", s)
	}
	return d, nil
}

// formatDuration writes d as PTnS (seconds with the decimals needed).
func formatDuration(d time.Duration) string {
	return "PT" + strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S"
}
