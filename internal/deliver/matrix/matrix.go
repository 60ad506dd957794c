// Package matrix sends motion alerts to a Matrix room through the homeserver's client-server API:
// a picture or clip is uploaded to the media repository, then an m.image, m.video or m.text event
// is sent with a transaction id derived from the item, so a retried delivery never posts twice.
// The access token goes in the Authorization header only, never in a URL, a log or an error.
package matrix

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
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
	// Timeout bounds one request (an upload included); default 60 s.
	Timeout time.Duration
	// HTTPClient replaces the default client (tests).
	HTTPClient *http.Client
}

// Target delivers items to matrix.conf's room. Safe for concurrent use.
type Target struct {
	c     conf.Matrix
	alert conf.AlertType
	hc    *http.Client
	log   *slog.Logger
	opts  Options
}

// New returns the Matrix target. alert is motion.conf's matrix_alert_type ("" means image); it
// chooses as for Telegram: a Text item is a message; a Snapshot is the picture (image,
// video+image), a message (text) or nothing (video); a Clip is the clip (video, video+image) or
// nothing.
func New(c conf.Matrix, alert conf.AlertType, o Options) *Target {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if alert == "" {
		alert = conf.AlertImage
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	return &Target{c: c, alert: alert, hc: hc, log: o.Log.With("target", "matrix"), opts: o}
}

// Name is "matrix".
func (t *Target) Name() string { return "matrix" }

// Error is an answer of the homeserver other than success.
type Error struct {
	Op      string // "upload", "send"
	Status  int
	ErrCode string // errcode: M_LIMIT_EXCEEDED, M_UNKNOWN_TOKEN …
	Message string // error
	// RetryAfter is retry_after_ms (or Retry-After) of a 429.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	s := fmt.Sprintf("matrix: %s: %d %s %s", e.Op, e.Status, e.ErrCode, e.Message)
	if e.Status == http.StatusUnauthorized || e.ErrCode == "M_UNKNOWN_TOKEN" {
		s += " (the access token was refused: check access_token in matrix.conf)"
	}
	return strings.TrimSpace(s)
}

// Retry reports how long the server asked to wait (0: the queue's own backoff).
func (e *Error) Retry() time.Duration { return e.RetryAfter }

// Deliver sends the item as the alert type says.
func (t *Target) Deliver(ctx context.Context, it deliver.Item) error {
	if !t.c.Configured() {
		return &deliver.Permanent{Err: errors.New("matrix: base_url (or host), room_id and access_token must be set in matrix.conf")}
	}
	text := it.Text
	if text == "" {
		text = "Motion detected"
	}
	var err error
	switch it.Kind {
	case deliver.Text:
		err = t.send(ctx, it.ID+"-text", map[string]any{"msgtype": "m.text", "body": text})
	case deliver.Snapshot:
		switch {
		case t.alert == conf.AlertText:
			err = t.send(ctx, it.ID+"-text", map[string]any{"msgtype": "m.text", "body": text})
		case t.alert.Image():
			err = t.media(ctx, it, "m.image", "image/jpeg", ".jpg", text)
		}
	case deliver.Clip:
		if t.alert.Video() {
			err = t.media(ctx, it, "m.video", "video/mp4", ".mp4", text)
		}
	default:
		return &deliver.Permanent{Err: fmt.Errorf("matrix: unknown item kind %q", it.Kind)}
	}
	if err != nil {
		return classify(fmt.Errorf("item %s: %w", it.ID, err))
	}
	return nil
}

// classify: 400 (bad request) and 413 (M_TOO_LARGE) cannot be fixed by retrying.
func classify(err error) error {
	var me *Error
	if errors.As(err, &me) && (me.Status == http.StatusBadRequest || me.Status == http.StatusRequestEntityTooLarge || me.ErrCode == "M_TOO_LARGE") {
		return &deliver.Permanent{Err: err}
	}
	return err
}

// media uploads Files[0] and posts it as msgtype.
func (t *Target) media(ctx context.Context, it deliver.Item, msgtype, ctype, ext, text string) error {
	if len(it.Files) == 0 {
		return &deliver.Permanent{Err: fmt.Errorf("matrix: %s item without a file", it.Kind)}
	}
	name := it.Name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(it.Files[0]), filepath.Ext(it.Files[0]))
	}
	if e := filepath.Ext(it.Files[0]); e != "" {
		ext = e
	}
	name += ext
	uri, size, err := t.upload(ctx, it.Files[0], name, ctype)
	if err != nil {
		return err
	}
	return t.send(ctx, it.ID+"-"+strings.TrimPrefix(msgtype, "m."), map[string]any{
		"msgtype": msgtype, "body": text, "filename": name, "url": uri,
		"info": map[string]any{"mimetype": ctype, "size": size},
	})
}

// upload posts the file to the media repository and returns its mxc:// URI.
func (t *Target) upload(ctx context.Context, path, name, ctype string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("matrix: upload: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", 0, fmt.Errorf("matrix: upload: %w", err)
	}
	u := t.c.BaseURL + "/_matrix/media/v3/upload?filename=" + url.QueryEscape(name)
	var out struct {
		ContentURI string `json:"content_uri"`
	}
	if err := t.do(ctx, "upload", http.MethodPost, u, ctype, f, st.Size(), &out); err != nil {
		return "", 0, err
	}
	if !strings.HasPrefix(out.ContentURI, "mxc://") {
		return "", 0, fmt.Errorf("matrix: upload: answer has no mxc:// content_uri (got %q)", out.ContentURI)
	}
	return out.ContentURI, st.Size(), nil
}

// TxnID is the transaction id of an item's message: stable for the same item and part, so a
// homeserver that already has it answers with the first event instead of posting it again.
func TxnID(key string) string {
	h := sha256.Sum256([]byte(key))
	return "freecam-" + hex.EncodeToString(h[:12])
}

// send puts one m.room.message event.
func (t *Target) send(ctx context.Context, key string, content map[string]any) error {
	b, err := json.Marshal(content)
	if err != nil {
		return fmt.Errorf("matrix: send: %w", err)
	}
	u := t.c.BaseURL + "/_matrix/client/v3/rooms/" + url.PathEscape(t.c.RoomID) + "/send/m.room.message/" + url.PathEscape(TxnID(key))
	return t.do(ctx, "send", http.MethodPut, u, "application/json", bytes.NewReader(b), int64(len(b)), nil)
}

func (t *Target) do(ctx context.Context, op, method, u, ctype string, body io.Reader, size int64, out any) error {
	ctx, cancel := context.WithTimeout(ctx, t.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("matrix: %s: %w", op, err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+string(t.c.Token))
	resp, err := t.hc.Do(req)
	if err != nil {
		return fmt.Errorf("matrix: %s: %w", op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("matrix: %s: read answer: %w", op, err)
	}
	if resp.StatusCode/100 != 2 {
		e := &Error{Op: op, Status: resp.StatusCode}
		var m struct {
			ErrCode    string `json:"errcode"`
			Error      string `json:"error"`
			RetryAfter int64  `json:"retry_after_ms"`
		}
		if json.Unmarshal(raw, &m) == nil {
			e.ErrCode, e.Message, e.RetryAfter = m.ErrCode, m.Error, time.Duration(m.RetryAfter)*time.Millisecond
		} else {
			e.Message = http.StatusText(resp.StatusCode)
		}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && e.RetryAfter == 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
		return e
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("matrix: %s: decode answer: %w", op, err)
		}
	}
	return nil
}
