package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
)

// cacheEntry remembers that a name and password verified against the hash phc, until expires.
// Verifying argon2id on every Basic request (Home Assistant polls a snapshot every 10 s) would
// keep the camera's single core busy.
type cacheEntry struct {
	phc     string
	expires int64 // unix nanoseconds
}

// cacheKeyOf is the verification cache's key of a name and password: an HMAC with a per-process
// key, so the cache holds nothing a memory dump could turn back into a password cheaply.
func (a *Authenticator) cacheKeyOf(name, password string) [32]byte {
	m := hmac.New(sha256.New, a.cacheKey)
	m.Write([]byte(name))
	m.Write([]byte{0})
	m.Write([]byte(password))
	var k [32]byte
	m.Sum(k[:0])
	return k
}

// dummyHash is what a name that has no account is verified against, so that an unknown name
// costs as long as a wrong password and does not tell that the name does not exist. Its key is
// random: nothing matches it.
func dummyHash(p argonParams) *phcHash {
	h := &phcHash{memory: p.memory, time: p.time, threads: p.threads,
		salt: make([]byte, p.saltLen), key: make([]byte, p.keyLen)}
	rand.Read(h.salt)
	rand.Read(h.key)
	return h
}

// verifyPassword checks name and password from the client at addr: throttled first (a throttled
// attempt is refused without looking at the password), then the cache, then argon2id, one
// computation at a time. It returns the account, ErrBadCredentials, a *ThrottledError, or the
// context's error when ctx ends while waiting for another computation.
func (a *Authenticator) verifyPassword(ctx context.Context, addr, name, password string) (*account, error) {
	if err := a.limiter.Allow(addr, name); err != nil {
		return nil, err
	}
	key := a.cacheKeyOf(name, password)
	now := a.now().UnixNano()
	a.mu.Lock()
	a.refresh()
	ac := a.accounts[name]
	if ac != nil {
		if e, ok := a.cache[key]; ok && e.phc == ac.phc && now < e.expires {
			a.mu.Unlock()
			a.limiter.Succeed(addr, name)
			return ac, nil
		}
	}
	a.mu.Unlock()

	select {
	case a.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("auth: waiting to verify a password: %w", ctx.Err())
	}
	defer func() { <-a.sem }()
	// Attempts that queued up behind a failure are throttled now, before they cost argon2.
	if err := a.limiter.Allow(addr, name); err != nil {
		return nil, err
	}
	h := a.dummy
	if ac != nil {
		h = &ac.hash
	}
	a.argonRuns.Add(1)
	ok := h.verify(password) && ac != nil
	if !ok {
		a.limiter.Fail(addr, name)
		return nil, ErrBadCredentials
	}
	a.limiter.Succeed(addr, name)
	a.remember(key, ac.phc, a.now().UnixNano()+int64(cacheTTL))
	return ac, nil
}

// remember caches a verification, evicting the entry closest to expiry when the cache is full.
func (a *Authenticator) remember(key [32]byte, phc string, expires int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.cache[key]; !ok && len(a.cache) >= cacheEntries {
		var oldest [32]byte
		first := true
		var t int64
		for k, e := range a.cache {
			if first || e.expires < t {
				oldest, t, first = k, e.expires, false
			}
		}
		delete(a.cache, oldest)
	}
	a.cache[key] = cacheEntry{phc: phc, expires: expires}
}
