package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// Defaults of Options.
const (
	DefaultMaxSubscriptions     = 16
	DefaultMaxPushSubscriptions = 4
	DefaultPushTimeout          = 5 * time.Second
	DefaultPushRetryInitial     = time.Second
	DefaultPushRetryMax         = time.Minute
	DefaultMaxQueue             = 64
	DefaultMaxTermination       = time.Hour
	DefaultTermination          = 10 * time.Minute
	DefaultMaxPullTimeout       = 60 * time.Second
	DefaultPath                 = "/onvif/events_service"
)

// Options configure a Broker. The zero value is usable.
type Options struct {
	// MaxSubscriptions is how many subscriptions, pull points and push subscriptions together,
	// may live at once (default 16). The push subscriptions' share (MaxPushSubscriptions) is
	// reserved out of it, so pull points get MaxSubscriptions minus that share, and neither kind
	// can starve the other. Expired ones are freed first; when all of a kind are live,
	// CreatePullPointSubscription or Subscribe is refused with a Receiver fault
	// (wsnt:SubscribeCreationFailedFault).
	MaxSubscriptions int
	// MaxPushSubscriptions is how many base-notification (Subscribe + Notify) subscriptions may
	// live at once (default 4; negative: none, and Subscribe answers NotImplemented). It is
	// capped at half of MaxSubscriptions so that pull points always keep the other half.
	MaxPushSubscriptions int
	// MaxQueue is how many messages a subscription keeps (default 64); when a client stops
	// pulling, or a push consumer cannot be reached, the oldest are dropped (and counted).
	MaxQueue int
	// HTTPClient posts wsnt:Notify to push consumers. Default: a client of its own with a 5 s
	// timeout, no proxy from the environment and verified TLS. Whatever client is given, it is
	// copied with redirects never followed and without a cookie jar: the consumer URL comes
	// from an authenticated account, but freecam sends nothing to a place it was redirected to
	// and never sends credentials.
	HTTPClient *http.Client
	// PushRetryInitial and PushRetryMax bound the jittered exponential backoff between
	// attempts to reach a push consumer that failed (connection refused, a non-2xx answer, a
	// redirect): defaults 1 s and 1 min. Retries go on while the subscription lives.
	PushRetryInitial time.Duration
	PushRetryMax     time.Duration
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

	pullCap, pushCap int          // effective limits per kind (see Options.MaxSubscriptions)
	client           *http.Client // posts Notify; redirects refused, no jar
	ownClient        bool         // client's transport is ours: Close closes its idle connections
	senders          sync.WaitGroup
	pushSent         atomic.Uint64 // Notify requests a consumer accepted
	pushFailed       atomic.Uint64 // Notify attempts that failed

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
	if o.PushRetryInitial <= 0 {
		o.PushRetryInitial = DefaultPushRetryInitial
	}
	if o.PushRetryMax <= 0 {
		o.PushRetryMax = DefaultPushRetryMax
	}
	pushCap := o.MaxPushSubscriptions
	switch {
	case pushCap == 0:
		pushCap = DefaultMaxPushSubscriptions
	case pushCap < 0:
		pushCap = 0
	}
	pushCap = min(pushCap, o.MaxSubscriptions/2)
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Broker{
		opt:     o,
		log:     log.With("component", "onvif-events"),
		pullCap: o.MaxSubscriptions - pushCap,
		pushCap: pushCap,
		subs:    make(map[string]*subscription),
		done:    make(chan struct{}),
	}
	b.client, b.ownClient = pushClient(o.HTTPClient)
	return b
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
//
// Close also stops every push subscription's sender, cancelling a Notify in flight, and waits
// for them to end.
func (b *Broker) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
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
	b.mu.Unlock()
	b.senders.Wait() // they need b.mu to finish
	if b.ownClient {
		b.client.CloseIdleConnections()
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

// PushDeliveries returns how many Notify requests push consumers accepted (2xx) and how many
// attempts failed (and were retried) since New.
func (b *Broker) PushDeliveries() (sent, failed uint64) {
	return b.pushSent.Load(), b.pushFailed.Load()
}

// create adds a pull point (c nil) or a push subscription to c that ends at termination, and
// queues the Initialized messages. A push subscription's sender starts here but posts nothing
// before its first kick. ok is false when the broker is closed or the kind's limit is reached.
func (b *Broker) create(now, termination time.Time, c *consumer) (s *subscription, ok bool) {
	var raw [8]byte
	rand.Read(raw[:]) //nolint:errcheck // crypto/rand.Read never fails
	id := hex.EncodeToString(raw[:])
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, false
	}
	b.sweepLocked()
	pushes := 0
	for _, s := range b.subs {
		if s.consumer != nil {
			pushes++
		}
	}
	if c == nil && len(b.subs)-pushes >= b.pullCap || c != nil && pushes >= b.pushCap {
		return nil, false
	}
	s = newSubscription(id, termination, b.opt.MaxQueue)
	if c != nil {
		var ctx context.Context
		ctx, c.cancel = context.WithCancel(context.Background())
		c.exited = make(chan struct{})
		c.kick = make(chan struct{}, 1)
		s.consumer = c
		b.senders.Add(1)
		go b.deliver(ctx, s)
	}
	b.subs[id] = s
	b.initializeLocked(s, now)
	b.armLocked()
	if c != nil {
		b.log.Debug("push subscription created", "id", id, "consumer", c.logName, "termination", termination, "live", len(b.subs))
	} else {
		b.log.Debug("subscription created", "id", id, "termination", termination, "live", len(b.subs))
	}
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

// freeLocked removes subscription id and ends its waiting pulls or its sender (without waiting
// for the sender: callers that must, wait on consumer.exited or senders after unlocking).
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
