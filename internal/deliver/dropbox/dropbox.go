// Package dropbox uploads motion pictures and clips to Dropbox (or any server speaking its
// /2/files/upload API) as motion.conf's dropbox_* keys say: one POST of the file with the
// destination in the Dropbox-API-Arg header, mode overwrite, so a retried upload replaces a
// half-sent one. The token goes in the Authorization header only, never in a log or an error.
package dropbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
)

var _ deliver.Target = (*Target)(nil)

// Options tune a Target. The zero value is usable.
type Options struct {
	Log *slog.Logger // default: discard
	// Timeout bounds one upload; default 120 s.
	Timeout time.Duration
	// HTTPClient replaces the default client (tests).
	HTTPClient *http.Client
}

// Target uploads items to Dropbox. Safe for concurrent use.
type Target struct {
	r    conf.Remote
	hc   *http.Client
	log  *slog.Logger
	opts Options
}

// New returns the Dropbox target for motion.conf's dropbox_* keys: Host is dropbox_url (the
// upload endpoint, https://content.dropboxapi.com/2/files/upload), Password the token. Pictures go
// to StillsDir when Snapshot is set, clips to VideosDir when Video is set; other items are
// accepted and skipped.
func New(r conf.Remote, o Options) *Target {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Timeout <= 0 {
		o.Timeout = 120 * time.Second
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	return &Target{r: r, hc: hc, log: o.Log.With("target", "dropbox"), opts: o}
}

// Name is "dropbox".
func (t *Target) Name() string { return "dropbox" }

// Error is a refused upload.
type Error struct {
	Status int
	// Summary is error_summary ("path/insufficient_space/..") or the answer on one line (an
	// HTML error page's first line of text: "502 Bad Gateway"), "" for an empty answer.
	Summary string
	// RetryAfter is the Retry-After of a 429 or 503.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	// The status once: a proxy's page often starts with it ("502 Bad Gateway").
	code := strconv.Itoa(e.Status)
	s := "dropbox: upload: " + code
	switch {
	case e.Summary == code || strings.HasPrefix(e.Summary, code+" "):
		s = "dropbox: upload: " + e.Summary
	case e.Summary != "":
		s += " " + e.Summary
	case http.StatusText(e.Status) != "":
		s += " " + http.StatusText(e.Status)
	}
	if e.Status == http.StatusUnauthorized {
		s += " (the token was refused or expired: check dropbox_token in motion.conf)"
	}
	return s
}

// Retry reports how long the server asked to wait (0: the queue's own backoff).
func (e *Error) Retry() time.Duration { return e.RetryAfter }

// Deliver uploads the item's file, or does nothing for items this target does not take.
func (t *Target) Deliver(ctx context.Context, it deliver.Item) error {
	var dir string
	switch {
	case it.Kind == deliver.Snapshot && t.r.Snapshot:
		dir = t.r.StillsDir
	case it.Kind == deliver.Clip && t.r.Video:
		dir = t.r.VideosDir
	default:
		return nil
	}
	name, err := it.FileName()
	if err != nil {
		return fmt.Errorf("dropbox: %w", err)
	}
	if t.r.Host == "" || t.r.Password == "" {
		return &deliver.Permanent{Err: errors.New("dropbox: dropbox_url and dropbox_token must be set in motion.conf")}
	}
	// <dir>/<Name><ext>, absolute, as the firmware did (no group directory).
	dst := path.Join("/", dir, name)
	if err := t.upload(ctx, it.Files[0], dst); err != nil {
		var de *Error
		if errors.As(err, &de) && permanent(de) {
			return &deliver.Permanent{Err: err}
		}
		return err
	}
	return nil
}

// permanent: a bad request, or a 409 that retrying cannot fix (a disallowed name, a malformed
// path); a full Dropbox (insufficient_space) and write contention stay retryable.
func permanent(e *Error) bool {
	switch e.Status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		return true
	case http.StatusConflict:
		return !strings.Contains(e.Summary, "insufficient_space") && !strings.Contains(e.Summary, "too_many_write_operations")
	}
	return false
}

func (t *Target) upload(ctx context.Context, src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("dropbox: upload %s: %w", dst, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("dropbox: upload %s: %w", dst, err)
	}
	arg, err := apiArg(map[string]any{"path": dst, "mode": "overwrite", "mute": true})
	if err != nil {
		return fmt.Errorf("dropbox: upload %s: %w", dst, err)
	}
	ctx, cancel := context.WithTimeout(ctx, t.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.r.Host, f)
	if err != nil {
		return fmt.Errorf("dropbox: upload %s: %w", dst, err)
	}
	req.ContentLength = st.Size()
	req.Header.Set("Authorization", "Bearer "+string(t.r.Password))
	req.Header.Set("Dropbox-API-Arg", arg)
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := t.hc.Do(req)
	if err != nil {
		return fmt.Errorf("dropbox: upload %s: %w", dst, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	e := &Error{Status: resp.StatusCode}
	var m struct {
		Summary string `json:"error_summary"`
	}
	if json.Unmarshal(raw, &m) == nil && m.Summary != "" {
		e.Summary = m.Summary
	} else {
		e.Summary = deliver.OneLine(string(raw))
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	return fmt.Errorf("%w (to %s)", e, dst)
}

// apiArg encodes v as JSON with every non-ASCII character escaped, as HTTP headers require.
func apiArg(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	for _, r := range string(b) {
		switch {
		case r < 0x80:
			sb.WriteRune(r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&sb, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			fmt.Fprintf(&sb, `\u%04x`, r)
		}
	}
	return sb.String(), nil
}
