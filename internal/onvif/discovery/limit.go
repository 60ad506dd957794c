package discovery

import "time"

// maxRepliesPerSecond bounds the answers sent, so a flood of (spoofed) probes cannot make the
// camera a reflector: the token bucket holds this many and refills at this rate.
const maxRepliesPerSecond = 50

// limiter is a token bucket. Not goroutine-safe: the read loop owns it.
type limiter struct {
	rate   float64 // tokens per second, also the bucket size
	tokens float64
	last   time.Time
}

func newLimiter(perSecond int) *limiter {
	return &limiter{rate: float64(perSecond), tokens: float64(perSecond)}
}

// allow takes a token if one is left at now.
func (l *limiter) allow(now time.Time) bool {
	if !l.last.IsZero() {
		if d := now.Sub(l.last).Seconds(); d > 0 {
			l.tokens = min(l.rate, l.tokens+d*l.rate)
		}
	}
	l.last = now
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}
