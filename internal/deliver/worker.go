package deliver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Run is the queue's one worker: it delivers the items oldest first, one at a time, each attempt
// bounded by Timeout. A delivered item is removed with its files. A failure waits the queue's
// backoff and tries the same (oldest) item again, for ever, until the item is older than MaxAge;
// a Permanent error drops the item at once. The first failure of an outage is logged, the rest
// counted. When ctx ends Run returns nil and the items stay on disk for the next run; it returns
// an error only when the queue's worker is already running.
func (q *Queue) Run(ctx context.Context) error {
	if !q.running.CompareAndSwap(false, true) {
		return fmt.Errorf("deliver: %s: Run called twice", q.name)
	}
	defer q.running.Store(false)
	bo := q.o.Backoff
	failures := 0 // of this outage
	for {
		e, ok := q.take()
		if !ok {
			select {
			case <-ctx.Done():
				return nil
			case <-q.wake:
				continue
			}
		}
		if ctx.Err() != nil {
			q.release(e)
			return nil
		}
		if age := q.o.Now().Sub(e.it.Created); age > q.o.MaxAge {
			q.drop(e, "older than max age", errors.New("too old"), "age", age.Round(time.Second).String())
			continue
		}
		err := q.attempt(ctx, e)
		if err == nil {
			q.done(e)
			bo.Reset()
			if failures > 0 {
				q.log.Info("delivering again", "failed_attempts", failures)
			}
			failures = 0
			continue
		}
		if ctx.Err() != nil { // cut short by the shutdown: not the target's failure
			q.release(e)
			return nil
		}
		q.failed(err)
		if IsPermanent(err) {
			q.drop(e, "permanent error", err)
			continue
		}
		q.release(e)
		failures++
		if failures == 1 {
			q.log.Warn("delivery failed; retrying with backoff", "item", e.it.ID, "err", logErr(err))
		} else {
			q.log.Debug("delivery failed again", "item", e.it.ID, "err", logErr(err), "failed_attempts", failures)
		}
		if !q.sleep(ctx, min(bo.Next(0), bo.Max)) {
			return nil
		}
	}
}

// attempt is one Deliver call with the queue's timeout, on a copy of the item.
func (q *Queue) attempt(ctx context.Context, e *entry) error {
	ctx, cancel := context.WithTimeout(ctx, q.o.Timeout)
	defer cancel()
	it := e.it
	it.Files = slices.Clone(it.Files)
	if err := q.o.Target.Deliver(ctx, it); err != nil {
		return &failure{Target: q.name, Item: it.ID, Err: err}
	}
	return nil
}

// logErr is err for a log line whose attributes name the target and the item already: a failed
// attempt's cause only, so neither is said twice.
func logErr(err error) string {
	var f *failure
	if errors.As(err, &f) {
		return f.cause()
	}
	return err.Error()
}

// take returns the oldest item and marks it busy, so that trim leaves it alone.
func (q *Queue) take() (*entry, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		q.overflow = false
		return nil, false
	}
	q.busy = q.items[0].seq
	return q.items[0], true
}

func (q *Queue) release(*entry) {
	q.mu.Lock()
	q.busy = 0
	q.mu.Unlock()
}

// done takes the delivered e out of the queue and off the disk.
func (q *Queue) done(e *entry) {
	q.remove(e) // first: whoever sees the counter sees the spool without it
	q.mu.Lock()
	q.unqueue(e)
	q.st.Delivered++
	q.st.LastSuccess = q.o.Now()
	q.mu.Unlock()
}

// drop gives up on e, logging why.
func (q *Queue) drop(e *entry, why string, err error, attrs ...any) {
	q.remove(e)
	q.log.Warn("dropped an item: "+why, append([]any{"item", e.it.ID, "event", e.it.Event, "err", logErr(err)}, attrs...)...)
	q.mu.Lock()
	q.unqueue(e)
	q.st.Dropped++
	q.mu.Unlock()
}

func (q *Queue) failed(err error) {
	q.mu.Lock()
	q.st.Failures++
	q.st.LastError = err.Error()
	q.st.LastErrorAt = q.o.Now()
	q.mu.Unlock()
}

// unqueue removes the busy e from the queue's index. q.mu is held.
func (q *Queue) unqueue(e *entry) {
	q.busy = 0
	if i := slices.Index(q.items, e); i >= 0 {
		q.items = slices.Delete(q.items, i, i+1)
	}
	delete(q.ids, e.it.ID)
	if len(q.items) < q.o.MaxItems {
		q.overflow = false
	}
}
