package events

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/freecam/freecam/internal/testutil"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestPullPointLifecycle walks Home Assistant's sequence: create, pull the Initialized state,
// motion on, pull the change, renew, unsubscribe, and a pull that then gets the fault.
func TestPullPointLifecycle(t *testing.T) {
	b := New(Options{})
	defer b.Close()
	srv := newServer(t, b)

	cr := create(t, srv.URL, "PT600S")
	addr := cr.Body.Create.Address
	if want := srv.URL + DefaultPath + "/subscription/"; !strings.HasPrefix(addr, want) || len(addr) != len(want)+16 {
		t.Fatalf("got address %q, want %s<16 hex>", addr, want)
	}
	cur, _ := time.Parse(time.RFC3339, cr.Body.Create.CurrentTime)
	term, _ := time.Parse(time.RFC3339, cr.Body.Create.TerminationTime)
	if got := term.Sub(cur); got != 600*time.Second {
		t.Fatalf("got TerminationTime-CurrentTime %v, want 10m0s", got)
	}

	r := pull(t, nil, addr, "PT1M", 100)
	if r.Body.Pull == nil {
		t.Fatalf("PullMessages: got status %d:\n%s", r.Status, r.Raw)
	}
	if got, want := summarize(r.Body.Pull.Messages), motionSummary("Initialized", "false"); !slices.Equal(got, want) {
		t.Fatalf("first pull: got %+v, want %+v", got, want)
	}

	at := time.Date(2025, 1, 31, 12, 0, 5, 0, time.UTC)
	b.SetMotion(true, at)
	r = pull(t, nil, addr, "PT1M", 100)
	if got, want := summarize(r.Body.Pull.Messages), motionSummary("Changed", "true"); !slices.Equal(got, want) {
		t.Fatalf("after SetMotion(true): got %+v, want %+v", got, want)
	}
	for _, m := range r.Body.Pull.Messages {
		if m.Message.UtcTime != "2025-01-31T12:00:05Z" || m.Topic.Dialect != dialectConcreteSet {
			t.Errorf("got UtcTime %q Dialect %q, want 2025-01-31T12:00:05Z and %s", m.Message.UtcTime, m.Topic.Dialect, dialectConcreteSet)
		}
	}
	if got := summarize(r.Body.Pull.Messages)[1]; got.Source0 == "" || len(r.Body.Pull.Messages[1].Message.Source) != 3 {
		t.Errorf("CellMotion source: got %+v, want 3 items", r.Body.Pull.Messages[1].Message.Source)
	}

	rr := post(t, nil, addr, envelope12("Renew", nsWSNT, "<TerminationTime>PT1200S</TerminationTime>", addr))
	if rr.Body.Renew == nil {
		t.Fatalf("Renew: got status %d:\n%s", rr.Status, rr.Raw)
	}
	cur, _ = time.Parse(time.RFC3339, rr.Body.Renew.CurrentTime)
	newTerm, _ := time.Parse(time.RFC3339, rr.Body.Renew.TerminationTime)
	if got := newTerm.Sub(cur); got != 1200*time.Second || !newTerm.After(term) {
		t.Fatalf("Renew: got termination %v (%v from now), want 20m from now and after %v", newTerm, got, term)
	}

	ur := post(t, nil, addr, envelope12("Unsubscribe", nsWSNT, "", addr))
	if ur.Body.Unsubscribe == nil {
		t.Fatalf("Unsubscribe: got status %d:\n%s", ur.Status, ur.Raw)
	}
	if n := b.Subscriptions(); n != 0 {
		t.Fatalf("after Unsubscribe: got %d subscriptions, want 0", n)
	}
	r = pull(t, nil, addr, "PT1M", 100)
	wantFault(t, r, "Sender", subResourceUnknown)
	if r.Status != http.StatusBadRequest {
		t.Errorf("got status %d, want 400", r.Status)
	}
	wantFault(t, post(t, nil, addr, envelope12("Renew", nsWSNT, "<TerminationTime>PT60S</TerminationTime>", addr)), "Sender", subResourceUnknown)
}

// TestPullTimesOutEmpty checks that a pull with nothing queued waits its whole Timeout and
// then answers with no messages (in a synctest bubble: the 2 s pass on the fake clock).
func TestPullTimesOutEmpty(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Options{})
		defer b.Close()
		cr := serve(t, b, DefaultPath, envelope12("CreatePullPointSubscription", nsTev, "", ""))
		path := strings.TrimPrefix(cr.Body.Create.Address, "http://192.0.2.2:8080")
		if r := serve(t, b, path, pullBody("PT2S", 10)); len(r.Body.Pull.Messages) != 2 {
			t.Fatalf("got %d Initialized messages, want 2", len(r.Body.Pull.Messages))
		}
		start := time.Now()
		r := serve(t, b, path, pullBody("PT2S", 10))
		if got := time.Since(start); got != 2*time.Second {
			t.Errorf("empty pull returned after %v, want 2s", got)
		}
		if r.Body.Pull == nil || len(r.Body.Pull.Messages) != 0 {
			t.Fatalf("got %s, want an empty PullMessagesResponse", r.Raw)
		}

		// Timeout above MaxPullTimeout is capped.
		start = time.Now()
		serve(t, b, path, pullBody("PT10M", 10))
		if got := time.Since(start); got != DefaultMaxPullTimeout {
			t.Errorf("PT10M pull returned after %v, want the cap %v", got, DefaultMaxPullTimeout)
		}
	})
}

// TestLongPollWakesOnMotion: over real HTTP, a pull that waits returns as soon as SetMotion
// is called, far sooner than its timeout.
func TestLongPollWakesOnMotion(t *testing.T) {
	b := New(Options{})
	defer b.Close()
	srv := newServer(t, b)
	addr := create(t, srv.URL, "").Body.Create.Address
	pull(t, nil, addr, "PT1S", 10) // the Initialized messages

	got := pullAsync(addr, "PT30S", 10)
	testutil.WaitFor(t, "the pull to wait", func() bool { return b.waitingPulls() == 1 })
	start := time.Now()
	b.SetMotion(true, time.Now())
	var r *response
	select {
	case res := <-got:
		if res.err != nil {
			t.Fatalf("pull: %v", res.err)
		}
		r = res.resp
	case <-time.After(20 * time.Second):
		t.Fatal("the waiting pull did not return after SetMotion")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("pull returned %v after SetMotion, want well below its 30 s timeout", d)
	}
	if got, want := summarize(r.Body.Pull.Messages), motionSummary("Changed", "true"); !slices.Equal(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

// TestClientDisconnectEndsLongPoll: a client that goes away ends its pull, and the messages
// it would have got stay queued for the next pull.
func TestClientDisconnectEndsLongPoll(t *testing.T) {
	b := New(Options{})
	defer b.Close()
	srv := newServer(t, b)
	addr := create(t, srv.URL, "").Body.Create.Address
	pull(t, nil, addr, "PT1S", 10)

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, addr, strings.NewReader(pullBody("PT60S", 10)))
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		errc <- err
	}()
	testutil.WaitFor(t, "the pull to wait", func() bool { return b.waitingPulls() == 1 })
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("got a response, want the client's request cancelled")
	}
	testutil.WaitFor(t, "the server to end the pull", func() bool { return b.waitingPulls() == 0 })

	b.SetMotion(true, time.Now())
	r := pull(t, nil, addr, "PT1S", 10)
	if len(r.Body.Pull.Messages) != 2 {
		t.Fatalf("after the disconnect: got %d messages, want 2", len(r.Body.Pull.Messages))
	}
}

// TestCloseEndsWaitingPulls: Close answers waiting pulls at once and frees everything.
func TestCloseEndsWaitingPulls(t *testing.T) {
	b := New(Options{})
	srv := newServer(t, b)
	addr := create(t, srv.URL, "").Body.Create.Address
	pull(t, nil, addr, "PT1S", 10)

	got := []<-chan asyncResult{pullAsync(addr, "PT60S", 10), pullAsync(addr, "PT60S", 10)}
	testutil.WaitFor(t, "two pulls to wait", func() bool { return b.waitingPulls() == 2 })
	start := time.Now()
	b.Close()
	for i := range 2 {
		select {
		case res := <-got[i]:
			r := res.resp
			if res.err != nil {
				t.Fatalf("pull: %v", res.err)
			}
			if r.Body.Pull == nil || len(r.Body.Pull.Messages) != 0 {
				t.Errorf("got %s, want an empty PullMessagesResponse", r.Raw)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("a waiting pull did not return after Close")
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("pulls returned %v after Close, want at once", d)
	}
	if n := b.Subscriptions(); n != 0 {
		t.Errorf("after Close: got %d subscriptions, want 0", n)
	}
	wantFault(t, post(t, nil, srv.URL+DefaultPath, envelope12("CreatePullPointSubscription", nsTev, "", "")), "Receiver", subSubscribeFailed)
	b.SetMotion(true, time.Now()) // a no-op, must not panic
	b.Close()                     // idempotent
}

// TestExpiry: a subscription past its TerminationTime is refused and freed, on the fake clock.
func TestExpiry(t *testing.T) {
	clk := newFakeClock()
	b := New(Options{Now: clk.Now})
	defer b.Close()
	srv := newServer(t, b)
	keep := create(t, srv.URL, "PT120S").Body.Create.Address
	addr := create(t, srv.URL, "PT60S").Body.Create.Address

	clk.Add(59 * time.Second)
	if r := pull(t, nil, addr, "PT0S", 10); r.Body.Pull == nil {
		t.Fatalf("before expiry: got %s, want a response", r.Raw)
	}
	clk.Add(time.Second)
	wantFault(t, pull(t, nil, addr, "PT0S", 10), "Sender", subResourceUnknown)
	if n := b.Subscriptions(); n != 1 {
		t.Fatalf("after expiry: got %d subscriptions, want 1", n)
	}
	// Renew keeps the other alive past its first termination time.
	post(t, nil, keep, envelope12("Renew", nsWSNT, "<TerminationTime>PT300S</TerminationTime>", keep))
	clk.Add(200 * time.Second)
	if r := pull(t, nil, keep, "PT0S", 10); r.Body.Pull == nil {
		t.Fatalf("renewed subscription: got %s, want a response", r.Raw)
	}
	clk.Add(100 * time.Second)
	if n := b.Subscriptions(); n != 0 {
		t.Fatalf("after the renewed one expired: got %d subscriptions, want 0", n)
	}
}

// TestExpiryTimer: the timer frees an expired subscription without any call, and ends a pull
// that waits on it.
func TestExpiryTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Options{})
		defer b.Close()
		serve(t, b, DefaultPath, envelope12("CreatePullPointSubscription", nsTev, "<InitialTerminationTime>PT30S</InitialTerminationTime>", ""))
		s := func() *subscription {
			b.mu.Lock()
			defer b.mu.Unlock()
			for _, s := range b.subs {
				return s
			}
			return nil
		}()
		time.Sleep(30 * time.Second)
		synctest.Wait()
		select {
		case <-s.gone:
		default:
			t.Fatal("the subscription was not freed at its termination time")
		}
		b.mu.Lock()
		n := len(b.subs)
		b.mu.Unlock()
		if n != 0 {
			t.Fatalf("got %d subscriptions in the map, want 0", n)
		}
	})
}

func TestMaxSubscriptions(t *testing.T) {
	clk := newFakeClock()
	b := New(Options{MaxSubscriptions: 2, MaxPushSubscriptions: -1, Now: clk.Now})
	defer b.Close()
	srv := newServer(t, b)
	create(t, srv.URL, "PT60S")
	second := create(t, srv.URL, "PT600S").Body.Create.Address
	r := post(t, nil, srv.URL+DefaultPath, envelope12("CreatePullPointSubscription", nsTev, "", ""))
	wantFault(t, r, "Receiver", subSubscribeFailed)
	if r.Status != http.StatusInternalServerError {
		t.Errorf("got status %d, want 500", r.Status)
	}
	// Unsubscribe frees a slot.
	post(t, nil, second, envelope12("Unsubscribe", nsWSNT, "", second))
	create(t, srv.URL, "PT600S")
	wantFault(t, post(t, nil, srv.URL+DefaultPath, envelope12("CreatePullPointSubscription", nsTev, "", "")), "Receiver", subSubscribeFailed)
	// An expired one is freed first.
	clk.Add(time.Minute)
	create(t, srv.URL, "PT600S")
	if n := b.Subscriptions(); n != 2 {
		t.Fatalf("got %d subscriptions, want 2", n)
	}
}

func TestQueueOverflowDropsOldest(t *testing.T) {
	b := New(Options{MaxQueue: 4})
	defer b.Close()
	srv := newServer(t, b)
	addr := create(t, srv.URL, "").Body.Create.Address // 2 Initialized queued
	base := time.Date(2025, 1, 31, 12, 0, 0, 0, time.UTC)
	for i := 1; i <= 3; i++ { // 6 more: the first 4 of the 8 are dropped
		b.SetMotion(i%2 == 1, base.Add(time.Duration(i)*time.Second))
	}
	if got := b.Dropped(); got != 4 {
		t.Errorf("got %d dropped, want 4", got)
	}
	r := pull(t, nil, addr, "PT0S", 100)
	msgs := r.Body.Pull.Messages
	if len(msgs) != 4 {
		t.Fatalf("got %d messages, want the 4 newest", len(msgs))
	}
	for i, want := range []string{"12:00:02Z", "12:00:02Z", "12:00:03Z", "12:00:03Z"} {
		if got := msgs[i].Message.UtcTime; !strings.HasSuffix(got, want) {
			t.Errorf("message %d: got UtcTime %s, want ...%s", i, got, want)
		}
	}
}

func TestMessageLimit(t *testing.T) {
	b := New(Options{})
	defer b.Close()
	srv := newServer(t, b)
	addr := create(t, srv.URL, "").Body.Create.Address
	b.SetMotion(true, time.Now())
	for i, want := range []int{3, 1, 0} {
		if got := len(pull(t, nil, addr, "PT0S", 3).Body.Pull.Messages); got != want {
			t.Errorf("pull %d: got %d messages, want %d", i, got, want)
		}
	}
	wantFault(t, pull(t, nil, addr, "PT0S", 0), "Sender", "ter:InvalidArgVal")
	wantFault(t, pull(t, nil, addr, "soon", 1), "Sender", "ter:InvalidArgVal")
}

// TestEverySubscriptionGetsEveryMessage: each subscription has its own queue.
func TestEverySubscriptionGetsEveryMessage(t *testing.T) {
	b := New(Options{})
	defer b.Close()
	srv := newServer(t, b)
	var addrs []string
	for range 3 {
		addr := create(t, srv.URL, "").Body.Create.Address
		pull(t, nil, addr, "PT0S", 10)
		addrs = append(addrs, addr)
	}
	b.SetMotion(true, time.Now())
	b.SetMotion(true, time.Now()) // a repeat publishes nothing
	b.SetMotion(false, time.Now())
	for _, addr := range addrs {
		got := summarize(pull(t, nil, addr, "PT0S", 10).Body.Pull.Messages)
		want := append(motionSummary("Changed", "true"), motionSummary("Changed", "false")...)
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %+v, want %+v", addr, got, want)
		}
	}
}

func TestSetSynchronizationPoint(t *testing.T) {
	b := New(Options{})
	defer b.Close()
	srv := newServer(t, b)
	addr := create(t, srv.URL, "").Body.Create.Address
	pull(t, nil, addr, "PT0S", 10)
	b.SetMotion(true, time.Now())
	pull(t, nil, addr, "PT0S", 10)
	r := post(t, nil, addr, zeepEnvelope("SetSynchronizationPoint", nsTev, "", addr))
	if r.Body.Sync == nil {
		t.Fatalf("got status %d, want SetSynchronizationPointResponse:\n%s", r.Status, r.Raw)
	}
	if got, want := summarize(pull(t, nil, addr, "PT0S", 10).Body.Pull.Messages), motionSummary("Initialized", "true"); !slices.Equal(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	wantFault(t, post(t, nil, srv.URL+DefaultPath, envelope12("SetSynchronizationPoint", nsTev, "", "")), "Sender", subResourceUnknown)
}

func TestInitialTerminationTime(t *testing.T) {
	clk := newFakeClock()
	now := clk.Now()
	tests := []struct {
		name, value string
		want        time.Duration // from now; 0 means a fault
		fault       string
	}{
		{"duration", "PT600S", 10 * time.Minute, ""},
		{"minutes", "PT2M", 2 * time.Minute, ""},
		{"absent", "", DefaultTermination, ""},
		{"absolute", "2025-01-31T12:05:00Z", 5 * time.Minute, ""},
		{"absolute with offset", "2025-01-31T13:05:00+01:00", 5 * time.Minute, ""},
		{"absolute without zone", "2025-01-31T12:05:00", 5 * time.Minute, ""},
		{"capped duration", "P1D", DefaultMaxTermination, ""},
		{"capped absolute", "2026-01-01T00:00:00Z", DefaultMaxTermination, ""},
		{"past", "2025-01-31T11:00:00Z", 0, subUnacceptableInitial},
		{"zero", "PT0S", 0, subUnacceptableInitial},
		{"garbage", "tomorrow", 0, subUnacceptableInitial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New(Options{Now: clk.Now})
			defer b.Close()
			inner := ""
			if tt.value != "" {
				inner = "<InitialTerminationTime>" + tt.value + "</InitialTerminationTime>"
			}
			r := serve(t, b, DefaultPath, zeepEnvelope("CreatePullPointSubscription", nsTev, inner, "http://192.0.2.2:8080"+DefaultPath))
			if tt.fault != "" {
				wantFault(t, r, "Sender", tt.fault)
				return
			}
			if r.Body.Create == nil {
				t.Fatalf("got %s, want a response", r.Raw)
			}
			if got, want := r.Body.Create.CurrentTime, "2025-01-31T12:00:00Z"; got != want {
				t.Errorf("got CurrentTime %s, want %s", got, want)
			}
			if got, want := r.Body.Create.TerminationTime, formatTime(now.Add(tt.want)); got != want {
				t.Errorf("got TerminationTime %s, want %s", got, want)
			}
		})
	}
}

func TestRenewTerminationTime(t *testing.T) {
	clk := newFakeClock()
	b := New(Options{Now: clk.Now})
	defer b.Close()
	cr := serve(t, b, DefaultPath, envelope12("CreatePullPointSubscription", nsTev, "", ""))
	path := strings.TrimPrefix(cr.Body.Create.Address, "http://192.0.2.2:8080")
	tests := []struct{ name, value, want, fault string }{
		{"duration", "PT2M", "2025-01-31T12:02:00Z", ""},
		{"absolute", "2025-01-31T12:30:00Z", "2025-01-31T12:30:00Z", ""},
		{"capped", "PT5H", "2025-01-31T13:00:00Z", ""},
		{"absent", "", "2025-01-31T12:10:00Z", ""},
		{"past", "2025-01-31T11:00:00Z", "", subUnacceptableRenew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner := ""
			if tt.value != "" {
				inner = "<TerminationTime>" + tt.value + "</TerminationTime>"
			}
			r := serve(t, b, path, envelope12("Renew", nsWSNT, inner, ""))
			if tt.fault != "" {
				wantFault(t, r, "Sender", tt.fault)
				return
			}
			if r.Body.Renew == nil {
				t.Fatalf("got %s, want a RenewResponse", r.Raw)
			}
			if r.Body.Renew.TerminationTime != tt.want || r.Body.Renew.CurrentTime != "2025-01-31T12:00:00Z" {
				t.Errorf("got TerminationTime %s CurrentTime %s, want %s and 2025-01-31T12:00:00Z",
					r.Body.Renew.TerminationTime, r.Body.Renew.CurrentTime, tt.want)
			}
		})
	}
}
