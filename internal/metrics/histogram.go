package metrics

import (
	"math"
	"sync/atomic"
	"time"
)

// Hist is a histogram with fixed upper bounds. Observe is safe from any goroutine, lock-free
// and allocation-free; a scrape reads it while it runs (each bucket is exact, the set is not one
// instant: good enough for Prometheus, which reads counters the same way).
type Hist struct {
	bounds []float64
	counts []atomic.Uint64 // one per bound, then +Inf
	sum    atomic.Uint64   // float64 bits
}

// LatencyBuckets are upper bounds in seconds from 1 ms to 10 s, for request and encode times.
var LatencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// NewHist returns a histogram with the given increasing upper bounds (+Inf is implied).
// It panics when they do not increase: the bounds are constants of the program.
func NewHist(bounds []float64) *Hist {
	for i := 1; i < len(bounds); i++ {
		if !(bounds[i] > bounds[i-1]) {
			panic("metrics: histogram bounds must increase")
		}
	}
	return &Hist{bounds: append([]float64(nil), bounds...), counts: make([]atomic.Uint64, len(bounds)+1)}
}

// Observe records one value.
func (h *Hist) Observe(v float64) {
	i := 0
	for i < len(h.bounds) && v > h.bounds[i] {
		i++
	}
	h.counts[i].Add(1)
	for {
		old := h.sum.Load()
		if h.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// ObserveDuration records d in seconds.
func (h *Hist) ObserveDuration(d time.Duration) { h.Observe(d.Seconds()) }

// Count is the number of observations.
func (h *Hist) Count() uint64 {
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
	}
	return n
}

// Sum is the total of the observed values.
func (h *Hist) Sum() float64 { return math.Float64frombits(h.sum.Load()) }
