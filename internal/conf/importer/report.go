package importer

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrRefused is returned (wrapped) by Import when something was refused; nothing was written.
var ErrRefused = errors.New("import refused, nothing was written")

// Entry is one key (or, with Key empty, one whole file) of the source directory.
type Entry struct {
	// File is the file's name relative to the source directory ("motion.conf",
	// "autostart/rtsp").
	File string `json:"file"`
	// Line is the line of the key in File; 0 for a whole file.
	Line int `json:"line,omitempty"`
	// Key is the key; empty for a whole file (a one-value file such as hostname.conf, a JSON
	// file, a file that is ignored as a whole).
	Key string `json:"key,omitempty"`
	// Reason says where the value went (applied) or why not (ignored, refused).
	Reason string `json:"reason"`
}

// Where returns "file:line KEY", leaving out what is empty.
func (e Entry) Where() string {
	s := e.File
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	if e.Key != "" {
		s += " " + e.Key
	}
	return s
}

// Report is what Import did with the source directory. Its lists are never nil.
type Report struct {
	Applied []Entry `json:"applied"`
	Ignored []Entry `json:"ignored"`
	Refused []Entry `json:"refused"`
	// Added are files written into the destination that the source did not have (File is
	// relative to the destination), with why: freecam's default autostart services when the
	// import creates autostart/. Empty when nothing is to be written.
	Added []Entry `json:"added"`
	// Written are the files written into the destination, relative to it ("rtspserver.conf",
	// "autostart/mqtt"); empty on a dry run and when something was refused.
	Written []string `json:"written"`
	// DryRun is true when nothing was to be written.
	DryRun bool `json:"dry_run,omitempty"`
}

func newReport() Report {
	return Report{Applied: []Entry{}, Ignored: []Entry{}, Refused: []Entry{}, Added: []Entry{}, Written: []string{}}
}

func (r *Report) apply(e Entry)  { r.Applied = append(r.Applied, e) }
func (r *Report) ignore(e Entry) { r.Ignored = append(r.Ignored, e) }
func (r *Report) refuse(e Entry) { r.Refused = append(r.Refused, e) }
func (r *Report) add(e Entry)    { r.Added = append(r.Added, e) }

// WriteText prints the report grouped: applied, ignored, refused, one "file:line KEY: reason"
// line each, the files added that the source did not have (when any), then what was written
// and a summary line.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, g := range []struct {
		title string
		list  []Entry
	}{{"applied", r.Applied}, {"ignored", r.Ignored}, {"refused", r.Refused}} {
		fmt.Fprintf(&b, "%s (%d):\n", g.title, len(g.list))
		for _, e := range g.list {
			fmt.Fprintf(&b, "  %s: %s\n", e.Where(), e.Reason)
		}
	}
	if len(r.Added) > 0 {
		fmt.Fprintf(&b, "added, not on the card (%d):\n", len(r.Added))
		for _, e := range r.Added {
			fmt.Fprintf(&b, "  %s: %s\n", e.Where(), e.Reason)
		}
	}
	switch {
	case len(r.Refused) > 0:
		fmt.Fprintf(&b, "refused: nothing was written (%d refused)\n", len(r.Refused))
	case r.DryRun:
		fmt.Fprintf(&b, "dry run: nothing was written (%d applied, %d ignored)\n", len(r.Applied), len(r.Ignored))
	default:
		fmt.Fprintf(&b, "written: %s\n", orNone(r.Written))
		fmt.Fprintf(&b, "imported: %d applied, %d ignored\n", len(r.Applied), len(r.Ignored))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "nothing (nothing to change)"
	}
	return strings.Join(s, ", ")
}

// refusal is the error for a refused report: ErrRefused and the first reason.
func (r *Report) refusal() error {
	first := r.Refused[0]
	msg := first.Reason
	if !strings.HasPrefix(msg, first.File) {
		msg = first.Where() + ": " + msg
	}
	if n := len(r.Refused) - 1; n > 0 {
		return fmt.Errorf("import: %w: %s (and %d more)", ErrRefused, msg, n)
	}
	return fmt.Errorf("import: %w: %s", ErrRefused, msg)
}
