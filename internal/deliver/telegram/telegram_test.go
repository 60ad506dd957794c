package telegram

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
	"github.com/freecam/freecam/internal/deliver/telegram/telegramtest"
	"github.com/freecam/freecam/internal/testutil"
)

const token = "123456:secret-token-ABC"

func files(t *testing.T) (jpg, mp4 string, jpgBytes, mp4Bytes []byte) {
	t.Helper()
	dir := t.TempDir()
	jpgBytes = append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte("picture"), 300)...)
	mp4Bytes = append([]byte("\x00\x00\x00\x20ftypisom"), bytes.Repeat([]byte("clip"), 5000)...)
	jpg, mp4 = filepath.Join(dir, "a.jpg"), filepath.Join(dir, "a.mp4")
	if err := os.WriteFile(jpg, jpgBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mp4, mp4Bytes, 0o644); err != nil {
		t.Fatal(err)
	}
	return jpg, mp4, jpgBytes, mp4Bytes
}

func TestDeliverFollowsAlertTypeAndKind(t *testing.T) {
	jpg, mp4, jpgBytes, mp4Bytes := files(t)
	type sent struct{ method, field string }
	tests := []struct {
		alert conf.AlertType
		kind  deliver.Kind
		want  []sent
	}{
		{conf.AlertText, deliver.Text, []sent{{"sendMessage", ""}}},
		{conf.AlertText, deliver.Snapshot, []sent{{"sendMessage", ""}}},
		{conf.AlertText, deliver.Clip, nil},
		{conf.AlertImage, deliver.Snapshot, []sent{{"sendPhoto", "photo"}}},
		{conf.AlertImage, deliver.Clip, nil},
		{conf.AlertVideo, deliver.Snapshot, nil},
		{conf.AlertVideo, deliver.Clip, []sent{{"sendVideo", "video"}}},
		{conf.AlertVideoImage, deliver.Snapshot, []sent{{"sendPhoto", "photo"}}},
		{conf.AlertVideoImage, deliver.Clip, []sent{{"sendVideo", "video"}}},
		{"", deliver.Snapshot, []sent{{"sendPhoto", "photo"}}},
	}
	for _, tc := range tests {
		t.Run(string(tc.alert)+"/"+string(tc.kind), func(t *testing.T) {
			srv := telegramtest.New(t, token)
			tg := New(conf.Telegram{Token: token, ChatID: "4242", APIURL: srv.URL}, tc.alert, Options{})
			it := deliver.Item{ID: "ev1-x", Kind: tc.kind, Text: "Motion detected on cam at 14:35:01"}
			switch tc.kind {
			case deliver.Snapshot:
				it.Files = []string{jpg}
			case deliver.Clip:
				it.Files = []string{mp4}
			}
			if err := tg.Deliver(context.Background(), it); err != nil {
				t.Fatalf("Deliver: got %v, want nil", err)
			}
			got := srv.Sent()
			if len(got) != len(tc.want) {
				t.Fatalf("got %d requests %v, want %v", len(got), got, tc.want)
			}
			for i, r := range got {
				if r.Method != tc.want[i].method || r.FileField != tc.want[i].field {
					t.Errorf("request %d: got %s field %q, want %s field %q", i, r.Method, r.FileField, tc.want[i].method, tc.want[i].field)
				}
				if r.HTTPMethod != "POST" || r.Fields["chat_id"] != "4242" {
					t.Errorf("request %d: got %s chat_id %q, want POST chat_id 4242", i, r.HTTPMethod, r.Fields["chat_id"])
				}
				switch r.Method {
				case "sendMessage":
					if r.Fields["text"] != it.Text {
						t.Errorf("text: got %q, want %q", r.Fields["text"], it.Text)
					}
				case "sendPhoto":
					if !bytes.Equal(r.File, jpgBytes) || r.FileType != "image/jpeg" || r.Fields["caption"] != it.Text {
						t.Errorf("photo: got %d bytes %q caption %q, want %d bytes image/jpeg caption %q", len(r.File), r.FileType, r.Fields["caption"], len(jpgBytes), it.Text)
					}
				case "sendVideo":
					if !bytes.Equal(r.File, mp4Bytes) || r.FileType != "video/mp4" || r.Fields["supports_streaming"] != "true" || r.Fields["caption"] != it.Text {
						t.Errorf("video: got %d bytes %q streaming %q caption %q, want %d bytes video/mp4 true %q",
							len(r.File), r.FileType, r.Fields["supports_streaming"], r.Fields["caption"], len(mp4Bytes), it.Text)
					}
				}
			}
		})
	}
}

func TestDeliverErrors(t *testing.T) {
	jpg, _, _, _ := files(t)
	tests := []struct {
		name       string
		code       int
		retryAfter int
		token      string
		permanent  bool
		retry      time.Duration
	}{
		{name: "429 long wait is retried later", code: 429, retryAfter: 60, permanent: false, retry: 60 * time.Second},
		{name: "500 is retried", code: 500, permanent: false},
		{name: "400 is permanent", code: 400, permanent: true},
		{name: "413 is permanent", code: 413, permanent: true},
		{name: "401 wrong token is retried", token: "999:wrong-token", permanent: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := telegramtest.New(t, token)
			tok := token
			if tc.token != "" {
				tok = tc.token
			} else {
				srv.FailNext("sendPhoto", tc.code, "Some description", tc.retryAfter)
			}
			tg := New(conf.Telegram{Token: conf.Secret(tok), ChatID: "1", APIURL: srv.URL}, conf.AlertImage, Options{})
			err := tg.Deliver(context.Background(), deliver.Item{ID: "i", Kind: deliver.Snapshot, Files: []string{jpg}})
			if err == nil {
				t.Fatal("got nil error, want one")
			}
			if got := deliver.IsPermanent(err); got != tc.permanent {
				t.Errorf("permanent: got %v, want %v (%v)", got, tc.permanent, err)
			}
			if strings.Contains(err.Error(), "secret-token") || strings.Contains(err.Error(), "wrong-token") {
				t.Errorf("error shows the token: %v", err)
			}
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("got %T, want an *APIError inside", err)
			}
			if ae.Retry() != tc.retry {
				t.Errorf("Retry: got %v, want %v", ae.Retry(), tc.retry)
			}
			if tc.token != "" && !strings.Contains(err.Error(), "apiToken") {
				t.Errorf("401 error does not say what to fix: %v", err)
			}
		})
	}
}

func TestShort429IsWaitedForOnce(t *testing.T) {
	jpg, _, _, _ := files(t)
	srv := telegramtest.New(t, token)
	srv.FailNext("sendPhoto", 429, "Too Many Requests: retry after 1", 1)
	tg := New(conf.Telegram{Token: token, ChatID: "1", APIURL: srv.URL}, conf.AlertImage, Options{})
	start := time.Now()
	if err := tg.Deliver(context.Background(), deliver.Item{ID: "i", Kind: deliver.Snapshot, Files: []string{jpg}}); err != nil {
		t.Fatalf("Deliver: got %v, want nil", err)
	}
	if got := len(srv.Sent()); got != 2 {
		t.Errorf("requests: got %d, want 2", got)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("retried after %v, want at least retry_after 1 s", d)
	}
}

func TestUnreachableErrorHidesToken(t *testing.T) {
	tg := New(conf.Telegram{Token: token, ChatID: "1", APIURL: "http://127.0.0.1:1"}, conf.AlertText, Options{})
	err := tg.Deliver(context.Background(), deliver.Item{ID: "i", Kind: deliver.Text, Text: "x"})
	if err == nil || deliver.IsPermanent(err) {
		t.Fatalf("got %v, want a retryable error", err)
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Errorf("error shows the token: %v", err)
	}
	if !strings.Contains(err.Error(), "REDACTED") {
		t.Errorf("error %q: want the URL with the token REDACTED", err)
	}
}

func TestRetryAfterFailureSendsAgain(t *testing.T) {
	jpg, _, _, _ := files(t)
	srv := telegramtest.New(t, token)
	srv.FailNext("sendPhoto", 502, "Bad Gateway", 0)
	tg := New(conf.Telegram{Token: token, ChatID: "1", APIURL: srv.URL}, conf.AlertImage, Options{})
	it := deliver.Item{ID: "i", Kind: deliver.Snapshot, Files: []string{jpg}}
	if err := tg.Deliver(context.Background(), it); err == nil {
		t.Fatal("first Deliver: got nil, want the 502")
	}
	if err := tg.Deliver(context.Background(), it); err != nil {
		t.Fatalf("second Deliver: got %v, want nil", err)
	}
	if got := len(srv.Sent()); got != 2 {
		t.Errorf("requests: got %d, want 2", got)
	}
}

func BenchmarkSendPhoto(b *testing.B) {
	srv := telegramtest.New(b, token)
	dir := b.TempDir()
	jpg := filepath.Join(dir, "a.jpg")
	if err := os.WriteFile(jpg, bytes.Repeat([]byte{0xff}, 60<<10), 0o644); err != nil {
		b.Fatal(err)
	}
	tg := New(conf.Telegram{Token: token, ChatID: "1", APIURL: srv.URL}, conf.AlertImage, Options{})
	b.ReportAllocs()
	for b.Loop() {
		if err := tg.Deliver(context.Background(), deliver.Item{ID: "i", Kind: deliver.Snapshot, Files: []string{jpg}}); err != nil {
			b.Fatal(err)
		}
	}
}

// A refused photo through a real queue: the queue's error and its log line say the target and
// the item once each (the review saw "deliver: telegram: <id>: item <id>: telegram: sendPhoto").
func TestQueueErrorNamesTargetAndItemOnce(t *testing.T) {
	jpg, _, _, _ := files(t)
	srv := telegramtest.New(t, token)
	srv.FailNext("sendPhoto", 400, "Bad Request: PHOTO_INVALID_DIMENSIONS", 0)
	var logs testutil.SyncBuffer
	q, err := deliver.NewQueue(deliver.Options{
		Dir:    t.TempDir(),
		Target: New(conf.Telegram{Token: token, ChatID: "4242", APIURL: srv.URL}, conf.AlertImage, Options{}),
		Log:    slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	const id = "20261126-143501-snap"
	if err := q.Enqueue(deliver.Item{ID: id, Kind: deliver.Snapshot, Files: []string{jpg}, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()
	defer func() { cancel(); <-done }()
	testutil.WaitWithin(t, 5*time.Second, "the refused photo dropped", func() bool { return q.Status().Dropped == 1 })

	want := "deliver: telegram: item " + id + ": permanent: sendPhoto: 400 Bad Request: PHOTO_INVALID_DIMENSIONS"
	if got := q.Status().LastError; got != want {
		t.Errorf("last error: got %q, want %q", got, want)
	}
	var line string
	for l := range strings.SplitSeq(logs.String(), "\n") {
		if strings.Contains(l, "dropped an item") {
			line = l
		}
	}
	if strings.Count(line, id) != 1 || strings.Count(line, "telegram") != 1 || !strings.Contains(line, "PHOTO_INVALID_DIMENSIONS") {
		t.Errorf("log line: got %q, want the item and the target once each, and the reason", line)
	}
}
