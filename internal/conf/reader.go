package conf

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/freecam/freecam/internal/conf/shellconf"
)

// reader decodes the keys of one file, collecting errors and warnings.
type reader struct {
	file  string
	doc   *shellconf.Doc
	known map[string]bool
	errs  *Errors
	warns *[]Warning
}

// ignore marks keys of the firmware that freecam knows but does not use:
// no warning, and a dynamic value is not an error.
func (r *reader) ignore(keys ...string) {
	for _, k := range keys {
		r.known[k] = true
	}
}

// str returns the static value of key. ok is false when the key is absent,
// empty (empty means the default) or dynamic (then an error is recorded).
func (r *reader) str(key string) (value string, line int, ok bool) {
	r.known[key] = true
	v, line, found, err := r.doc.Static(key)
	if err != nil {
		*r.errs = append(*r.errs, err.(shellconf.Issue))
		return "", line, false
	}
	return v, line, found && v != ""
}

func (r *reader) fail(line int, key, format string, args ...any) {
	*r.errs = append(*r.errs, Issue{File: r.file, Line: line, Key: key, Message: fmt.Sprintf(format, args...)})
}

func (r *reader) warn(line int, key, format string, args ...any) {
	*r.warns = append(*r.warns, Issue{File: r.file, Line: line, Key: key, Message: fmt.Sprintf(format, args...)})
}

// int reads a whole number in [lo, hi] into dst, leaving dst at its
// default when the key is absent or empty. unit is appended to messages
// ("kbit/s"); it may be empty.
func (r *reader) int(dst *int, key string, lo, hi int, unit string) {
	s, line, ok := r.str(key)
	if !ok {
		return
	}
	u := ""
	if unit != "" {
		u = " " + unit
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		if unit != "" {
			r.fail(line, key, "must be a whole number of %s (got %q)", unit, s)
		} else {
			r.fail(line, key, "must be a whole number (got %q)", s)
		}
		return
	}
	if n < lo || n > hi {
		r.fail(line, key, "must be between %d and %d%s (got %q)", lo, hi, u, s)
		return
	}
	*dst = n
}

// bool reads true/false (also on/off, yes/no, 1/0, any case).
func (r *reader) bool(dst *bool, key string) {
	s, line, ok := r.str(key)
	if !ok {
		return
	}
	b, valid := parseBool(s)
	if !valid {
		r.fail(line, key, "must be true or false (got %q)", s)
		return
	}
	*dst = b
}

func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "on", "yes", "1":
		return true, true
	case "false", "off", "no", "0":
		return false, true
	}
	return false, false
}

// unknownKeys warns about every key that no decoder asked for.
func (r *reader) unknownKeys() {
	for _, k := range r.doc.Keys() {
		if !r.known[k] {
			e, _ := r.doc.Lookup(k)
			r.warn(e.Line, k, "unknown key; freecam ignores it")
		}
	}
}
