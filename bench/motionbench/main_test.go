package main

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/source/y4m"
)

// clip is a 10 fps Y4M stream: still grey for the first still frames, then a bright square
// crossing the picture.
func clip(t *testing.T, w, h, still, moving int) *y4m.Reader {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", w, h)
	y := make([]byte, w*h)
	c := bytes.Repeat([]byte{128}, w*h/2)
	for n := 0; n < still+moving; n++ {
		for i := range y {
			y[i] = 90
		}
		if n >= still {
			x0 := (n - still) * 8 % (w - 40)
			for r := h/2 - 20; r < h/2+20; r++ {
				for x := x0; x < x0+40; x++ {
					y[r*w+x] = 230
				}
			}
		}
		b.WriteString("FRAME\n")
		b.Write(y)
		b.Write(c)
	}
	rd, err := y4m.NewReader(&b)
	if err != nil {
		t.Fatalf("y4m.NewReader: %v", err)
	}
	return rd
}

func TestBenchRateAndEvents(t *testing.T) {
	tests := []struct {
		fps           float64
		wantProcessed int
		wantDetFPS    float64
	}{
		{fps: 0, wantProcessed: 60, wantDetFPS: 10},
		{fps: 25, wantProcessed: 60, wantDetFPS: 10}, // never above the source's rate
		{fps: 5, wantProcessed: 30, wantDetFPS: 5},
		{fps: 3, wantProcessed: 18, wantDetFPS: 3},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("fps=%g", tc.fps), func(t *testing.T) {
			o := options{path: "test", fps: tc.fps, sensitivity: 2, eventGap: 5 * time.Second}
			st, err := bench(clip(t, 320, 240, 30, 30), o, io.Discard)
			if err != nil {
				t.Fatalf("bench: %v", err)
			}
			if st.read != 60 {
				t.Errorf("frames read: got %d, want 60", st.read)
			}
			if st.processed != tc.wantProcessed {
				t.Errorf("frames processed: got %d, want %d", st.processed, tc.wantProcessed)
			}
			if st.detFPS != tc.wantDetFPS {
				t.Errorf("detection fps: got %g, want %g", st.detFPS, tc.wantDetFPS)
			}
			if len(st.events) == 0 {
				t.Fatalf("events: got none, want one once the square moves at 3 s")
			}
			// The square moves from 3 s on: the event starts then, within a second.
			if s := st.events[0].start; s < 3*time.Second || s > 4*time.Second {
				t.Errorf("first event starts at %v, want within [3s, 4s]", s)
			}
		})
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		in   string
	}{
		{"no clip", nil, ""},
		{"negative fps", []string{"-fps", "-1", "-"}, ""},
		{"not y4m", []string{"-"}, "RIFF....AVI "},
		{"missing file", []string{"/nonexistent/clip.y4m"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(tc.args, bytes.NewBufferString(tc.in), &out, io.Discard); err == nil {
				t.Errorf("run(%q): got no error, want one (output %q)", tc.args, out.String())
			}
		})
	}
}
