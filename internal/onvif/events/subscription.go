package events

import "time"

// subscription is one pull point, or one push subscription when consumer is set. All fields
// are guarded by Broker.mu.
type subscription struct {
	id          string
	termination time.Time
	consumer    *consumer // nil for a pull point

	// queue is a ring of at most cap(queue) messages: head is the oldest, n how many.
	queue   []message
	head, n int
	dropped uint64

	// wake is closed (and cleared) when messages are queued; pulls that wait create it.
	wake chan struct{}
	// gone is closed when the subscription is freed (Unsubscribe, expiry, Close).
	gone chan struct{}
}

func newSubscription(id string, termination time.Time, maxQueue int) *subscription {
	return &subscription{
		id:          id,
		termination: termination,
		queue:       make([]message, maxQueue),
		gone:        make(chan struct{}),
	}
}

// push queues m, dropping the oldest message when the queue is full, and wakes waiting pulls
// or kicks the push sender (never blocking). A push subscription keeps only its topics.
func (s *subscription) push(m message) {
	c := s.consumer
	if c != nil && !c.topics.has(m.topic) {
		return
	}
	if s.n == len(s.queue) {
		s.head = (s.head + 1) % len(s.queue)
		s.n--
		s.dropped++
	}
	s.queue[(s.head+s.n)%len(s.queue)] = m
	s.n++
	if s.wake != nil {
		close(s.wake)
		s.wake = nil
	}
	if c != nil && c.live {
		c.poke()
	}
}

// drainInto appends every queued message to dst, oldest first, and empties the queue.
func (s *subscription) drainInto(dst []message) []message {
	for i := range s.n {
		dst = append(dst, s.queue[(s.head+i)%len(s.queue)])
	}
	s.head, s.n = 0, 0
	return dst
}

// take removes and returns up to limit of the oldest messages.
func (s *subscription) take(limit int) []message {
	if limit > s.n {
		limit = s.n
	}
	if limit <= 0 {
		return nil
	}
	out := make([]message, limit)
	for i := range out {
		out[i] = s.queue[(s.head+i)%len(s.queue)]
	}
	s.head = (s.head + limit) % len(s.queue)
	s.n -= limit
	return out
}

// waitChan returns the channel closed by the next push.
func (s *subscription) waitChan() <-chan struct{} {
	if s.wake == nil {
		s.wake = make(chan struct{})
	}
	return s.wake
}

// free marks the subscription gone, ending every pull that waits on it and cancelling its push
// sender.
func (s *subscription) free() {
	close(s.gone)
	if s.consumer != nil {
		s.consumer.cancel()
	}
}
