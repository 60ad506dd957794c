package deliver

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Set is the queues of all targets, one per target, each with its own worker: a slow or dead
// target never delays another. Its methods are safe for concurrent use.
type Set struct {
	queues []*Queue
	byName map[string]*Queue
}

// NewSet makes a Queue for each target with o (o.Dir and o.Target are replaced by dir and the
// target), loading what a previous run left in dir/<target name>/. Target names must be distinct.
func NewSet(dir string, targets []Target, o Options) (*Set, error) {
	s := &Set{byName: make(map[string]*Queue, len(targets))}
	for _, t := range targets {
		qo := o
		qo.Dir, qo.Target = dir, t
		q, err := NewQueue(qo)
		if err != nil {
			return nil, err
		}
		if _, dup := s.byName[q.Name()]; dup {
			return nil, fmt.Errorf("deliver: two targets named %q", q.Name())
		}
		s.queues = append(s.queues, q)
		s.byName[q.Name()] = q
	}
	return s, nil
}

// Enqueue spools it for the named target (see Queue.Enqueue); it never waits for the target.
func (s *Set) Enqueue(target string, it Item) error {
	q, ok := s.byName[target]
	if !ok {
		return fmt.Errorf("deliver: no target named %q", target)
	}
	return q.Enqueue(it)
}

// Queue returns the named target's queue, nil for none.
func (s *Set) Queue(target string) *Queue { return s.byName[target] }

// Run runs every queue's worker until ctx ends, then waits for them all and returns nil (or the
// errors of workers that were already running).
func (s *Set) Run(ctx context.Context) error {
	if len(s.queues) == 0 {
		<-ctx.Done()
		return nil
	}
	var wg sync.WaitGroup
	errs := make([]error, len(s.queues))
	for i, q := range s.queues {
		wg.Go(func() { errs[i] = q.Run(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Status returns every target's status, in the order of the targets given to NewSet.
func (s *Set) Status() []Status {
	out := make([]Status, len(s.queues))
	for i, q := range s.queues {
		out[i] = q.Status()
	}
	return out
}
