package events

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// Defaults of Options.
const (
	DefaultMaxSubscriptions = 16
	DefaultMaxQueue         = 64
	DefaultMaxTermination   = time.Hour
	DefaultTermination      = 10 * time.Minute
	DefaultMaxPullTimeout   = 60 * time.Second
	DefaultPath             = "/onvif/events_service"
)

// Options configure a Broker. The zero value is usable.
type Options struct {
	// MaxSubscriptions is how many pull points may live at once (default 16). Expired ones are
	// freed first; when all are live, CreatePullPointSubscription is refused with a Receiver
	// fault (wsnt:SubscribeCreationFailedFault).
	MaxSubscriptions int
	// MaxQueue is how many messages a subscription keeps (default 64); when a client stops
	// pulling, the oldest are dropped.
	MaxQueue int
	// MaxTermination caps InitialTerminationTime and Renew (default 1 h). A request without a
	// termination time gets DefaultTermination (10 min), capped likewise.
	MaxTermination time.Duration
	// MaxPullTimeout caps PullMessages' Timeout (default 60 s).
	MaxPullTimeout time.Duration
	// Path is the event service's path (default "/onvif/events_service"); subscriptions live
	// at Path+"/subscription/<id>".
	Path string
	// Now is the clock (default time.Now); tests inject a fake one. Long polls still wait
	// on real timers.
	Now func() time.Time
	// Log receives subscription lifecycle messages at debug level (default: discarded).
	Log *slog.Logger
}

// Broker is the ONVIF event service. It is safe for concurrent use; SetMotion never blocks
// on a client.
type Broker struct {
	opt Options
	log *slog.Logger

	mu      sync.Mutex
	subs    map[string]*subscription
	motion  bool
	closed  bool
	done    chan struct{} // closed by Close
	timer   *time.Timer   // frees expired subscriptions; nil when none live
	dropped uint64        // messages dropped from full queues, freed subscriptions included
	waiting int           // PullMessages calls waiting (for tests)
}

var _ soap.Service = (*Broker)(nil)

// New returns a Broker with o's defaults filled in. Close it to end waiting pulls.
func New(o Options) *Broker {
	if o.MaxSubscriptions <= 0 {
		o.MaxSubscriptions = DefaultMaxSubscriptions
	}
	if o.MaxQueue <= 0 {
		o.MaxQueue = DefaultMaxQueue
	}
	if o.MaxTermination <= 0 {
		o.MaxTermination = DefaultMaxTermination
	}
	if o.MaxPullTimeout <= 0 {
		o.MaxPullTimeout = DefaultMaxPullTimeout
	}
	if o.Path == "" {
		o.Path = DefaultPath
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Broker{
		opt:  o,
		log:  log.With("component", "onvif-events"),
		subs: make(map[string]*subscription),
		done: make(chan struct{}),
	}
}

// SetMotion publishes a change of the motion state to every subscription: a
// tns1:VideoSource/MotionAlarm and a tns1:RuleEngine/CellMotionDetector/Motion message with
// PropertyOperation "Changed" and UtcTime at. A call that repeats the current state publishes
// nothing (the topics are properties). The state is remembered for Initialized messages. It
// never blocks on a client and is a no-op after Close.
func (b *Broker) SetMotion(active bool, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || active == b.motion {
		return
	}
	b.motion = active
	b.sweepLocked()
	msgs := motionMessages(opChanged, at, active)
	for _, s := range b.subs {
		s.push(msgs[0])
		s.push(msgs[1])
	}
}

// Close frees every subscription and ends waiting PullMessages at once (they answer with what
// they have). Later calls are refused. It is idempotent.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	close(b.done)
	for id := range b.subs {
		b.freeLocked(id)
	}
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
}

// Subscriptions returns how many subscriptions are live (expired ones are freed first).
func (b *Broker) Subscriptions() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sweepLocked()
	return len(b.subs)
}

// Dropped returns how many messages were dropped because a client did not pull them in time.
func (b *Broker) Dropped() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.dropped
	for _, s := range b.subs {
		n += s.dropped
	}
	return n
}

// create adds a subscription that ends at termination and queues the Initialized messages.
// ok is false when the broker is full or closed.
func (b *Broker) create(now, termination time.Time) (s *subscription, ok bool) {
	var raw [8]byte
	rand.Read(raw[:]) //nolint:errcheck // crypto/rand.Read never fails
	id := hex.EncodeToString(raw[:])
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, false
	}
	b.sweepLocked()
	if len(b.subs) >= b.opt.MaxSubscriptions {
		return nil, false
	}
	s = newSubscription(id, termination, b.opt.MaxQueue)
	b.subs[id] = s
	b.initializeLocked(s, now)
	b.armLocked()
	b.log.Debug("subscription created", "id", id, "termination", termination, "live", len(b.subs))
	return s, true
}

// initializeLocked queues the current motion state as Initialized messages.
func (b *Broker) initializeLocked(s *subscription, now time.Time) {
	msgs := motionMessages(opInitialized, now, b.motion)
	s.push(msgs[0])
	s.push(msgs[1])
}

// lookupLocked returns the live subscription id, freeing expired ones first.
func (b *Broker) lookupLocked(id string) *subscription {
	b.sweepLocked()
	return b.subs[id]
}

// freeLocked removes subscription id and ends its waiting pulls.
func (b *Broker) freeLocked(id string) {
	s, ok := b.subs[id]
	if !ok {
		return
	}
	delete(b.subs, id)
	b.dropped += s.dropped
	s.free()
}

// sweepLocked frees every subscription past its termination time.
func (b *Broker) sweepLocked() {
	now := b.opt.Now()
	for id, s := range b.subs {
		if !now.Before(s.termination) {
			b.log.Debug("subscription expired", "id", id)
			b.freeLocked(id)
		}
	}
}

// armLocked sets the expiry timer to the earliest termination time, or stops it when no
// subscription lives. One timer serves all subscriptions; its function runs only when it fires.
func (b *Broker) armLocked() {
	if b.closed {
		return
	}
	var first time.Time
	for _, s := range b.subs {
		if first.IsZero() || s.termination.Before(first) {
			first = s.termination
		}
	}
	if first.IsZero() {
		if b.timer != nil {
			b.timer.Stop()
		}
		return
	}
	d := max(first.Sub(b.opt.Now()), 0)
	if b.timer == nil {
		b.timer = time.AfterFunc(d, b.expire)
		return
	}
	b.timer.Reset(d)
}

// expire is the timer's function: free what has expired, then wait for the next one.
func (b *Broker) expire() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.sweepLocked()
	b.armLocked()
}

// clampTermination caps a requested termination instant at now+MaxTermination.
func (b *Broker) clampTermination(now, t time.Time) time.Time {
	if limit := now.Add(b.opt.MaxTermination); t.After(limit) {
		return limit
	}
	return t
}
