package events

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// BenchmarkSetMotion publishes a change to 8 subscriptions whose queues are kept from filling.
func BenchmarkSetMotion(b *testing.B) {
	br := New(Options{})
	defer br.Close()
	benchSetMotion(b, br, 8)
}

// benchSetMotion publishes changes to n new pull points whose queues are kept from filling.
func benchSetMotion(b *testing.B, br *Broker, n int) {
	now := time.Now()
	var subs []*subscription
	for range n {
		s, ok := br.create(now, now.Add(time.Hour), nil)
		if !ok {
			b.Fatal("create failed")
		}
		subs = append(subs, s)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		br.SetMotion(i%2 == 0, now)
		if i%16 == 15 {
			br.mu.Lock()
			for _, s := range subs {
				s.head, s.n = 0, 0
			}
			br.mu.Unlock()
		}
	}
}

// BenchmarkPullMessages is one in-process round trip: a change is published, then a
// PullMessages request is parsed, served and its two messages written.
func BenchmarkPullMessages(b *testing.B) {
	br := New(Options{})
	defer br.Close()
	now := time.Now()
	s, _ := br.create(now, now.Add(time.Hour), nil)
	path := DefaultPath + "/subscription/" + s.id
	body := pullBody("PT1M", 100)
	h := dispatch(br)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		br.SetMotion(i%2 == 0, now)
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "http://192.0.2.2:8080"+path, strings.NewReader(body))
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			b.Fatalf("got status %d", rec.Code)
		}
	}
}

// BenchmarkSetMotionPush publishes a change to 8 pull points and 4 push subscriptions.
// "stalled": the consumers never answer, so the senders sit in their POST and the figure is
// SetMotion's own cost (queues full, dropping the oldest). "delivering": the consumers answer
// 204 at once, and the allocations include the senders' Notify requests running alongside.
func BenchmarkSetMotionPush(b *testing.B) {
	for _, stalled := range []bool{true, false} {
		name := "delivering"
		if stalled {
			name = "stalled"
		}
		b.Run(name, func(b *testing.B) {
			consumer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body) //nolint:errcheck
				if stalled {
					<-r.Context().Done()
					return
				}
				w.WriteHeader(http.StatusNoContent)
			}))
			defer consumer.Close()
			br := New(Options{HTTPClient: &http.Client{}})
			defer br.Close()
			srv := newServer(b, br)
			for range 4 {
				mustSubscribe(b, srv.URL+DefaultPath, subscribeBody(consumer.URL+"/hook", "", "PT1H"))
			}
			benchSetMotion(b, br, 8)
			b.StopTimer()
			br.Close() // before the consumer, which waits for its handlers
		})
	}
}
