package logring

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/freecam/freecam/internal/conf"
)

func newLogger(size int) (*Ring, *slog.Logger, *bytes.Buffer) {
	var out bytes.Buffer
	r := New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelInfo}), size)
	return r, slog.New(r.Handler()), &out
}

func TestRingKeepsTheLastLinesInOrder(t *testing.T) {
	r, log, _ := newLogger(3)
	for i := range 5 {
		log.Info(fmt.Sprintf("m%d", i))
	}
	tests := []struct {
		name string
		n    int
		want []string
	}{
		{"all", 0, []string{"m2", "m3", "m4"}},
		{"last two", 2, []string{"m3", "m4"}},
		{"more than held", 10, []string{"m2", "m3", "m4"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, l := range r.Lines(tc.n) {
				got = append(got, l.Message)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEmptyRingHasNoLines(t *testing.T) {
	r, _, _ := newLogger(0)
	if got := r.Lines(5); len(got) != 0 {
		t.Errorf("got %d lines, want 0", len(got))
	}
	if got := len(r.lines); got != DefaultSize {
		t.Errorf("got size %d, want the default %d", got, DefaultSize)
	}
}

func TestRecordsGoOnToTheNextHandlerAndEnabledFollowsIt(t *testing.T) {
	r, log, out := newLogger(10)
	log.Debug("hidden")
	log.With("component", "rtsp").WithGroup("req").Warn("slow", "ms", 12)
	if got, want := out.String(), "level=WARN msg=slow component=rtsp req.ms=12"; !strings.Contains(got, want) {
		t.Errorf("next handler got %q, want it to contain %q", got, want)
	}
	if strings.Contains(out.String(), "hidden") {
		t.Errorf("next handler got a debug record, want it filtered by its level")
	}
	lines := r.Lines(0)
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1 (the debug record is not enabled)", len(lines))
	}
	if got, want := lines[0].Level, "WARN"; got != want {
		t.Errorf("got level %q, want %q", got, want)
	}
	if time.Since(lines[0].Time) > time.Minute || lines[0].Time.IsZero() {
		t.Errorf("got time %v, want the record's time (now)", lines[0].Time)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		log  func(*slog.Logger)
		want string
	}{
		{"plain", func(l *slog.Logger) { l.Info("started") }, "started"},
		{"attrs", func(l *slog.Logger) { l.Info("hi", "a", 1, "s", "x y", "b", true, "f", 1.5, "e", "") }, `hi a=1 s="x y" b=true f=1.5 e=""`},
		{"with and group", func(l *slog.Logger) { l.With("c", "comp").WithGroup("g").Info("m", "k", true) }, "m c=comp g.k=true"},
		{"nested groups", func(l *slog.Logger) {
			l.WithGroup("a").With("x", 1).WithGroup("b").Info("m", slog.Group("c", "y", 2))
		}, "m a.x=1 a.b.c.y=2"},
		{"group attr", func(l *slog.Logger) { l.Info("m", slog.Group("grp", "x", 1, "z", "w")) }, "m grp.x=1 grp.z=w"},
		{"empty group is dropped", func(l *slog.Logger) { l.WithGroup("g").Info("m") }, "m"},
		{"inline group", func(l *slog.Logger) { l.Info("m", slog.Group("", "x", 1)) }, "m x=1"},
		{"error", func(l *slog.Logger) { l.Error("failed", "err", errors.New("boom here")) }, `failed err="boom here"`},
		{"duration", func(l *slog.Logger) { l.Info("m", "d", 1500*time.Millisecond) }, "m d=1.5s"},
		{"newline in message", func(l *slog.Logger) { l.Info("a\nb") }, `"a\nb"`},
		{"newline in value", func(l *slog.Logger) { l.Info("m", "v", "a\nb") }, `m v="a\nb"`},
		{"secret", func(l *slog.Logger) { l.Info("login", "password", conf.Secret("hunter2")) }, "login password=REDACTED"},
		{"secret in with", func(l *slog.Logger) { l.With("token", conf.Secret("hunter2")).Info("m") }, "m token=REDACTED"},
		{"secret in group", func(l *slog.Logger) {
			l.Info("m", slog.Group("mqtt", "user", "bob", "pass", conf.Secret("hunter2")))
		}, "m mqtt.user=bob mqtt.pass=REDACTED"},
		{"secret as any", func(l *slog.Logger) { l.Info("m", slog.Any("s", conf.Secret("hunter2"))) }, "m s=REDACTED"},
		{"log valuer only", func(l *slog.Logger) { l.Info("m", "tok", hidden{"hunter2"}) }, "m tok=hidden"},
		{"log valuer in group", func(l *slog.Logger) { l.Info("m", slog.Group("g", "tok", hidden{"hunter2"})) }, "m g.tok=hidden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, log, _ := newLogger(4)
			tc.log(log)
			lines := r.Lines(0)
			if len(lines) != 1 {
				t.Fatalf("got %d lines, want 1", len(lines))
			}
			if got := lines[0].Message; got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if strings.Contains(lines[0].Message, "hunter2") {
				t.Errorf("got the secret in %q, want it redacted", lines[0].Message)
			}
		})
	}
}

// hidden redacts itself through LogValue only (fmt would print its field).
type hidden struct{ s string }

func (hidden) LogValue() slog.Value { return slog.StringValue("hidden") }

func TestLongLinesAreCutAtACharacterBoundary(t *testing.T) {
	r, log, out := newLogger(2)
	long := strings.Repeat("é", 3*MaxLine)
	log.Info("m", "v", long, "after", 1)
	got := r.Lines(1)[0].Message
	if len(got) > MaxLine {
		t.Errorf("got a line of %d bytes, want at most %d", len(got), MaxLine)
	}
	if !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "m v="+"éé") {
		t.Errorf("got %q…%q, want the start of the line ending in …", got[:10], got[len(got)-10:])
	}
	if !utf8.ValidString(got) {
		t.Errorf("got invalid UTF-8, want the cut at a character boundary")
	}
	if !strings.Contains(out.String(), long) {
		t.Errorf("got the next handler's line cut too, want it whole")
	}
}

func TestConcurrentLoggingKeepsEachWritersOrder(t *testing.T) {
	const writers, each, size = 8, 300, 500
	r, log, _ := newLogger(size)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	go func() { // a reader, as the web page would be
		for {
			select {
			case <-stop:
				return
			default:
				_ = r.Lines(50)
			}
		}
	}()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := log.With("w", w)
			for i := range each {
				l.Info("m", "i", i)
			}
		}()
	}
	wg.Wait()
	close(stop)
	lines := r.Lines(0)
	if len(lines) != size {
		t.Fatalf("got %d lines, want %d", len(lines), size)
	}
	last := map[int]int{}
	for _, l := range lines {
		var w, i int
		if _, err := fmt.Sscanf(l.Message, "m w=%d i=%d", &w, &i); err != nil {
			t.Fatalf("got line %q, want m w=N i=N: %v", l.Message, err)
		}
		if prev, ok := last[w]; ok && i <= prev {
			t.Errorf("writer %d: got i=%d after i=%d, want increasing", w, i, prev)
		}
		last[w] = i
	}
	for w, i := range last {
		if i != each-1 {
			t.Errorf("writer %d: got last i=%d, want %d (its newest line kept)", w, i, each-1)
		}
	}
}

func BenchmarkHandle(b *testing.B) {
	for _, bc := range []struct {
		name string
		h    func() slog.Handler
	}{
		{"text only", func() slog.Handler { return slog.NewTextHandler(io.Discard, nil) }},
		{"ring and text", func() slog.Handler { return New(slog.NewTextHandler(io.Discard, nil), 0) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			log := slog.New(bc.h()).With("component", "rtsp")
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				log.Info("reader connected", "n", i, "addr", "192.168.1.20:51234", "took", 3*time.Millisecond)
			}
		})
	}
}
