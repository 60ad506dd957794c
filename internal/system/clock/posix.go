package clock

import (
	"fmt"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/conf/shellconf"
)

// POSIX returns a POSIX TZ string (as in the TZif footer, e.g. "GMT0BST,M3.5.0/1,M10.5.0") that
// gives loc's rules of the given year and the next: the form the firmware wrote to /etc/TZ for
// programs without a zoneinfo database. It is derived from loc's transitions (time.ZoneBounds),
// so it is exact for zones whose daylight saving follows "nth/last weekday of a month" rules
// (all of Europe, North America, Australia, …). Zones whose rules tzdata writes in other forms get
// a string that is right for the given year only: Chile's "first Saturday at 24:00"
// (M9.1.6/24) comes out as M9.1.0/0, Morocco's Ramadan changes as that year's dates.
func POSIX(loc *time.Location, year int) string {
	jan := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	_, janEnd := jan.ZoneBounds()
	if janEnd.IsZero() || janEnd.Year() > year { // no change this year
		name, off := jan.Zone()
		return abbr(name) + posixOffset(off)
	}
	// The two transitions of the year: into and out of daylight saving time.
	t1 := janEnd
	_, t2 := t1.ZoneBounds()
	start, end := t1, t2
	if !t1.IsDST() {
		start, end = t2, t1
	}
	if end.IsZero() || start.IsZero() || !start.IsDST() {
		name, off := jan.Zone()
		return abbr(name) + posixOffset(off)
	}
	stdName, stdOff := end.Zone()
	dstName, dstOff := start.Zone()
	s := abbr(stdName) + posixOffset(stdOff) + abbr(dstName)
	if dstOff != stdOff+3600 {
		s += posixOffset(dstOff)
	}
	return s + "," + rule(start, stdOff, loc) + "," + rule(end, dstOff, loc)
}

// rule writes the transition at t (offBefore: the UTC offset in force just before it) as
// Mm.w.d[/time], looking at next year's transition to tell "last" (w=5) from "fourth".
func rule(t time.Time, offBefore int, loc *time.Location) string {
	wall := t.UTC().Add(time.Duration(offBefore) * time.Second)
	m, d, wd := wall.Month(), wall.Day(), wall.Weekday()
	w := (d-1)/7 + 1
	if last(wall) {
		// The last such weekday, or the fourth? Look at the same transition next year.
		w = 5
		_, nt := time.Date(wall.Year()+1, m, 1, 0, 0, 0, 0, loc).ZoneBounds()
		if nw := nt.UTC().Add(time.Duration(offBefore) * time.Second); nw.Month() == m && nw.Weekday() == wd && !last(nw) {
			w = (nw.Day()-1)/7 + 1
		}
	}
	s := fmt.Sprintf("M%d.%d.%d", m, w, wd)
	secs := wall.Hour()*3600 + wall.Minute()*60 + wall.Second()
	if secs != 2*3600 {
		s += "/" + hms(secs)
	}
	return s
}

func last(t time.Time) bool { return t.AddDate(0, 0, 7).Month() != t.Month() }

// posixOffset: POSIX counts hours west of UTC, so UTC+1 is "-1".
func posixOffset(off int) string {
	if off > 0 {
		return "-" + hms(off)
	}
	return hms(-off)
}

func hms(secs int) string {
	h, m, s := secs/3600, secs/60%60, secs%60
	switch {
	case s != 0:
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	case m != 0:
		return fmt.Sprintf("%d:%02d", h, m)
	}
	return fmt.Sprint(h)
}

// abbr quotes an abbreviation that is not all letters ("+03" → "<+03>").
func abbr(name string) string {
	if len(name) < 3 || strings.IndexFunc(name, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') }) >= 0 {
		return "<" + name + ">"
	}
	return name
}

// WriteEtcTZ writes the POSIX string of the zone name (for the current year) to path, usually
// /etc/TZ, atomically, as the firmware's set_timezone did.
func WriteEtcTZ(path, name string) error {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return fmt.Errorf("write %s: unknown time zone %q: %w", path, name, err)
	}
	if err := shellconf.WriteFileAtomic(path, []byte(POSIX(loc, time.Now().Year())+"\n"), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
