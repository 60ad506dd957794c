package telegrambot

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/camera/camtest"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver/telegram/telegramtest"
)

const (
	token = "777:bot-secret-token"
	chat  = 4242
)

// running is a bot run in the background; stop cancels it and waits for Run to return.
type running struct {
	cam  *camtest.Camera
	srv  *telegramtest.Server
	dir  string
	stop func() error
}

func start(t *testing.T, srv *telegramtest.Server, dataDir string, o Options) *running {
	t.Helper()
	cam, err := camtest.NewIn(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	o.Config = conf.Telegram{Token: token, ChatID: "4242", APIURL: srv.URL}
	if o.Config.Token != "" && o.Camera == nil {
		o.Camera = cam
	}
	o.DataDir, o.PollTimeout = dataDir, time.Second
	bot := New(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx) }()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(10 * time.Second):
				runErr = errors.New("Run did not return 10 s after cancel")
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	return &running{cam: cam, srv: srv, dir: dataDir, stop: stop}
}

// send pushes a command and waits for the n-th answer, which it returns.
func (r *running) send(t *testing.T, text string) telegramtest.Request {
	t.Helper()
	before := len(r.srv.Sent())
	r.srv.Push(chat, text)
	var got telegramtest.Request
	r.srv.WaitFor(t, 10*time.Second, func([]telegramtest.Request) bool {
		s := r.srv.Sent()
		if len(s) > before {
			got = s[before]
			return true
		}
		return false
	})
	return got
}

func TestCommands(t *testing.T) {
	clip := filepath.Join(t.TempDir(), "2026-11-26_14-35-01.mp4")
	clipBytes := append([]byte("\x00\x00\x00\x18ftypmp42"), bytes.Repeat([]byte{7}, 4000)...)
	if err := os.WriteFile(clip, clipBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := telegramtest.New(t, token)
	r := start(t, srv, t.TempDir(), Options{LatestClip: func() (string, bool) { return clip, true }})
	cfg := func() *conf.Config { return r.cam.Config() }

	tests := []struct {
		cmd       string
		method    string // the answer's method
		wantText  string // a part of the answer's text
		wantCalls []string
		check     func(t *testing.T)
	}{
		{cmd: "/help", method: "sendMessage", wantText: "/nighton"},
		{cmd: "/status", method: "sendMessage", wantText: "camtest"},
		{cmd: "/off", method: "sendMessage", wantText: "off", wantCalls: []string{"Reload", "ServiceControl motion stop"},
			check: func(t *testing.T) {
				if cfg().Motion.Detection {
					t.Errorf("motion_detection: got on, want off")
				}
				if r.cam.Motion().Enabled {
					t.Errorf("motion service: got running, want stopped")
				}
			}},
		{cmd: "/on", method: "sendMessage", wantText: "on", wantCalls: []string{"Reload", "ServiceControl motion start"},
			check: func(t *testing.T) {
				if !cfg().Motion.Detection || !r.cam.Motion().Enabled {
					t.Errorf("got detection %v service %v, want both on", cfg().Motion.Detection, r.cam.Motion().Enabled)
				}
			}},
		{cmd: "/nighton", method: "sendMessage", wantText: "Night mode on", wantCalls: []string{"SetNightMode night"},
			check: func(t *testing.T) {
				if !r.cam.Night().Night {
					t.Errorf("night: got day, want night")
				}
			}},
		{cmd: "/nightoff@freecam_bot", method: "sendMessage", wantText: "Night mode off", wantCalls: []string{"SetNightMode day"}},
		{cmd: "/videoalerts", method: "sendMessage", wantText: "video", wantCalls: []string{"Reload"},
			check: func(t *testing.T) {
				if got := cfg().Motion.TelegramAlert; got != conf.AlertVideo {
					t.Errorf("telegram_alert_type: got %q, want video", got)
				}
			}},
		{cmd: "/textalerts", method: "sendMessage", wantText: "text", wantCalls: []string{"Reload"},
			check: func(t *testing.T) {
				if got := cfg().Motion.TelegramAlert; got != conf.AlertText {
					t.Errorf("telegram_alert_type: got %q, want text", got)
				}
			}},
		{cmd: "/imagealerts", method: "sendMessage", wantText: "image", wantCalls: []string{"Reload"},
			check: func(t *testing.T) {
				if got := cfg().Motion.TelegramAlert; got != conf.AlertImage {
					t.Errorf("telegram_alert_type: got %q, want image", got)
				}
			}},
		{cmd: "/shot", method: "sendPhoto"},
		{cmd: "/clip", method: "sendVideo"},
		{cmd: "/bogus", method: "sendMessage", wantText: "Unknown command"},
	}
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) {
			before := len(r.cam.Calls())
			got := r.send(t, tc.cmd)
			if got.Method != tc.method || got.Fields["chat_id"] != "4242" {
				t.Fatalf("answer: got %s to %q, want %s to 4242", got.Method, got.Fields["chat_id"], tc.method)
			}
			if !strings.Contains(got.Fields["text"], tc.wantText) {
				t.Errorf("answer text: got %q, want it to contain %q", got.Fields["text"], tc.wantText)
			}
			if calls := r.cam.Calls()[before:]; !slices.Equal(calls, tc.wantCalls) && !(len(calls) == 0 && tc.wantCalls == nil) {
				t.Errorf("camera calls: got %q, want %q", calls, tc.wantCalls)
			}
			switch tc.method {
			case "sendPhoto":
				if got.FileField != "photo" || !bytes.Equal(got.File, r.cam.JPEG()) {
					t.Errorf("photo: got field %q %d bytes, want photo with the camera's %d bytes", got.FileField, len(got.File), len(r.cam.JPEG()))
				}
			case "sendVideo":
				if got.FileField != "video" || !bytes.Equal(got.File, clipBytes) {
					t.Errorf("video: got field %q %d bytes, want video with the clip's %d bytes", got.FileField, len(got.File), len(clipBytes))
				}
			}
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
}

func TestClipWithoutClips(t *testing.T) {
	for _, tc := range []struct {
		name   string
		latest func() (string, bool)
	}{
		{"no LatestClip", nil},
		{"none yet", func() (string, bool) { return "", false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := start(t, telegramtest.New(t, token), "", Options{LatestClip: tc.latest})
			got := r.send(t, "/clip")
			if got.Method != "sendMessage" || !strings.Contains(got.Fields["text"], "No motion clip") {
				t.Errorf("got %s %q, want a message saying there is no clip", got.Method, got.Fields["text"])
			}
		})
	}
}

func TestOtherChatsAreIgnored(t *testing.T) {
	srv := telegramtest.New(t, token)
	r := start(t, srv, t.TempDir(), Options{})
	srv.Push(999, "/nighton")
	srv.Push(-100123, "/off")
	got := r.send(t, "/help") // answered after the two others were read
	if got.Fields["chat_id"] != "4242" {
		t.Errorf("answer to: got %q, want 4242", got.Fields["chat_id"])
	}
	if n := len(srv.Sent()); n != 1 {
		t.Errorf("answers: got %d, want 1 (only the configured chat's)", n)
	}
	if calls := r.cam.Calls(); len(calls) != 0 {
		t.Errorf("camera calls: got %q, want none", calls)
	}
}

func TestOffsetSurvivesRestart(t *testing.T) {
	dataDir := t.TempDir()
	srv := telegramtest.New(t, token)
	r := start(t, srv, dataDir, Options{})
	id := srv.Push(chat, "/nighton")
	srv.WaitFor(t, 10*time.Second, func([]telegramtest.Request) bool { return len(srv.Sent()) == 1 })
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dataDir, OffsetFile))
	if err != nil || strings.TrimSpace(string(raw)) != "102" || id != 101 {
		t.Fatalf("offset file: got %q (%v) after update %d, want 102", raw, err, id)
	}

	// A new Telegram that never saw the confirmation still holds update 101: the restarted bot
	// must ask from 102 on and so run only the new command.
	srv2 := telegramtest.New(t, token)
	srv2.Push(chat, "/nighton") // 101, old
	srv2.Push(chat, "/help")    // 102, new
	r2 := start(t, srv2, dataDir, Options{})
	srv2.WaitFor(t, 10*time.Second, func([]telegramtest.Request) bool { return len(srv2.Sent()) >= 1 })
	if err := r2.stop(); err != nil {
		t.Fatal(err)
	}
	first := srv2.Requests()[0]
	if first.Method != "getUpdates" || first.Query.Get("offset") != "102" {
		t.Errorf("first call: got %s offset %q, want getUpdates offset 102", first.Method, first.Query.Get("offset"))
	}
	if sent := srv2.Sent(); len(sent) != 1 || !strings.Contains(sent[0].Fields["text"], "/status") {
		t.Errorf("answers: got %v, want only /help's", sent)
	}
	if calls := r2.cam.Calls(); len(calls) != 0 {
		t.Errorf("camera calls: got %q, want none (the old /nighton must not run again)", calls)
	}
}

// records counts log records at or above Warn.
type records struct {
	mu   sync.Mutex
	msgs []string
	got  chan struct{} // one token per record
}

func (h *records) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (h *records) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	h.msgs = append(h.msgs, b.String())
	select {
	case h.got <- struct{}{}:
	default:
	}
	return nil
}
func (h *records) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *records) WithGroup(string) slog.Handler      { return h }
func (h *records) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.msgs)
}

func TestRefusedTokenLoggedOnceAndBacksOff(t *testing.T) {
	srv := telegramtest.New(t, "777:the-right-token")
	logs := &records{got: make(chan struct{}, 100)}
	r := start(t, srv, "", Options{Log: slog.New(logs), AuthBackoff: time.Hour})
	select {
	case <-logs.got:
	case <-time.After(10 * time.Second):
		t.Fatalf("no log line 10 s after start; 401s seen: %d", srv.Unauthorized())
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if n := srv.Unauthorized(); n != 1 {
		t.Errorf("getUpdates after a 401: got %d calls, want 1 (then wait AuthBackoff)", n)
	}
	msgs := logs.all()
	if len(msgs) != 1 || !strings.Contains(msgs[0], "token") {
		t.Errorf("logs: got %q, want one line about the token", msgs)
	}
	for _, m := range msgs {
		if strings.Contains(m, "bot-secret") {
			t.Errorf("log shows the token: %s", m)
		}
	}
}
