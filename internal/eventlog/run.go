package eventlog

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/event"
)

// busQueue is the size of the subscription's queue: how many events may wait while a write to
// the SD card is slow.
const busQueue = 64

// Run records the events of the bus until ctx ends, then returns nil. It returns an error only
// when Options.Bus is nil. Run once at a time.
func (l *Log) Run(ctx context.Context) error {
	if l.opts.Bus == nil {
		return errors.New("eventlog: no event bus")
	}
	sub := l.opts.Bus.Subscribe("eventlog", busQueue)
	defer sub.Close()
	if l.ready != nil {
		l.ready()
	}

	var jobs chan string
	if l.opts.Thumb != nil {
		jobs = make(chan string, thumbQueue)
		wctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { l.thumbWorker(wctx, jobs) })
		defer wg.Wait()
		defer cancel()
	}

	var dropped, skipped uint64
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-sub.C():
			if !ok {
				return nil
			}
			if d := sub.Dropped(); d > dropped {
				l.opts.Log.Warn("eventlog: events lost, the timeline did not keep up", "lost", d-dropped)
				dropped = d
			}
			if !worthKeeping(ev) {
				continue
			}
			ce := l.record(ev)
			if jobs != nil && ev.Kind == event.MotionStart {
				select {
				case jobs <- ce.ID:
				default:
					skipped++
					l.opts.Log.Debug("eventlog: no thumbnail, the worker is busy", "id", ce.ID, "skipped", skipped)
				}
			}
			l.appendEvent(ce)
		}
	}
}

// record adds ev to the timeline in memory, dropping the oldest event (and its thumbnail) beyond
// MaxEvents, and returns the entry.
func (l *Log) record(ev event.Event) camera.Event {
	l.mu.Lock()
	ce := camera.Event{ID: l.newID(ev.Time), Kind: string(ev.Kind), Time: ev.Time, Text: Text(ev)}
	l.events = append(l.events, ce)
	var gone []string
	for len(l.events) > l.opts.MaxEvents {
		if old := l.events[0]; old.Thumb {
			gone = append(gone, old.ID)
			l.thumbs = slices.DeleteFunc(l.thumbs, func(id string) bool { return id == old.ID })
		}
		l.events = append(l.events[:0], l.events[1:]...)
	}
	l.mu.Unlock()
	l.removeThumbs(gone)
	return ce
}

// worthKeeping leaves out of the timeline the service transitions every start, stop and reload
// makes (starting, running, stopped): they would bury the motion and night events. A service
// that crashes (backoff) or gives up (failed) is kept.
// Hardware and config notices are not events for people either.
func worthKeeping(ev event.Event) bool {
	switch ev.Kind {
	case event.MotionStart, event.MotionEnd, event.NightOn, event.NightOff:
		return true
	case event.ServiceState:
		return ev.State == "failed" || ev.State == "backoff"
	}
	return false
}
