package eventlog

import (
	"strconv"
	"time"
)

// maxIDLen bounds an id, so a request cannot make Thumb build a long path.
const maxIDLen = 64

// ValidID reports whether id can be an event id: 1 to 64 of [0-9a-z-]. Nothing else (no '/', no
// '.') can reach the file system through Thumb.
func ValidID(id string) bool {
	if id == "" || len(id) > maxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'z') && c != '-' {
			return false
		}
	}
	return true
}

// newID returns an id for an event at t that no held event has: the UTC time to the millisecond,
// "20261126-143501-042", which sorts by time, with "-1", "-2" … added on a collision (two events
// in one millisecond, a clock set back). Call with l.mu held.
func (l *Log) newID(t time.Time) string {
	base := t.UTC().Format("20060102-150405.000")
	base = base[:15] + "-" + base[16:]
	id := base
	for n := 1; l.hasID(id); n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	return id
}

// hasID reports whether a held event has id, newest first (a collision is nearly always with the
// last events). Call with l.mu held.
func (l *Log) hasID(id string) bool {
	for i := len(l.events) - 1; i >= 0; i-- {
		if l.events[i].ID == id {
			return true
		}
	}
	return false
}
