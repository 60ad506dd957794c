package backoff

import (
	"context"
	"testing"
	"time"
)

func TestDelaysDoubleWithJitterUpToTheCap(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Max: 1 * time.Second}
	base := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, want := range base {
		want *= time.Millisecond
		got := b.Next(0)
		if got < want*8/10 || got > want*12/10 {
			t.Errorf("attempt %d: got %v, want %v ±20 %%", i, got, want)
		}
	}
}

func TestAHealthyRunResetsTheDelay(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, ResetAfter: time.Minute}
	b.Next(0)
	b.Next(0)
	if got := b.Next(2 * time.Minute); got > 120*time.Millisecond {
		t.Errorf("got %v after a long healthy run, want about the initial 100ms", got)
	}
}

func TestSleepStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if Sleep(ctx, time.Hour) {
		t.Errorf("got a full sleep on a cancelled context, want an early return")
	}
	if !Sleep(context.Background(), time.Millisecond) {
		t.Errorf("got an early return without cancel, want the full delay")
	}
}
