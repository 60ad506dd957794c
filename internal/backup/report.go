package backup

import (
	"errors"
	"fmt"
)

// Errors of Restore. Both mean the archive was refused and nothing was written; the Report says
// why. Any other error from Restore is a failure of the camera (a write that failed).
var (
	// ErrRefused matches both ErrMalformed and ErrInvalid.
	ErrRefused = errors.New("archive refused, nothing was written")
	// ErrMalformed: not a gzip'ed tar, over a limit, or an entry that is not a plain relative
	// file name (absolute path, .., link, device).
	ErrMalformed = fmt.Errorf("%w: unsafe or damaged archive", ErrRefused)
	// ErrInvalid: a well-formed archive whose configuration does not load.
	ErrInvalid = fmt.Errorf("%w: invalid configuration", ErrRefused)
)

// Entry is one file of the archive in a Report.
type Entry struct {
	File   string `json:"file"`
	Reason string `json:"reason,omitempty"`
}

// Report is what Restore did with each file of the archive. Its lists are never nil (they
// encode as [] in JSON).
type Report struct {
	// Restored are the files written (all of them, or none when the archive was refused).
	Restored []Entry `json:"restored"`
	// Removed are autostart files deleted because the archive's autostart/ does not have them
	// (the service was off when the backup was made).
	Removed []Entry `json:"removed"`
	// Ignored are files of the archive that are never written, with the reason.
	Ignored []Entry `json:"ignored"`
	// Refused are the problems that made the restore refuse the archive, each with the reason
	// (a config error reads "rtspserver.conf:12: PORT: must be between 1 and 65535 …").
	Refused []Entry `json:"refused"`
	// Warnings do not stop the restore: unknown keys in the restored files, accounts that will
	// need their password set again, a restart needed.
	Warnings []string `json:"warnings"`
}

func newReport() Report {
	return Report{Restored: []Entry{}, Removed: []Entry{}, Ignored: []Entry{}, Refused: []Entry{}, Warnings: []string{}}
}

func (r *Report) refuse(file, format string, args ...any) {
	r.Refused = append(r.Refused, Entry{File: file, Reason: fmt.Sprintf(format, args...)})
}

// refusal is the error for a refused report: base wrapping the first reason.
func (r *Report) refusal(base error) error {
	first := r.Refused[0].Reason
	if f := r.Refused[0].File; f != "" && !startsWith(first, f) {
		first = f + ": " + first
	}
	if n := len(r.Refused) - 1; n > 0 {
		return fmt.Errorf("restore: %w: %s (and %d more)", base, first, n)
	}
	return fmt.Errorf("restore: %w: %s", base, first)
}

func startsWith(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }
