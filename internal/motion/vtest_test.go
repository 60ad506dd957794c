package motion

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/source/y4m"
)

// Real footage: OpenCV's pedestrian clip vtest.avi (Debian's opencv-doc), turned by ffmpeg into a
// 384×288, 10 fps Y4M that starts with 20 s of its first frame frozen and ends with 10 s of its
// last frame frozen, with temporal noise over everything. People walk from 20 s on: events must
// come then, none before, and the last must end within EventGap (+0.5 s) of the clip's end.

const (
	vtestFrozen = 20 * time.Second
	vtestTail   = 10 * time.Second // the last frame frozen after the clip
	vtestFPS    = 10
)

// vtestClip returns the clip's path or skips the test.
func vtestClip(t *testing.T) string {
	t.Helper()
	p := os.Getenv("FREECAM_VTEST")
	if p == "" {
		p = filepath.Join("..", "..", "_testclips", "vtest.avi")
	}
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real footage test: no clip at %s (set FREECAM_VTEST or run scripts/fetch-testclips.sh, which puts vtest.avi from Debian's opencv-doc into _testclips/)", p)
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("real footage test: ffmpeg not installed")
	}
	return p
}

// vtestY4M converts the clip with the frozen, noisy lead-in; extra is appended to the filter
// chain (e.g. a light switch).
func vtestY4M(t *testing.T, clip, extra string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "vtest.y4m")
	vf := "scale=384:288,fps=10,tpad=start_duration=20:start_mode=clone:stop_duration=10:stop_mode=clone,noise=alls=8:allf=t" + extra
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", clip, "-vf", vf,
		"-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", "-y", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, b)
	}
	return out
}

type vtestRun struct {
	events   []span
	frames   int
	active   []bool
	lighting int
}

func runY4M(t *testing.T, path string, p Params) vtestRun {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := y4m.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	fr := &media.RawFrame{}
	var d *Detector
	var run vtestRun
	for k := 0; ; k++ {
		if err := r.ReadFrame(fr); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if d == nil {
			p.Width, p.Height = fr.Width, fr.Height
			if d, err = NewDetector(p); err != nil {
				t.Fatal(err)
			}
		}
		ts := time.Duration(k) * time.Second / vtestFPS
		res := d.Process(fr.Y, fr.Width, fr.Height, ts)
		run.frames++
		if res.Lighting {
			run.lighting++
		}
		run.active = append(run.active, res.Active)
		switch res.Event {
		case Start:
			run.events = append(run.events, span{start: ts, end: -1})
		case End:
			run.events[len(run.events)-1].end = ts
		}
	}
	return run
}

func TestVtest(t *testing.T) {
	if raceEnabled {
		t.Skip("real footage: too slow under the race detector (see race_test.go); run without -race")
	}
	clip := vtestClip(t)
	cases := []struct {
		name  string
		extra string
	}{
		{"frozen and noise", ""},
		// A light switch on the still scene: +40 % luma at 10 s, staying on.
		{"light switch on the frozen part", ",lutyuv=y='clip(val*1.4,minval,maxval)':enable='gte(t,10)'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			run := runY4M(t, vtestY4M(t, clip, c.extra), Params{Width: 384, Height: 288, Sensitivity: 2})
			if run.frames < 1000 {
				t.Fatalf("frames: got %d, want ≥ 1000 (20 s frozen + 79.5 s of clip + 10 s frozen at 10 fps)", run.frames)
			}
			var first time.Duration = -1
			for _, e := range run.events {
				if e.start < vtestFrozen {
					t.Errorf("event %v during the frozen segment, want none", e)
				} else if first < 0 {
					first = e.start
				}
			}
			if first < 0 {
				t.Fatalf("events: got %v, want at least one once people walk (from %v)", run.events, vtestFrozen)
			}
			// The walking part: from the end of the frozen start to the start of the frozen end.
			walk := run.active[int(vtestFrozen*vtestFPS/time.Second) : run.frames-int(vtestTail*vtestFPS/time.Second)]
			inside := 0
			for _, a := range walk {
				if a {
					inside++
				}
			}
			share := float64(inside) / float64(len(walk))
			clipEnd := time.Duration(run.frames)*time.Second/vtestFPS - vtestTail
			last := run.events[len(run.events)-1]
			if last.end < clipEnd || last.end > clipEnd+DefaultEventGap+500*time.Millisecond {
				t.Errorf("last event %v: want it to end within %v…%v (clip end + event gap + 0.5 s)", last, clipEnd, clipEnd+DefaultEventGap+500*time.Millisecond)
			}
			t.Logf("delay to the first MotionStart after people start walking: %v; events %v; share of the walking part inside an event %.2f; lighting frames %d",
				first-vtestFrozen, run.events, share, run.lighting)
			if delay := first - vtestFrozen; delay > 500*time.Millisecond {
				t.Errorf("delay: got %v, want ≤ 500ms (Debian's motion: 1.49 s)", delay)
			}
			if share < 0.9 {
				t.Errorf("share of the walking part inside an event: got %.2f, want ≥ 0.9", share)
			}
		})
	}
}
