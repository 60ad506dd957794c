package night

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/source/synthetic"
)

func TestLumaIsTheMeanOfTheSubsample(t *testing.T) {
	f := media.NewRawFrame(64, 32)
	for y := range 32 {
		for x := range 64 {
			f.Y[y*64+x] = byte(x) // columns 4, 12, … 60 are sampled with step 8: mean 32
		}
	}
	tests := []struct {
		name string
		step int
		want int
	}{
		{"step 8", 8, 32},
		{"default step", 0, 32},
		{"every pixel", 1, 32}, // (0+…+63)/64 = 31.5, rounded up
		{"step 16", 16, 32},    // columns 8, 24, 40, 56
		{"step 64", 64, 32},    // column 32
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Luma(f, tc.step); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
	for i := range f.Y {
		f.Y[i] = 200
	}
	f.Y[4*64+4] = 0 // one sampled pixel of 8×4 at 0
	if got, want := Luma(f, 8), (31*200+16)/32; got != want {
		t.Errorf("got %d, want %d", got, want)
	}
	if _, err := (&Virtual{Frames: frameFunc(func() *media.RawFrame { return nil })}).Light(t.Context()); err != ErrNoPicture {
		t.Errorf("got %v before the first picture, want ErrNoPicture", err)
	}
}

type frameFunc func() *media.RawFrame

func (f frameFunc) Latest() *media.RawFrame { return f() }

// dimScene renders the synthetic scene, its luma scaled by the light factor at the (fake) time.
type dimScene struct {
	src    *synthetic.Source
	start  time.Time
	factor func(time.Duration) float64
	// irBoost is added to every luma sample while the night look is on: the IR LED lighting
	// the scene.
	irBoost int

	mu sync.Mutex
	n  int64
	f  *media.RawFrame
}

func (d *dimScene) Latest() *media.RawFrame {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.src.Render(d.f, d.n)
	d.n++
	k := d.factor(time.Since(d.start))
	boost := 0
	if d.src.Night() {
		boost = d.irBoost
	}
	for i, v := range d.f.Y {
		d.f.Y[i] = byte(min(255, int(float64(v)*k)+boost))
	}
	return d.f
}

// TestVirtualSensorFollowsDuskAndDawnWithoutOscillating runs a dusk, a night and a dawn on the
// synthetic scene, whose night look is darker; and again with an IR LED that lights the night
// picture (+80 luma), the case where comparing the night picture with the day threshold would
// leave night at once.
func TestVirtualSensorFollowsDuskAndDawnWithoutOscillating(t *testing.T) {
	for _, irBoost := range []int{0, 80} {
		t.Run(fmt.Sprintf("IR LED adds %d", irBoost), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { duskAndDawn(t, irBoost) })
		})
	}
}

func duskAndDawn(t *testing.T, irBoost int) {
	const nightAt, dayAt = 40, 55
	src := synthetic.New(synthetic.Options{Width: 320, Height: 180})
	start := time.Now()
	// Full light, dusk from 5 to 25 min down to 5 %, night, dawn from 60 to 80 min.
	factor := func(d time.Duration) float64 {
		m := d.Minutes()
		switch {
		case m < 5:
			return 1
		case m < 25:
			return 1 - 0.95*(m-5)/20
		case m < 60:
			return 0.05
		case m < 80:
			return 0.05 + 0.95*(m-60)/20
		}
		return 1
	}
	scene := &dimScene{src: src, start: start, factor: factor, irBoost: irBoost, f: media.NewRawFrame(320, 180)}
	dayMean := float64(Luma(scene.Latest(), 8))
	hw := &fakeHW{}
	bus := &event.Bus{}
	sub := bus.Subscribe("test", 64, event.NightOn, event.NightOff)
	defer sub.Close()
	c, err := New(Options{
		Sensor: &Virtual{Frames: scene}, SensorSeesPicture: true,
		IRCut: hw, IRLED: hw, Look: src, Bus: bus,
		NightAt: nightAt, DayAt: dayAt,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()

	time.Sleep(45 * time.Minute)
	synctest.Wait()
	st := c.State()
	if !st.Night || !src.Night() {
		t.Fatalf("got night=%t (night look %t) in the dark, want night", st.Night, src.Night())
	}
	t.Logf("day-look mean %g; night-look level %g; leave night at %.1f", dayMean, st.Average, st.LeaveNightAt)
	time.Sleep(75 * time.Minute)
	synctest.Wait()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var evs []event.Event
	for len(sub.C()) > 0 {
		evs = append(evs, <-sub.C())
	}
	if len(evs) != 2 || evs[0].Kind != event.NightOn || evs[1].Kind != event.NightOff {
		t.Fatalf("got %v, want exactly night_on then night_off", evs)
	}
	on, off := evs[0].Time.Sub(start), evs[1].Time.Sub(start)
	t.Logf("night at %v (day-look level %.1f), day at %v (day-look level %.1f)", on, factor(on)*dayMean, off, factor(off)*dayMean)

	// Night: not before the day-look level reaches 40, and at most a window, the confirmation
	// and a sample later.
	reach := time.Duration((5 + 20*(1-nightAt/dayMean)/0.95) * float64(time.Minute))
	late := reach + DefaultWindow*DefaultInterval + DefaultConfirm + DefaultInterval
	if on < reach || on > late {
		t.Errorf("got night at %v, want between %v (level 40) and %v", on, reach, late)
	}
	// Day: during the dawn, at a light whose day look is at or above 55, so day is stable.
	if lvl := factor(off) * dayMean; off < 60*time.Minute || off > 80*time.Minute || lvl < dayAt {
		t.Errorf("got day at %v with a day-look level of %.1f, want during the dawn at >= %d", off, lvl, dayAt)
	}
	if src.Night() {
		t.Errorf("got the night look on after day, want it off")
	}
}

func BenchmarkVirtualLevel720p(b *testing.B) {
	src := synthetic.New(synthetic.Options{Width: 1280, Height: 720})
	f := media.NewRawFrame(1280, 720)
	src.Render(f, 0)
	v := &Virtual{Frames: frameFunc(func() *media.RawFrame { return f })}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Light(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}
