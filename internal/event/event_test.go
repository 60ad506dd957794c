package event

import (
	"testing"
	"time"
)

func TestSubscribersGetTheirKindsInOrder(t *testing.T) {
	var b Bus
	all := b.Subscribe("all", 8)
	night := b.Subscribe("night", 8, NightOn, NightOff)
	defer all.Close()
	defer night.Close()
	b.Publish(Event{Kind: NightOn, Cause: "auto"})
	b.Publish(Event{Kind: MotionStart})
	b.Publish(Event{Kind: NightOff, Cause: "manual"})

	var gotAll, gotNight []Kind
	for range 3 {
		gotAll = append(gotAll, (<-all.C()).Kind)
	}
	for range 2 {
		ev := <-night.C()
		if ev.Time.IsZero() {
			t.Errorf("got an event without a time, want Publish to stamp it")
		}
		gotNight = append(gotNight, ev.Kind)
	}
	if want := []Kind{NightOn, MotionStart, NightOff}; !equal(gotAll, want) {
		t.Errorf("all: got %v, want %v", gotAll, want)
	}
	if want := []Kind{NightOn, NightOff}; !equal(gotNight, want) {
		t.Errorf("night: got %v, want %v", gotNight, want)
	}
}

func TestAFullSubscriberLosesTheOldestAndNeverBlocks(t *testing.T) {
	var b Bus
	s := b.Subscribe("slow", 2)
	defer s.Close()
	done := make(chan struct{})
	go func() {
		for i := range 100 {
			b.Publish(Event{Kind: MotionStart, Cause: string(rune('a' + i%26))})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("got Publish blocked by a subscriber that does not read, want it never to block")
	}
	if s.Dropped() != 98 {
		t.Errorf("got %d dropped, want 98", s.Dropped())
	}
	last := []string{(<-s.C()).Cause, (<-s.C()).Cause}
	if want := []string{string(rune('a' + 98%26)), string(rune('a' + 99%26))}; last[0] != want[0] || last[1] != want[1] {
		t.Errorf("got the pending events %v, want the newest two %v", last, want)
	}
}

func TestCloseClosesTheChannelAndUnregisters(t *testing.T) {
	var b Bus
	s := b.Subscribe("x", 1)
	s.Close()
	s.Close()
	if _, ok := <-s.C(); ok {
		t.Errorf("got an open channel after Close, want it closed")
	}
	b.Publish(Event{Kind: NightOn}) // must not panic on the closed subscription
}

func equal(a, b []Kind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
