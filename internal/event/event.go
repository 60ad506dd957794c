// Package event is freecam's in-process event bus: night mode switches, motion, service state
// changes. Producers publish without ever blocking; each subscriber has its own bounded queue and
// loses the oldest-pending events (counted) when it does not keep up, so a stuck consumer (a
// dead MQTT broker, a slow upload) can never stall detection or video.
//
// Durable delivery (nothing lost while a broker or NAS is down) is not the bus's job: the action
// dispatcher that subscribes here keeps its own spool on disk.
package event

import (
	"image"
	"sync"
	"sync/atomic"
	"time"
)

// Kind names what happened. Its string form is stable: logs, MQTT and the API use it.
type Kind string

// The kinds of events.
const (
	NightOn      Kind = "night_on"      // the camera switched to night mode (IR cut off, IR LED on)
	NightOff     Kind = "night_off"     // the camera switched to day mode
	MotionStart  Kind = "motion_start"  // motion began
	MotionEnd    Kind = "motion_end"    // motion ended
	ServiceState Kind = "service_state" // a service changed state (Service, State, Err set)
	// Hardware: an LED, the IR LED, the IR cut or the motor position changed, by whatever means
	// (the web, MQTT, night mode, tracking). Read the new state from the device.
	Hardware Kind = "hardware"
	// ConfigReloaded: a new configuration is in use (after a reload or a restart).
	ConfigReloaded Kind = "config_reloaded"
	// MotionClip: the clip of the motion event that started at Time is ready at Path (for MQTT's
	// publish_mqtt_video; the file is the caller's to delete once handled).
	MotionClip Kind = "motion_clip"
)

// Event is one thing that happened. Fields that do not apply to a Kind are zero. Events are
// values: a subscriber may keep them.
type Event struct {
	Kind Kind
	Time time.Time
	// Cause says what triggered it: "auto", "manual", "api", "mqtt" … (night), the detector (motion).
	Cause string

	// Motion (MotionStart, MotionEnd): the region index in motion.conf's region_of_interest (-1
	// when none is configured), the bounding box in stream pixels and the changed share (0..1).
	Region int
	Box    image.Rectangle
	Score  float64

	// Path is a file the event is about (MotionClip).
	Path string

	// Service state changes.
	Service string
	State   string
	Err     string
}

// Bus fans events out to subscribers. The zero value is ready to use; it is safe for concurrent use.
type Bus struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

// Publish delivers ev to every subscriber without blocking. A subscriber whose queue is full loses
// its oldest pending event, so it always sees the latest state.
func (b *Bus) Publish(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		s.deliver(ev)
	}
}

// Subscribers counts the open subscriptions (for tests waiting until a consumer listens).
func (b *Bus) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Subscribe registers a subscriber with a queue of size events (at least 1; 0 means 64). Only
// events whose Kind is in kinds are delivered; no kinds means all. The caller must Close it.
func (b *Bus) Subscribe(name string, size int, kinds ...Kind) *Subscription {
	if size <= 0 {
		size = 64
	}
	s := &Subscription{name: name, bus: b, ch: make(chan Event, size)}
	if len(kinds) > 0 {
		s.kinds = make(map[Kind]bool, len(kinds))
		for _, k := range kinds {
			s.kinds[k] = true
		}
	}
	b.mu.Lock()
	if b.subs == nil {
		b.subs = make(map[*Subscription]struct{})
	}
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

// Subscription is one subscriber's queue. Receive from C; Close when done.
type Subscription struct {
	name    string
	bus     *Bus
	kinds   map[Kind]bool
	ch      chan Event
	dropped atomic.Uint64
	once    sync.Once
}

// C delivers the events. It is closed by Close.
func (s *Subscription) C() <-chan Event { return s.ch }

// Dropped is how many events this subscriber lost because its queue was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// deliver is called with the bus lock held, which also orders it against Close.
func (s *Subscription) deliver(ev Event) {
	if s.kinds != nil && !s.kinds[ev.Kind] {
		return
	}
	for {
		select {
		case s.ch <- ev:
			return
		default:
		}
		select { // full: drop the oldest and try again
		case <-s.ch:
			s.dropped.Add(1)
		default:
		}
	}
}

// Close unregisters the subscription and closes C. It is idempotent.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.bus.mu.Lock()
		delete(s.bus.subs, s)
		close(s.ch)
		s.bus.mu.Unlock()
	})
}
