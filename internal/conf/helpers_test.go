package conf

import (
	"sort"
	"testing"

	"github.com/freecam/freecam/internal/conf/shellconf"
)

// decodeFile decodes src as the file name exactly the way Load does (shellconf, reader, decode,
// unknown keys, issues sorted by line), returning the errors and warnings as strings. The
// per-file tests use it to check one file without the others.
func decodeFile(t *testing.T, name, src string, decode func(r *reader)) (errs, warns []string, doc *shellconf.Doc) {
	t.Helper()
	d, err := shellconf.Parse(name, []byte(src))
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	var es Errors
	ws := append([]Warning(nil), d.Warnings...)
	r := &reader{file: name, doc: d, known: make(map[string]bool), errs: &es, warns: &ws}
	decode(r)
	r.unknownKeys()
	sort.SliceStable(es, func(i, j int) bool { return es[i].Line < es[j].Line })
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].Line < ws[j].Line })
	for _, e := range es {
		errs = append(errs, e.String())
	}
	for _, w := range ws {
		warns = append(warns, w.String())
	}
	return errs, warns, d
}

// decodeAutoNight, decodeHAL and decodeMotion decode one file over its defaults.
func decodeAutoNight(t *testing.T, src string) (a AutoNight, errs, warns []string) {
	t.Helper()
	a = DefaultAutoNight()
	errs, warns, _ = decodeFile(t, AutoNightFile, src, a.decode)
	return a, errs, warns
}

func decodeHAL(t *testing.T, src string) (h HAL, errs, warns []string) {
	t.Helper()
	h = DefaultHAL()
	errs, warns, _ = decodeFile(t, HALFile, src, h.decode)
	return h, errs, warns
}

func decodeMotion(t *testing.T, src string) (m Motion, errs, warns []string) {
	t.Helper()
	m = DefaultMotion()
	errs, warns, _ = decodeFile(t, MotionFile, src, m.decode)
	return m, errs, warns
}
