// Package deliver sends motion pictures and clips to remote targets (FTP, SMB, e-mail, Telegram,
// Matrix, Dropbox) so that nothing is lost: every item is first written to a spool on disk, one
// queue and one worker per target retry it with backoff — across broker or NAS outages and
// freecam restarts — until it is delivered or older than a limit. A slow or dead target never
// delays another, nor the video.
package deliver

import (
	"context"
	"errors"
	"time"
)

// Kind is what an item carries.
type Kind string

// The kinds of items.
const (
	Snapshot Kind = "snapshot" // one JPEG (Files[0]); a mail may carry several
	Clip     Kind = "clip"     // one MP4 (Files[0])
	Text     Kind = "text"     // a message only
)

// Item is one thing to deliver. Items are values; the queue stores them as JSON next to its own
// copies of the files, so local retention deleting the originals cannot lose a delivery.
type Item struct {
	ID      string    `json:"id"`      // unique, [0-9a-z-], chosen by the caller (event id + kind + target)
	Event   string    `json:"event"`   // the event's id, for logs and the timeline
	Kind    Kind      `json:"kind"`    //
	Created time.Time `json:"created"` // when the event happened; drives MaxAge and the names
	// Files are absolute paths. Enqueue replaces them with the spool's copies.
	Files []string `json:"files"`
	// Name is the remote file name without extension's directory, from file_date_pattern
	// ("2026-11-26_14-35-01"); the target adds ".jpg" / ".mp4" (or keeps Files' extension).
	Name string `json:"name"`
	// Group is the remote sub-directory from group_date_pattern ("2026-11-26/14"), "" for none.
	Group string `json:"group"`
	// Text is a caption or message ("Motion detected on dafang at 14:35:01").
	Text string `json:"text"`
}

// Target sends items to one place. Deliver must be safe to call again for the same item after a
// failure (it overwrites a half-sent file of the same name); it should honour ctx.
type Target interface {
	Name() string // "ftp", "smb", "mail", "telegram", "matrix", "dropbox"
	Deliver(ctx context.Context, it Item) error
}

// Permanent marks an error that retrying cannot fix (a 400 from an API about the payload, a file
// too big): the queue drops the item at once, logging why, instead of retrying until MaxAge.
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return "permanent: " + p.Err.Error() }
func (p *Permanent) Unwrap() error { return p.Err }

// IsPermanent reports whether err is, or wraps, a *Permanent.
func IsPermanent(err error) bool {
	var p *Permanent
	return errors.As(err, &p)
}

// Status is one target's state, for the API, the UI and the metrics.
type Status struct {
	Target      string    `json:"target"`
	Queued      int       `json:"queued"`                 // items waiting in the spool
	Delivered   uint64    `json:"delivered"`              // since start
	Failures    uint64    `json:"failures"`               // failed attempts since start
	Dropped     uint64    `json:"dropped"`                // given up (too old, permanent error) since start
	LastSuccess time.Time `json:"last_success,omitzero"`  //
	LastError   string    `json:"last_error,omitempty"`   // the last failure's message
	LastErrorAt time.Time `json:"last_error_at,omitzero"` //
}
