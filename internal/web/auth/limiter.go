package auth

import (
	"container/list"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
	"unicode/utf8"
)

// ThrottledError refuses an attempt because its address or user name failed too often; the
// password was not checked. Wait is how long until the next attempt may be checked.
type ThrottledError struct {
	Wait time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("auth: too many failed attempts, retry in %s", e.Wait.Round(time.Second))
}

// LimiterOptions configure a Limiter. The zero value is the documented defaults.
type LimiterOptions struct {
	// Log receives one Warn line when a streak of failures starts being throttled. Default: discard.
	Log *slog.Logger
	// Now is the clock (tests). Default time.Now.
	Now func() time.Time
	// Free is how many failures pass without a delay. Default 5.
	Free int
	// MaxAddrWait caps the delay of a client address. Default 15 min.
	MaxAddrWait time.Duration
	// MaxUserWait caps the delay of a user name; lower, so an attacker cannot lock the owner out
	// for long. Default 60 s.
	MaxUserWait time.Duration
	// Quiet is the time without failures, counted from the end of the last delay, after which
	// a key's failures are forgotten. Default 15 min.
	Quiet time.Duration
	// MaxKeys bounds the memory: the least recently failed key is forgotten first. Default 4096.
	MaxKeys int
}

// Limiter throttles password guessing: failures are counted per client address and per user
// name, and after Free failures each next attempt must wait 1 s, 2 s, 4 s … (capped). While a key
// must wait, attempts are refused without checking the password. It is safe for concurrent use.
type Limiter struct {
	o    LimiterOptions
	mu   sync.Mutex
	keys map[string]*list.Element // of *limitEntry
	lru  list.List                // front: most recently failed
}

type limitEntry struct {
	key      string
	failures int
	last     time.Time // last failure
	until    time.Time // no attempt is checked before this
	logged   bool
}

// NewLimiter returns a Limiter with o's settings.
func NewLimiter(o LimiterOptions) *Limiter {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Free <= 0 {
		o.Free = 5
	}
	if o.MaxAddrWait <= 0 {
		o.MaxAddrWait = 15 * time.Minute
	}
	if o.MaxUserWait <= 0 {
		o.MaxUserWait = time.Minute
	}
	if o.Quiet <= 0 {
		o.Quiet = 15 * time.Minute
	}
	if o.MaxKeys <= 0 {
		o.MaxKeys = 4096
	}
	return &Limiter{o: o, keys: make(map[string]*list.Element)}
}

// clientKey is the throttling key of a client address ("host:port" or a bare host): the host, or
// its /64 for IPv6, since one client usually holds a whole /64.
func clientKey(addr string) string {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.WithZone("").Prefix(64)
		return p.String()
	}
	return ip.String()
}

// Allow returns a *ThrottledError when addr or user must still wait, else nil.
func (l *Limiter) Allow(addr, user string) error {
	now := l.o.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, k := range [2]string{"a " + clientKey(addr), userKey(user)} {
		if e := l.entry(k, now); e != nil && now.Before(e.until) {
			wait = max(wait, e.until.Sub(now))
		}
	}
	if wait > 0 {
		return &ThrottledError{Wait: wait}
	}
	return nil
}

// Fail counts a failed attempt of user from addr.
func (l *Limiter) Fail(addr, user string) {
	now := l.o.Now()
	ck := clientKey(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	started := false
	var wait time.Duration
	for _, k := range [2]string{"a " + ck, userKey(user)} {
		e := l.entry(k, now)
		if e == nil {
			e = &limitEntry{key: k}
			l.keys[k] = l.lru.PushFront(e)
			for l.lru.Len() > l.o.MaxKeys {
				old := l.lru.Back()
				l.lru.Remove(old)
				delete(l.keys, old.Value.(*limitEntry).key)
			}
		} else {
			l.lru.MoveToFront(l.keys[k])
		}
		e.failures++
		e.last = now
		if n := e.failures - l.o.Free; n >= 0 {
			limit := l.o.MaxAddrWait
			if k[0] == 'u' {
				limit = l.o.MaxUserWait
			}
			d := limit
			if n < 40 && time.Second<<n < limit {
				d = time.Second << n
			}
			e.until = now.Add(d)
			wait = max(wait, d)
			if !e.logged {
				e.logged, started = true, true
			}
		}
	}
	if started {
		l.o.Log.Warn("failed logins: throttling", "addr", ck, "user", LogName(user), "wait", wait)
	}
}

// Succeed forgets the failures of user and of addr.
func (l *Limiter) Succeed(addr, user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range [2]string{"a " + clientKey(addr), userKey(user)} {
		if el, ok := l.keys[k]; ok {
			l.lru.Remove(el)
			delete(l.keys, k)
		}
	}
}

// entry returns k's entry, forgetting it after Quiet without failures; l.mu is held.
func (l *Limiter) entry(k string, now time.Time) *limitEntry {
	el, ok := l.keys[k]
	if !ok {
		return nil
	}
	e := el.Value.(*limitEntry)
	if now.Sub(later(e.last, e.until)) >= l.o.Quiet {
		l.lru.Remove(el)
		delete(l.keys, k)
		return nil
	}
	return e
}

// userKey is the throttling key of a user name. Names that cannot be accounts share one key, so
// garbage names neither fill the table nor cost memory.
// LogName is a user name as it may be logged: a name sent by anyone, before any check, is cut
// to 64 bytes so that it cannot flood the log.
func LogName(name string) string {
	const max = 64
	if len(name) <= max {
		return name
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut] + "…"
}

func userKey(user string) string {
	if !validName(user) {
		return "u !"
	}
	return "u " + user
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
