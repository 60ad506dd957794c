package pipeline

import "time"

// ptsClock maps each source run's own timestamps onto one monotonic stream clock, so that a
// source restart (the watchdog, a crashed exec command, a looping file) never makes RTSP time go
// backwards.
type ptsClock struct {
	started  bool          // the current run has delivered a frame
	runFirst time.Duration // the current run's first timestamp
	base     time.Duration // stream time of the current run's first frame
	last     time.Duration // the last stream time handed out
	step     time.Duration // the last gap between two frames, to place a new run's first frame
	any      bool          // any frame at all so far
}

func (c *ptsClock) restart() { c.started = false }

func (c *ptsClock) map_(pts time.Duration) time.Duration {
	if !c.started {
		c.started = true
		c.runFirst = pts
		c.base = 0
		if c.any {
			c.base = c.last + max(c.step, time.Millisecond)
		}
	}
	out := c.base + pts - c.runFirst
	if c.any && out <= c.last { // a source whose clock stepped back: keep going forward
		out = c.last + time.Millisecond
	}
	if c.any {
		c.step = out - c.last
	}
	c.last, c.any = out, true
	return out
}
