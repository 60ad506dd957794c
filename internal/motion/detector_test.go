package motion

import (
	"image"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/source/synthetic"
)

func TestNewDetectorParams(t *testing.T) {
	tests := []struct {
		name    string
		p       Params
		wantErr string
	}{
		{"zero size", Params{}, "picture size"},
		{"too wide", Params{Width: 6000, Height: 100}, "at most"},
		{"sensitivity -1", Params{Width: 640, Height: 360, Sensitivity: -1}, "sensitivity"},
		{"sensitivity 5", Params{Width: 640, Height: 360, Sensitivity: 5}, "sensitivity"},
		{"light change 2", Params{Width: 640, Height: 360, LightChange: 2}, "shares"},
		{"region outside", Params{Width: 640, Height: 360, Regions: []image.Rectangle{image.Rect(700, 0, 800, 10)}}, "region 0"},
		{"defaults", Params{Width: 640, Height: 360}, ""},
		{"whole-frame region 0,0,0,0", Params{Width: 640, Height: 360, Regions: []image.Rectangle{{}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewDetector(tt.p)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p := d.Params()
			if p.MinFrames != DefaultMinFrames || p.EventGap != DefaultEventGap || p.LightChange != DefaultLightChange || p.MaxChanged != DefaultMaxChanged {
				t.Errorf("got defaults %d %v %g %g, want %d %v %g %g", p.MinFrames, p.EventGap, p.LightChange, p.MaxChanged,
					DefaultMinFrames, DefaultEventGap, DefaultLightChange, DefaultMaxChanged)
			}
			if w, h := d.DetectionSize(); w != 320 || h != 180 {
				t.Errorf("detection size: got %dx%d, want 320x180", w, h)
			}
		})
	}
}

func TestDownscale(t *testing.T) {
	for _, size := range []image.Point{{320, 180}, {641, 363}, {768, 576}, {1283, 722}, {2600, 40}, {4000, 33}} {
		t.Run(size.String(), func(t *testing.T) {
			d, err := NewDetector(Params{Width: size.X, Height: size.Y})
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, uint64(size.X)))
			y := make([]byte, size.X*size.Y)
			for i := range y {
				y[i] = byte(rng.IntN(256))
			}
			clear(d.fg)
			sum := d.downscale(y, size.X)
			f := 1 << d.shift
			var want uint64
			for dy := range d.dh {
				for dx := range d.dw {
					var s int
					for sy := range f {
						for sx := range f {
							s += int(y[(dy*f+sy)*size.X+dx*f+sx])
						}
					}
					w := uint16(s * 256 / (f * f))
					if got := d.cur[dy*d.dw+dx]; got != w {
						t.Fatalf("pixel %d,%d (factor %d): got %d, want %d", dx, dy, f, got, w)
					}
					want += uint64(w)
				}
			}
			if sum != want {
				t.Errorf("sum: got %d, want %d", sum, want)
			}
		})
	}
}

func TestEventTimeGoesBack(t *testing.T) {
	p := Params{MinFrames: 2, EventGap: time.Second}
	var e eventState
	e.step(true, time.Hour, p)
	if got := e.step(true, time.Hour+time.Second/4, p); got != Start {
		t.Fatalf("got %v, want start", got)
	}
	// The source restarts: PTS begins at 0 again. The event must end one EventGap later.
	var end time.Duration = -1
	for i := range 10 {
		ts := time.Duration(i) * 250 * time.Millisecond
		if e.step(false, ts, p) == End {
			end = ts
			break
		}
	}
	if end != time.Second {
		t.Errorf("end after the time went back: got %v, want 1s", end)
	}
}

func TestEventStateMachine(t *testing.T) {
	p := Params{MinFrames: 2, EventGap: time.Second}
	// One frame per 250 ms; "m" is a motion frame, "." is none.
	tests := []struct {
		frames string
		want   string // S = Start, E = End, . = None
	}{
		{".m.m.m.m", "........"},
		{"mm......", ".S...E.."},
		{"mmm.mmm.....m", ".S........E.."},
		{"mmmm....mm....", ".S.....E.S...E"},
	}
	for _, tt := range tests {
		t.Run(tt.frames, func(t *testing.T) {
			var e eventState
			var got strings.Builder
			for i, c := range tt.frames {
				switch e.step(c == 'm', time.Duration(i)*250*time.Millisecond, p) {
				case Start:
					got.WriteByte('S')
				case End:
					got.WriteByte('E')
				default:
					got.WriteByte('.')
				}
			}
			if got.String() != tt.want {
				t.Errorf("got %s, want %s", got.String(), tt.want)
			}
		})
	}
}

// stillFrames renders the quiet synthetic scene (noise only) at 640×360.
type stillFrames struct {
	src *synthetic.Source
	f   *media.RawFrame
	k   int
}

func newStill() *stillFrames {
	return &stillFrames{src: synthetic.New(synthetic.Options{Width: sceneW, Height: sceneH}), f: media.NewRawFrame(sceneW, sceneH)}
}

func (s *stillFrames) next() (*media.RawFrame, time.Duration) {
	t := still(s.src, s.f, s.k)
	s.k++
	return s.f, t
}

func TestRegionAndBox(t *testing.T) {
	regions := []image.Rectangle{image.Rect(0, 0, 200, 100), image.Rect(300, 200, 600, 320)}
	d, err := NewDetector(Params{Width: sceneW, Height: sceneH, Sensitivity: 2, Regions: regions})
	if err != nil {
		t.Fatal(err)
	}
	s := newStill()
	obj := image.Rect(400, 230, 460, 280) // inside region 1
	var last Result
	for k := range 20 {
		f, ts := s.next()
		if k >= 10 {
			o := obj.Add(image.Pt((k-10)*8, 0))
			drawSquare(f, o, 235)
		}
		last = d.Process(f.Y, f.Width, f.Height, ts)
	}
	if !last.Motion || last.Region != 1 {
		t.Fatalf("got motion %v in region %d, want motion in region 1", last.Motion, last.Region)
	}
	o := obj.Add(image.Pt(9*8, 0))
	// The box covers the object (and the trail it left this frame), at detection resolution.
	if !o.Inset(2).In(last.Box) || last.Box.Dx() > o.Dx()+8+8 || last.Box.Dy() > o.Dy()+8 {
		t.Errorf("box: got %v, want about %v", last.Box, o)
	}
	if last.Score <= 0 || last.Score > 0.2 {
		t.Errorf("score: got %.3f, want the object's share of region 1 (about 0.09)", last.Score)
	}
	if !last.Active {
		t.Errorf("active: got false after %d motion frames, want true", 10)
	}
}

// TestMaxChanged: a region whose whole area keeps changing (a cloud's shadow moving over it) is no
// motion, while the rest of the frame stays still (so it is not a global light change either).
func TestMaxChanged(t *testing.T) {
	region := image.Rect(20, 200, 140, 300)
	for _, tt := range []struct {
		name       string
		maxChanged float64
		wantEvents int
	}{
		{"default 0.8", 0, 0},
		{"1.0 (off)", 1, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewDetector(Params{Width: sceneW, Height: sceneH, Sensitivity: 2, Regions: []image.Rectangle{region}, MaxChanged: tt.maxChanged})
			if err != nil {
				t.Fatal(err)
			}
			s := newStill()
			starts := 0
			for k := range 60 {
				f, ts := s.next()
				if k >= 20 {
					// Shade 93 % of the region (and a margin outside it) by an amount that
					// changes every frame.
					shade := 30 + 15*(k%3)
					for y := region.Min.Y - 10; y < region.Max.Y+10; y++ {
						for x := region.Min.X - 10; x < region.Max.X-8; x++ {
							f.Y[y*f.Width+x] = byte(max(int(f.Y[y*f.Width+x])-shade, 0))
						}
					}
				}
				if r := d.Process(f.Y, f.Width, f.Height, ts); r.Event == Start {
					starts++
				}
			}
			if starts != tt.wantEvents {
				t.Errorf("events: got %d, want %d", starts, tt.wantEvents)
			}
		})
	}
}

// TestReset: after Reset the next frame only relearns (no motion even though the picture
// changed), and an event in progress still ends after EventGap.
func TestReset(t *testing.T) {
	d, err := NewDetector(Params{Width: sceneW, Height: sceneH, Sensitivity: 2})
	if err != nil {
		t.Fatal(err)
	}
	s := newStill()
	var res Result
	for k := range 20 {
		f, ts := s.next()
		if k >= 10 {
			drawSquare(f, image.Rect(100+k*10, 250, 160+k*10, 300), 235)
		}
		res = d.Process(f.Y, f.Width, f.Height, ts)
	}
	if !res.Active {
		t.Fatalf("active before Reset: got false, want true")
	}
	d.Reset()
	s.src.SetNight(true) // a different picture: as after a day/night switch
	var ends int
	var endAt time.Duration
	resetAt := time.Duration(s.k) * frameDT
	for range 30 {
		f, ts := s.next()
		res = d.Process(f.Y, f.Width, f.Height, ts)
		if res.Motion || res.Event == Start {
			t.Fatalf("at %v after Reset: got motion %v event %v, want none", ts-resetAt, res.Motion, res.Event)
		}
		if res.Event == End {
			ends++
			endAt = ts
		}
	}
	if ends != 1 || endAt-resetAt > DefaultEventGap {
		t.Errorf("got %d End(s), the last %v after Reset, want 1 within %v", ends, endAt-resetAt, DefaultEventGap)
	}
}

// TestTimeGoesBack: a source that restarts its PTS neither blinds the detector nor breaks it.
func TestTimeGoesBack(t *testing.T) {
	d, err := NewDetector(Params{Width: sceneW, Height: sceneH, Sensitivity: 2})
	if err != nil {
		t.Fatal(err)
	}
	s := newStill()
	for range 20 {
		f, _ := s.next()
		d.Process(f.Y, f.Width, f.Height, time.Hour+time.Duration(s.k)*frameDT)
	}
	starts := 0
	for k := range 20 {
		f, ts := s.next()
		ts = time.Duration(k) * frameDT // PTS from 0 again
		if k >= 5 {
			drawSquare(f, image.Rect(100+k*10, 250, 160+k*10, 300), 235)
		}
		if d.Process(f.Y, f.Width, f.Height, ts).Event == Start {
			starts++
		}
	}
	if starts != 1 {
		t.Errorf("events after the time went back: got %d, want 1", starts)
	}
}

func TestProcessOddInput(t *testing.T) {
	d, err := NewDetector(Params{Width: sceneW, Height: sceneH})
	if err != nil {
		t.Fatal(err)
	}
	if r := d.Process(make([]byte, 10), sceneW, sceneH, 0); r.Motion || r.Region != -1 {
		t.Errorf("short plane: got %+v, want no motion, region -1", r)
	}
	// Another size re-sizes the detector.
	y := make([]byte, 320*240)
	d.Process(y, 320, 240, time.Second)
	if w, h := d.DetectionSize(); w != 320 || h != 240 {
		t.Errorf("detection size after a 320x240 frame: got %dx%d, want 320x240", w, h)
	}
}

func TestProcessAllocs(t *testing.T) {
	d, err := NewDetector(Params{Width: sceneW, Height: sceneH, Sensitivity: 4})
	if err != nil {
		t.Fatal(err)
	}
	src := synthetic.New(synthetic.Options{Width: sceneW, Height: sceneH})
	f := media.NewRawFrame(sceneW, sceneH)
	k := 0
	step := func() {
		ts := live(src, f, 21*sceneFPS+k) // the object is crossing: blobs are labelled
		d.Process(f.Y, f.Width, f.Height, ts)
		k++
	}
	for range 20 {
		step()
	}
	if n := testing.AllocsPerRun(30, step); n != 0 {
		t.Errorf("allocations per frame: got %v, want 0", n)
	}
}

// TestStoppedObject: an object that moves and then stands still ends its event after EventGap,
// long before the background absorbs it; when it later walks away, that is motion again (and
// the ghost it leaves behind is not).
func TestStoppedObject(t *testing.T) {
	d, err := NewDetector(Params{Width: sceneW, Height: sceneH, Sensitivity: 2})
	if err != nil {
		t.Fatal(err)
	}
	s := newStill()
	var got []span
	for range 40 * sceneFPS {
		f, ts := s.next()
		switch {
		case ts >= 5*time.Second && ts < 10*time.Second: // walks in
			x := 100 + int(200*(ts-5*time.Second)/(5*time.Second))
			drawSquare(f, image.Rect(x, 220, x+40, 300), 235)
		case ts >= 10*time.Second && ts < 30*time.Second: // stands still
			drawSquare(f, image.Rect(300, 220, 340, 300), 235)
		case ts >= 30*time.Second && ts < 35*time.Second: // walks away
			x := 300 + int(200*(ts-30*time.Second)/(5*time.Second))
			drawSquare(f, image.Rect(x, 220, x+40, 300), 235)
		}
		switch d.Process(f.Y, f.Width, f.Height, ts).Event {
		case Start:
			got = append(got, span{start: ts, end: -1})
		case End:
			got[len(got)-1].end = ts
		}
	}
	gap := DefaultEventGap
	want := []span{{5 * time.Second, 10*time.Second - frameDT + gap}, {30 * time.Second, 35*time.Second - frameDT + gap}}
	if len(got) != len(want) {
		t.Fatalf("got events %v, want %v", got, want)
	}
	for i := range want {
		if absDur(got[i].start-want[i].start) > tolerance || absDur(got[i].end-want[i].end) > tolerance {
			t.Errorf("event %d: got %v, want %v ±%v", i, got[i], want[i], tolerance)
		}
	}
}
