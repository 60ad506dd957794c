package events

import (
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
	now := time.Now()
	var subs []*subscription
	for range 8 {
		s, ok := br.create(now, now.Add(time.Hour))
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
	s, _ := br.create(now, now.Add(time.Hour))
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
