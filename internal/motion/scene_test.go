package motion

import (
	"fmt"
	"image"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/source/synthetic"
)

// Scene tests: labelled synthetic scenes with expected event timelines. The scene is the
// synthetic source at 640×360, fed to the detector at a low detection rate.

const (
	sceneW, sceneH = 640, 360
	sceneFPS       = 5
	frameDT        = time.Second / sceneFPS
	tolerance      = 500 * time.Millisecond
)

// span is one expected or observed event.
type span struct{ start, end time.Duration }

func (s span) String() string { return fmt.Sprintf("[%v–%v]", s.start, s.end) }

// scene describes one labelled case. frame renders detection frame k into f and returns its time.
type scene struct {
	name   string
	params Params
	frames int
	render func(src *synthetic.Source, f *media.RawFrame, k int) time.Duration
	want   []span
	// maxStartDelay, when set, bounds how long after want[0].start the first event may start
	// (the latency requirement); the ±tolerance check still applies.
	maxStartDelay time.Duration
	wantLighting  bool // at least one frame must be flagged Lighting
}

// live renders frame k of the synthetic scene's own timeline (object script, clock, seconds bar).
func live(src *synthetic.Source, f *media.RawFrame, k int) time.Duration {
	n := int64(k) * (25 / sceneFPS) // the source runs at 25 fps; detection sees every 5th frame
	src.Render(f, n)
	return src.PTS(n)
}

// still renders a scene whose only change from frame to frame is the sensor noise: every frame
// is drawn at the same point of the script (10 s into a minute: no object, seconds bar empty,
// clock hand at the same place), but from a different frame number, so the noise differs.
func still(src *synthetic.Source, f *media.RawFrame, k int) time.Duration {
	n := int64(k)*60*25 + 10*25
	src.Render(f, n)
	return time.Duration(k) * frameDT
}

// sceneEnter returns the first detection time at which the script's object overlaps r, and the
// last, scanning the first minute.
func sceneEnter(src *synthetic.Source, r image.Rectangle) (first, last time.Duration) {
	first = -1
	for k := 0; k < 60*sceneFPS; k++ {
		t := time.Duration(k) * frameDT
		if o, ok := src.ObjectAt(t); ok && o.Overlaps(r) {
			if first < 0 {
				first = t
			}
			last = t
		}
	}
	return first, last
}

func drawSquare(f *media.RawFrame, r image.Rectangle, v byte) {
	for y := max(r.Min.Y, 0); y < min(r.Max.Y, f.Height); y++ {
		for x := max(r.Min.X, 0); x < min(r.Max.X, f.Width); x++ {
			f.Y[y*f.Width+x] = v
		}
	}
}

// smallAt is the small hand-drawn object's square at time t: 16×16 stream pixels crossing the
// brick wall from x=100 to x=500 between 5 s and 15 s.
func smallAt(t time.Duration) (image.Rectangle, bool) {
	if t < 5*time.Second || t >= 15*time.Second {
		return image.Rectangle{}, false
	}
	x := 100 + int(400*(t-5*time.Second)/(10*time.Second))
	return image.Rect(x, 250, x+16, 266), true
}

func TestScenes(t *testing.T) {
	noiseMinutes, nightMinutes := 10, 2
	probe := synthetic.New(synthetic.Options{Width: sceneW, Height: sceneH})
	mid := image.Rect(200, 120, 440, 200) // the middle of the picture: only the first crossing passes it
	enter, leave := sceneEnter(probe, mid)
	if enter < 0 {
		t.Fatalf("the script's object never enters %v", mid)
	}
	gap := DefaultEventGap
	// Where the clock and the seconds bar are drawn (they move: real motion we do not want here).
	clock := image.Rect(sceneW-sceneH/4-40, 0, sceneW, sceneH/4+40)
	bar := image.Rect(0, sceneH-20, sceneW, sceneH)

	smallScene := func(sens int, want []span) scene {
		return scene{
			name:   fmt.Sprintf("small object at sensitivity %d", sens),
			params: Params{Width: sceneW, Height: sceneH, Sensitivity: sens},
			frames: 20 * sceneFPS,
			render: func(src *synthetic.Source, f *media.RawFrame, k int) time.Duration {
				t := still(src, f, k)
				if r, ok := smallAt(t); ok {
					drawSquare(f, r, 235)
				}
				return t
			},
			want:          want,
			maxStartDelay: 2 * frameDT,
		}
	}
	lightStep := func(name string, from, to int) scene {
		return scene{
			name:   name,
			params: Params{Width: sceneW, Height: sceneH, Sensitivity: 4},
			frames: 30 * sceneFPS,
			render: func(src *synthetic.Source, f *media.RawFrame, k int) time.Duration {
				t := time.Duration(k) * frameDT
				switch {
				case t < 10*time.Second || t >= 20*time.Second:
					src.SetLight(from)
				default:
					src.SetLight(to)
				}
				return still(src, f, k)
			},
			wantLighting: true,
		}
	}

	scenes := []scene{
		{
			name:          "object crossing a region",
			params:        Params{Width: sceneW, Height: sceneH, Sensitivity: 2, Regions: []image.Rectangle{mid}},
			frames:        60 * sceneFPS,
			render:        live,
			want:          []span{{enter, leave + gap}},
			maxStartDelay: 2 * frameDT,
		},
		{
			name:   "object outside every region",
			params: Params{Width: sceneW, Height: sceneH, Sensitivity: 4, Regions: []image.Rectangle{image.Rect(0, 0, 300, 120), image.Rect(0, 290, 300, 330)}},
			frames: 60 * sceneFPS,
			render: live,
		},
		{
			name: "object, clock and bar excluded",
			params: Params{Width: sceneW, Height: sceneH, Sensitivity: 4,
				Exclusions: []image.Rectangle{image.Rect(0, 130, sceneW, 290), clock, bar}},
			frames: 60 * sceneFPS,
			render: live,
		},
		{
			name:   "whole frame sees the object's two crossings",
			params: Params{Width: sceneW, Height: sceneH, Sensitivity: 2, Exclusions: []image.Rectangle{clock, bar}},
			frames: 60 * sceneFPS,
			render: live,
			want:   []span{{20 * time.Second, 30*time.Second - frameDT + gap}, {40 * time.Second, 45*time.Second - frameDT + gap}},
		},
		{
			name:   "ten minutes of sensor noise",
			params: Params{Width: sceneW, Height: sceneH, Sensitivity: 4},
			frames: noiseMinutes * 60 * sceneFPS,
			render: still,
		},
		{
			name:   "minutes of night (IR) noise",
			params: Params{Width: sceneW, Height: sceneH, Sensitivity: 4},
			frames: nightMinutes * 60 * sceneFPS,
			render: func(src *synthetic.Source, f *media.RawFrame, k int) time.Duration {
				src.SetNight(true)
				return still(src, f, k)
			},
		},
		{
			name:   "object crossing a region at night",
			params: Params{Width: sceneW, Height: sceneH, Sensitivity: 2, Regions: []image.Rectangle{mid}},
			frames: 60 * sceneFPS,
			render: func(src *synthetic.Source, f *media.RawFrame, k int) time.Duration {
				src.SetNight(true)
				return live(src, f, k)
			},
			want:          []span{{enter, leave + gap}},
			maxStartDelay: 2 * frameDT,
		},
		{
			name:   "auto exposure: light 200 → 90 over 1 s and back",
			params: Params{Width: sceneW, Height: sceneH, Sensitivity: 4},
			frames: 30 * sceneFPS,
			render: func(src *synthetic.Source, f *media.RawFrame, k int) time.Duration {
				t := time.Duration(k) * frameDT
				level := 200
				switch {
				case t >= 10*time.Second && t < 11*time.Second:
					level = 200 - int(110*(t-10*time.Second)/time.Second)
				case t >= 11*time.Second && t < 20*time.Second:
					level = 90
				case t >= 20*time.Second && t < 21*time.Second:
					level = 90 + int(110*(t-20*time.Second)/time.Second)
				}
				src.SetLight(level)
				return still(src, f, k)
			},
		},
		{
			// A lamp lights the left 40 % of the picture (+40 levels) at 10 s and goes off at
			// 20 s: less than LightChange, so it is not a global light change; it is a one-frame
			// step, which never holds MinFrames frames of changing pixels.
			name:   "a lamp lighting 40 % of the picture",
			params: Params{Width: sceneW, Height: sceneH, Sensitivity: 4},
			frames: 30 * sceneFPS,
			render: func(src *synthetic.Source, f *media.RawFrame, k int) time.Duration {
				t := still(src, f, k)
				if t >= 10*time.Second && t < 20*time.Second {
					for y := range sceneH {
						row := f.Y[y*sceneW : y*sceneW+sceneW*4/10]
						for i, v := range row {
							row[i] = byte(min(int(v)+40, 255))
						}
					}
				}
				return t
			},
		},
		lightStep("sudden light change 200 → 100 → 200", 200, 100),
		lightStep("light switch +43 % (140 → 200 → 140)", 140, 200),
		{
			name:   "slow brightening 60 → 200 over 2 minutes",
			params: Params{Width: sceneW, Height: sceneH, Sensitivity: 4},
			frames: 130 * sceneFPS,
			render: func(src *synthetic.Source, f *media.RawFrame, k int) time.Duration {
				t := time.Duration(k) * frameDT
				src.SetLight(60 + int(140*min(t, 2*time.Minute)/(2*time.Minute)))
				return still(src, f, k)
			},
		},
		smallScene(1, nil),
		smallScene(4, []span{{5 * time.Second, 15*time.Second - frameDT + gap}}),
	}

	for _, sc := range scenes {
		t.Run(sc.name, func(t *testing.T) {
			if raceEnabled && sc.frames > raceMaxFrames {
				t.Skipf("%d frames: too slow under the race detector (see race_test.go); run without -race", sc.frames)
			}
			t.Parallel()
			d, err := NewDetector(sc.params)
			if err != nil {
				t.Fatal(err)
			}
			src := synthetic.New(synthetic.Options{Width: sceneW, Height: sceneH})
			f := media.NewRawFrame(sceneW, sceneH)
			var got []span
			lighting := 0
			for k := range sc.frames {
				ts := sc.render(src, f, k)
				res := d.Process(f.Y, f.Width, f.Height, ts)
				if res.Lighting {
					lighting++
				}
				switch res.Event {
				case Start:
					got = append(got, span{start: ts, end: -1})
				case End:
					if len(got) == 0 || got[len(got)-1].end >= 0 {
						t.Fatalf("End at %v without a Start", ts)
					}
					got[len(got)-1].end = ts
				}
			}
			if len(got) != len(sc.want) {
				t.Fatalf("got events %v, want %v", got, sc.want)
			}
			for i, w := range sc.want {
				g := got[i]
				if absDur(g.start-w.start) > tolerance || absDur(g.end-w.end) > tolerance {
					t.Errorf("event %d: got %v, want %v ±%v", i, g, w, tolerance)
				}
			}
			if sc.maxStartDelay > 0 && len(got) > 0 {
				if delay := got[0].start - sc.want[0].start; delay < 0 || delay > sc.maxStartDelay {
					t.Errorf("start delay: got %v after the object entered, want 0…%v", delay, sc.maxStartDelay)
				}
			}
			if sc.wantLighting && lighting == 0 {
				t.Errorf("lighting frames: got 0, want at least 1")
			}
		})
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
