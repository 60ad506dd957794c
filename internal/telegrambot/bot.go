// Package telegrambot is the firmware's Telegram bot daemon: it long-polls the Bot API for
// messages and answers commands (/status, /shot, /clip, /on, /off, /nighton, /nightoff, the alert
// types, /help) from the one chat of telegram.conf only. It acts through camera.Camera and
// conf.Apply, never a shell. The last update id is kept in a file so a restart does not run old
// commands again. It never logs the bot token.
package telegrambot

import (
	"context"
	"errors"
	"fmt"
	"github.com/freecam/freecam/internal/fsutil"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/backoff"
	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver/telegram"
)

// OffsetFile is the name of the file in DataDir that holds the next update id.
const OffsetFile = "telegram-bot.offset"

// Options configure a Bot.
type Options struct {
	Config conf.Telegram // token, chat and API base (required)
	Camera camera.Camera // what commands act on (required)
	Log    *slog.Logger  // default: discard
	// HTTPClient replaces the default client (tests). Its timeout, if any, must exceed PollTimeout.
	HTTPClient *http.Client
	// PollTimeout is how long one getUpdates waits on Telegram's side; default 30 s.
	PollTimeout time.Duration
	// DataDir holds OffsetFile; "" keeps the offset in memory only (a restart may then see the
	// last day's unconfirmed commands again).
	DataDir string
	// LatestClip returns the newest motion clip, for /clip; nil means there is none yet.
	LatestClip func() (path string, ok bool)
	// AuthBackoff is the wait after Telegram refused the token (401), before trying again;
	// default 10 min. The firmware's bot exited instead.
	AuthBackoff time.Duration
	// CommandTimeout bounds one command (a snapshot, an upload); default 60 s.
	CommandTimeout time.Duration
}

// Bot is the Telegram bot. Run it once; it is not restartable concurrently.
type Bot struct {
	o   Options
	cl  *telegram.Client
	log *slog.Logger
}

// New returns a bot; it starts nothing.
func New(o Options) *Bot {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 30 * time.Second
	}
	if o.AuthBackoff <= 0 {
		o.AuthBackoff = 10 * time.Minute
	}
	if o.CommandTimeout <= 0 {
		o.CommandTimeout = 60 * time.Second
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	return &Bot{
		o:   o,
		cl:  &telegram.Client{BaseURL: o.Config.APIURL, Token: o.Config.Token, HTTP: hc},
		log: o.Log.With("component", "telegram-bot"),
	}
}

// Run polls and answers until ctx ends (then it returns nil). Commands run one at a time, in
// order. Failures to reach Telegram are retried with backoff and logged once per outage; a refused
// token is logged once and retried every AuthBackoff.
func (b *Bot) Run(ctx context.Context) error {
	if !b.o.Config.Configured() {
		return errors.New("telegram-bot: apiToken and userChatId must be set in telegram.conf")
	}
	if b.o.Camera == nil {
		return errors.New("telegram-bot: no camera")
	}
	offset := b.loadOffset()
	bo := backoff.Backoff{Initial: time.Second, Max: time.Minute}
	failing, authLogged := false, false
	for ctx.Err() == nil {
		pctx, cancel := context.WithTimeout(ctx, b.o.PollTimeout+15*time.Second)
		start := time.Now()
		ups, err := b.cl.GetUpdates(pctx, offset, b.o.PollTimeout)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			var ae *telegram.APIError
			if errors.As(err, &ae) && ae.Code == http.StatusUnauthorized {
				if !authLogged {
					b.log.Error("telegram refused the bot token; waiting before trying again", "err", err, "retry_in", b.o.AuthBackoff)
					authLogged = true
				}
				backoff.Sleep(ctx, b.o.AuthBackoff)
				continue
			}
			if !failing {
				b.log.Warn("telegram unreachable; retrying", "err", err)
				failing = true
			}
			d := bo.Next(time.Since(start))
			if errors.As(err, &ae) && ae.RetryAfter > d {
				d = ae.RetryAfter
			}
			backoff.Sleep(ctx, d)
			continue
		}
		if failing || authLogged {
			b.log.Info("telegram reachable again")
			failing, authLogged = false, false
		}
		bo.Reset()
		for _, u := range ups {
			if u.UpdateID < offset {
				continue
			}
			offset = u.UpdateID + 1
			// Saved before acting: a crash during a command must not run it again.
			b.saveOffset(offset)
			if u.Message != nil {
				b.handle(ctx, u.Message)
			}
		}
	}
	return nil
}

func (b *Bot) loadOffset() int64 {
	if b.o.DataDir == "" {
		return 0
	}
	raw, err := os.ReadFile(filepath.Join(b.o.DataDir, OffsetFile))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			b.log.Warn("cannot read the update offset; starting from Telegram's", "err", err)
		}
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil || n < 0 {
		b.log.Warn("damaged update offset file ignored", "file", filepath.Join(b.o.DataDir, OffsetFile))
		return 0
	}
	return n
}

// saveOffset writes the offset atomically (temp file, fsync, rename).
func (b *Bot) saveOffset(n int64) {
	if b.o.DataDir == "" {
		return
	}
	if err := writeAtomic(filepath.Join(b.o.DataDir, OffsetFile), []byte(strconv.FormatInt(n, 10)+"\n")); err != nil {
		b.log.Warn("cannot save the update offset", "err", err)
	}
}

func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, data, 0o600)
}

// fromConfiguredChat reports whether m comes from telegram.conf's userChatId (a number, or
// @name for a channel).
func (b *Bot) fromConfiguredChat(m *telegram.Message) bool {
	want := b.o.Config.ChatID
	if strconv.FormatInt(m.Chat.ID, 10) == want {
		return true
	}
	return strings.HasPrefix(want, "@") && m.Chat.Username != "" && strings.EqualFold("@"+m.Chat.Username, want)
}
