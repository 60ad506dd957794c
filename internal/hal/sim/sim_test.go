package sim

import (
	"context"
	"sync"
	"testing"
	"time"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestLightScript(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := NewLight(LightOptions{Now: clk.Now}) // default period 10 min
	cases := []struct {
		at     time.Duration
		lo, hi int
	}{
		{0, DayLevel - Noise, DayLevel + Noise},
		{3 * time.Minute, DayLevel - Noise, DayLevel + Noise},
		{4*time.Minute + 30*time.Second, 105 - Noise, 105 + Noise}, // half way down the dusk ramp
		{7 * time.Minute, NightLevel - Noise, NightLevel + Noise},
		{9*time.Minute + 30*time.Second, 105 - Noise, 105 + Noise}, // dawn
		{13 * time.Minute, DayLevel - Noise, DayLevel + Noise},     // the next day
	}
	for _, tc := range cases {
		clk.t = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(tc.at)
		got, err := l.Light(context.Background())
		if err != nil || got < tc.lo || got > tc.hi {
			t.Errorf("at %v: got %d, %v, want %d..%d", tc.at, got, err, tc.lo, tc.hi)
		}
		if again := l.At(tc.at); again != got {
			t.Errorf("at %v: got %d then %d, want the same (deterministic)", tc.at, got, again)
		}
	}
	// The noise moves: over a minute of steady day there is more than one value.
	seen := map[int]bool{}
	for s := range 60 {
		seen[l.At(time.Duration(s)*time.Second)] = true
	}
	if len(seen) < 2 {
		t.Errorf("got %d distinct day levels over a minute, want noise", len(seen))
	}
}

func TestSetLight(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	l := NewLight(LightOptions{Period: time.Minute, Now: clk.Now})
	l.SetLight(42)
	clk.Add(35 * time.Second) // night in the script
	if got, _ := l.Light(context.Background()); got != 42 {
		t.Errorf("got %d, want the set 42", got)
	}
	l.SetLight(-1)
	if got, _ := l.Light(context.Background()); got > NightLevel+Noise {
		t.Errorf("got %d after SetLight(-1), want the script's night", got)
	}
}

func TestBoardConcurrent(t *testing.T) {
	b := New(LightOptions{})
	p := b.Parts()
	if !p.IRCut.Day() || p.BlueLED.On() || p.IRLED.On() {
		t.Fatal("want a new board with the filter in and everything off")
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			p.BlueLED.Set(i%2 == 0)
			p.IRCut.SetDay(context.Background(), i%2 == 0)
			_ = p.BlueLED.On()
			_ = p.IRCut.Day()
		})
	}
	wg.Wait()
	p.IRLED.Set(true)
	p.IRCut.SetDay(context.Background(), false)
	if !p.IRLED.On() || p.IRCut.Day() || p.YellowLED.On() {
		t.Error("got the wrong state after set")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.IRCut.SetDay(ctx, true); err == nil || p.IRCut.Day() {
		t.Error("a cancelled SetDay changed the state")
	}
}
