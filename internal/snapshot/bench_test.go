package snapshot

import (
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkSnapshotParallel20 is the acceptance figure: 20 HTTP clients over loopback fetch
// /snapshot.jpg at 1280×720 as fast as they can while a producer puts a new frame every 66 ms
// (15 fps). It reports the per-request latency's median and 99th percentile.
func BenchmarkSnapshotParallel20(b *testing.B) {
	const clients = 20
	var mb Mailbox
	c := New(&mb, Options{})
	defer c.Close()
	srv := newTestServer(b, c)
	stop := producer(&mb, noisyFrames(1280, 720, 4), 1, 66*time.Millisecond)
	defer stop()
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	url := srv.URL + "/snapshot.jpg?width=1280&height=720"

	// Warm up the connections and the cache.
	for range clients {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	encodes0 := c.Stats().Encodes

	var left atomic.Int64
	left.Store(int64(b.N))
	lat := make([][]time.Duration, clients)
	var bytesRead atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range clients {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				t0 := time.Now()
				resp, err := client.Get(url)
				if err != nil {
					b.Error(err)
					return
				}
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Errorf("status %d, %v", resp.StatusCode, err)
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
				bytesRead.Add(n)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(p*float64(len(all))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "ms/p50")
	b.ReportMetric(pct(0.99), "ms/p99")
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(c.Stats().Encodes-encodes0)/elapsed.Seconds(), "encodes/s")
	b.ReportMetric(float64(bytesRead.Load())/float64(len(all)), "B/resp")
}
