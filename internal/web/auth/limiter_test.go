package auth

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestThrottleOneAddress(t *testing.T) {
	a, clk := newTestAuth(t, "")
	mustSet(t, a, "admin", Admin, "admin password", false)
	runs := a.argonRuns.Load()
	throttled := 0
	for i := range 100 {
		_, err := a.Check(basicRequest("203.0.113.9:4000", "admin", fmt.Sprintf("guess %d", i)))
		var te *ThrottledError
		switch {
		case errors.As(err, &te):
			throttled++
		case !errors.Is(err, ErrBadCredentials):
			t.Fatalf("attempt %d: got %v, want bad credentials or throttled", i, err)
		}
	}
	hashed := a.argonRuns.Load() - runs
	if throttled < 90 || hashed > 10 {
		t.Errorf("got %d of 100 throttled and %d hashes computed, want at least 90 and at most 10", throttled, hashed)
	}

	_, err := a.Check(basicRequest("203.0.113.9:4001", "admin", "admin password"))
	var te *ThrottledError
	if !errors.As(err, &te) {
		t.Fatalf("got %v for the right password while throttled, want *ThrottledError", err)
	}
	if te.Wait <= 0 || te.Wait > time.Minute {
		t.Errorf("got wait %v, want (0, 60 s]: the user's cap", te.Wait)
	}
	clk.Add(te.Wait)
	if u, err := a.Check(basicRequest("203.0.113.9:4001", "admin", "admin password")); err != nil || u.Name != "admin" {
		t.Errorf("got %+v, %v after the wait, want admin", u, err)
	}
	// Success reset both counts: the next wrong password is checked, not throttled.
	if _, err := a.Check(basicRequest("203.0.113.9:4001", "admin", "wrong")); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("got %v after a success, want ErrBadCredentials", err)
	}
}

func TestThrottleConcurrentGuesses(t *testing.T) {
	a, _ := newTestAuth(t, "")
	mustSet(t, a, "admin", Admin, "admin password", false)
	runs := a.argonRuns.Load()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() { a.Verify("admin", fmt.Sprintf("guess %d", i), "203.0.113.50") })
	}
	wg.Wait()
	if hashed := a.argonRuns.Load() - runs; hashed > 5 {
		t.Errorf("got %d hashes for 50 concurrent guesses, want at most 5", hashed)
	}
}

func TestThrottleUserAcrossAddresses(t *testing.T) {
	a, clk := newTestAuth(t, "")
	mustSet(t, a, "admin", Admin, "admin password", false)
	mustSet(t, a, "bob", Viewer, "bob password", false)
	for i := range 30 {
		a.Verify("admin", "wrong", fmt.Sprintf("198.51.100.%d:1", i))
	}
	_, err := a.Verify("admin", "admin password", "192.0.2.200:1")
	var te *ThrottledError
	if !errors.As(err, &te) {
		t.Fatalf("got %v from a fresh address, want admin throttled across addresses", err)
	}
	if te.Wait > time.Minute {
		t.Errorf("got wait %v, want at most 60 s for a user name", te.Wait)
	}
	if _, err := a.Verify("bob", "bob password", "192.0.2.200:1"); err != nil {
		t.Errorf("got %v for another user from that address, want nil", err)
	}
	clk.Add(time.Minute)
	if _, err := a.Verify("admin", "admin password", "192.0.2.200:1"); err != nil {
		t.Errorf("got %v a minute later, want admin accepted", err)
	}
}

func TestLimiterDelays(t *testing.T) {
	clk := &clock{t: time.Unix(1e9, 0)}
	var logs bytes.Buffer
	l := NewLimiter(LimiterOptions{Now: clk.Now, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	wait := func() time.Duration {
		var te *ThrottledError
		if err := l.Allow("192.0.2.1:5", "u"); errors.As(err, &te) {
			return te.Wait
		}
		return 0
	}
	var got []time.Duration
	for range 17 {
		if w := wait(); w > 0 {
			clk.Add(w)
		}
		l.Fail("192.0.2.1:5", "u"+fmt.Sprint(len(got))) // a new name each time: the address alone
		got = append(got, wait())
	}
	want := []time.Duration{0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("got waits %v, want %v seconds", got, want)
		}
	}
	if n := strings.Count(logs.String(), "throttling"); n != 1 {
		t.Errorf("got %d throttling log lines, want 1:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "level=WARN") != true || !strings.Contains(logs.String(), "addr=192.0.2.1") {
		t.Errorf("got log %q, want a Warn line with the address", logs.String())
	}

	// 15 min of quiet after the last wait ends forgets the failures.
	clk.Add(900*time.Second + 15*time.Minute)
	l.Fail("192.0.2.1:5", "v")
	if w := wait(); w != 0 {
		t.Errorf("got wait %v after 15 min of quiet, want the count forgotten", w)
	}
}

func TestLimiterIsBoundedAndGroupsIPv6(t *testing.T) {
	l := NewLimiter(LimiterOptions{MaxKeys: 10})
	for i := range 100 {
		l.Fail(fmt.Sprintf("10.0.0.%d:1", i), "")
	}
	if n := l.lru.Len(); n > 10 || len(l.keys) != n {
		t.Errorf("got %d keys (%d in the map), want at most 10", n, len(l.keys))
	}
	for _, c := range []struct{ a, b string }{
		{"[2001:db8::1]:80", "[2001:db8::ffff:2]:81"},
		{"::ffff:192.0.2.1", "192.0.2.1:7"},
	} {
		if clientKey(c.a) != clientKey(c.b) {
			t.Errorf("got keys %q and %q, want one", clientKey(c.a), clientKey(c.b))
		}
	}
	if clientKey("[2001:db8:0:1::1]:80") == clientKey("[2001:db8:0:2::1]:80") {
		t.Error("got one key for two /64s, want two")
	}
}

func TestVerifyCache(t *testing.T) {
	a, clk := newTestAuth(t, "")
	mustSet(t, a, "ha", Viewer, "viewer password", false)
	runs := func() int64 { return a.argonRuns.Load() }
	check := func(password string) error { _, err := a.Check(basicRequest("10.0.0.5:1", "ha", password)); return err }

	before := runs()
	if err := check("viewer password"); err != nil {
		t.Fatal(err)
	}
	if runs() != before+1 {
		t.Fatalf("got %d computations for the first check, want 1", runs()-before)
	}
	for range 10 {
		if err := check("viewer password"); err != nil {
			t.Fatal(err)
		}
	}
	if runs() != before+1 {
		t.Errorf("got %d computations for 10 more checks, want none (cached)", runs()-before-1)
	}
	if err := check("viewer passwor"); !errors.Is(err, ErrBadCredentials) || runs() != before+2 {
		t.Errorf("got %v with %d computations for a wrong password, want ErrBadCredentials after 1", err, runs()-before-1)
	}

	clk.Add(cacheTTL + time.Second)
	before = runs()
	check("viewer password")
	if runs() != before+1 {
		t.Errorf("got %d computations after 10 min, want 1 (cache expired)", runs()-before)
	}
	mustSet(t, a, "ha", Viewer, "another password", false)
	before = runs()
	if err := check("viewer password"); !errors.Is(err, ErrBadCredentials) || runs() != before+1 {
		t.Errorf("got %v with %d computations for the old password, want ErrBadCredentials after 1", err, runs()-before)
	}
	if err := check("another password"); err != nil {
		t.Error(err)
	}
	for i := range 300 {
		a.remember(a.cacheKeyOf("x", fmt.Sprint(i)), "phc", int64(i))
	}
	if n := len(a.cache); n > cacheEntries {
		t.Errorf("got %d cache entries, want at most %d", n, cacheEntries)
	}
}
