// Package telegram sends motion alerts to a Telegram chat through the Bot API (sendMessage,
// sendPhoto, sendVideo), as the firmware's bin/telegram did, and holds the small Bot API client
// the Telegram bot (internal/telegrambot) shares. It never logs or returns the bot token.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/freecam/freecam/internal/backoff"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
)

var _ deliver.Target = (*Target)(nil)

// Options tune a Target. The zero value is usable.
type Options struct {
	Log *slog.Logger // default: discard
	// Timeout bounds one API call (an upload included); default 60 s.
	Timeout time.Duration
	// HTTPClient replaces the default client (tests).
	HTTPClient *http.Client
	// MaxRetryWait: a 429 asking to wait at most this long is waited for inside Deliver and the
	// call tried once more; a longer wait is returned as an *APIError whose Retry() says how long.
	// Default 5 s; negative: never wait inside Deliver.
	MaxRetryWait time.Duration
}

// Target delivers items to telegram.conf's chat. Safe for concurrent use.
type Target struct {
	cl    Client
	chat  string
	alert conf.AlertType
	log   *slog.Logger
	opts  Options
}

// New returns the Telegram target. alert is motion.conf's telegram_alert_type ("" means image).
// What an item sends:
//   - a Text item: its text as a message;
//   - a Snapshot: the picture (alert image or video+image), the text (alert text), nothing (video);
//   - a Clip: the clip (alert video or video+image), nothing otherwise.
//
// So the caller may hand every event's picture and clip to the target and let the alert type choose.
func New(c conf.Telegram, alert conf.AlertType, o Options) *Target {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.MaxRetryWait == 0 {
		o.MaxRetryWait = 5 * time.Second
	}
	if alert == "" {
		alert = conf.AlertImage
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	return &Target{
		cl:    Client{BaseURL: c.APIURL, Token: c.Token, HTTP: hc},
		chat:  c.ChatID,
		alert: alert,
		log:   o.Log.With("target", "telegram"),
		opts:  o,
	}
}

// Name is "telegram".
func (t *Target) Name() string { return "telegram" }

// Deliver sends the item as the alert type says: at most one message per item, so a retry
// repeats nothing that went out.
func (t *Target) Deliver(ctx context.Context, it deliver.Item) error {
	if t.chat == "" || t.cl.Token == "" {
		return &deliver.Permanent{Err: errors.New("telegram: apiToken and userChatId must be set in telegram.conf")}
	}
	text := it.Text
	if text == "" {
		text = "Motion detected"
	}
	var parts []part
	msg := part{"text", func(ctx context.Context) error { return t.cl.SendMessage(ctx, t.chat, text) }}
	switch it.Kind {
	case deliver.Text:
		parts = append(parts, msg)
	case deliver.Snapshot:
		switch {
		case t.alert == conf.AlertText:
			parts = append(parts, msg)
		case t.alert.Image():
			if len(it.Files) == 0 {
				return &deliver.Permanent{Err: errors.New("telegram: snapshot item without a file")}
			}
			parts = append(parts, part{"photo", func(ctx context.Context) error {
				return t.cl.SendPhotoFile(ctx, t.chat, it.Files[0], it.Text)
			}})
		}
	case deliver.Clip:
		if t.alert.Video() {
			if len(it.Files) == 0 {
				return &deliver.Permanent{Err: errors.New("telegram: clip item without a file")}
			}
			parts = append(parts, part{"video", func(ctx context.Context) error {
				return t.cl.SendVideoFile(ctx, t.chat, it.Files[0], it.Text)
			}})
		}
	default:
		return &deliver.Permanent{Err: fmt.Errorf("telegram: unknown item kind %q", it.Kind)}
	}
	for _, p := range parts {
		if err := t.try(ctx, p.send); err != nil {
			return classify(err) // the queue names the item
		}
	}
	return nil
}

// try runs one call, and once more after a short 429 wait.
func (t *Target) try(ctx context.Context, send func(context.Context) error) error {
	call := func() error {
		cctx, cancel := context.WithTimeout(ctx, t.opts.Timeout)
		defer cancel()
		return send(cctx)
	}
	err := call()
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == http.StatusTooManyRequests && ae.RetryAfter > 0 && ae.RetryAfter <= t.opts.MaxRetryWait {
		if !backoff.Sleep(ctx, ae.RetryAfter) {
			return err
		}
		err = call()
	}
	return err
}

// part is one message of an item.
type part struct {
	name string
	send func(ctx context.Context) error
}
