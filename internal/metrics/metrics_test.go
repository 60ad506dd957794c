package metrics

import (
	"bytes"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func parse(t *testing.T, b []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the Prometheus parser refused the exposition: %v\n%s", err, b)
	}
	return fams
}

func TestExpositionParsesWithEscapesAndSpecialValues(t *testing.T) {
	h := NewHist([]float64{0.1, 1})
	h.Observe(0.05)
	h.Observe(0.5)
	h.Observe(7)
	var w Writer
	w.Counter("x_total", "A help text with a \\ and a\nnewline.", 3, Label{"target", `ftp "main"\n` + "\nline"})
	w.Gauge("g", "gauge", math.Inf(1))
	w.Family("multi", Gauge, "several label sets")
	w.Sample("multi", 1, Label{"a", "1"})
	w.Sample("multi", 2, Label{"a", "2"}, Label{"b", "é"})
	w.Histogram("lat_seconds", "latency", h, Label{"path", "/snapshot.jpg"})
	fams := parse(t, w.Bytes())

	x := fams["x_total"]
	if x.GetType() != dto.MetricType_COUNTER || x.GetHelp() != "A help text with a \\ and a\nnewline." {
		t.Errorf("got type %v help %q, want counter and the help as written", x.GetType(), x.GetHelp())
	}
	if got, want := x.Metric[0].Label[0].GetValue(), `ftp "main"\n`+"\nline"; got != want {
		t.Errorf("got label %q, want %q", got, want)
	}
	if got := fams["g"].Metric[0].GetGauge().GetValue(); !math.IsInf(got, 1) {
		t.Errorf("got gauge %v, want +Inf", got)
	}
	if got := len(fams["multi"].Metric); got != 2 {
		t.Errorf("got %d samples of multi, want 2", got)
	}
	hist := fams["lat_seconds"].Metric[0].GetHistogram()
	if hist.GetSampleCount() != 3 || math.Abs(hist.GetSampleSum()-7.55) > 1e-9 {
		t.Errorf("got count %d sum %v, want 3 and 7.55", hist.GetSampleCount(), hist.GetSampleSum())
	}
	wantCum := []uint64{1, 2, 3} // the parser keeps the +Inf bucket
	if len(hist.Bucket) != len(wantCum) {
		t.Fatalf("got %d buckets, want %d", len(hist.Bucket), len(wantCum))
	}
	for i, b := range hist.Bucket {
		if b.GetCumulativeCount() != wantCum[i] {
			t.Errorf("bucket le=%v: got %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), wantCum[i])
		}
	}
	if !strings.Contains(string(w.Bytes()), `lat_seconds_bucket{path="/snapshot.jpg",le="+Inf"} 3`) {
		t.Errorf("got no +Inf bucket of 3 in\n%s", w.Bytes())
	}
}

func TestHistogramBuckets(t *testing.T) {
	tests := []struct {
		name string
		v    float64
		want int // bucket index
	}{
		{"below the first", 0.0001, 0},
		{"on a bound", 0.001, 0}, // le is inclusive
		{"between", 0.003, 2},
		{"above the last", 60, len(LatencyBuckets)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHist(LatencyBuckets)
			h.Observe(tt.v)
			for i := range h.counts {
				want := uint64(0)
				if i == tt.want {
					want = 1
				}
				if got := h.counts[i].Load(); got != want {
					t.Errorf("bucket %d: got %d, want %d", i, got, want)
				}
			}
		})
	}
}

func TestNewHistRefusesUnorderedBounds(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("got no panic for bounds 1, 1, want one")
		}
	}()
	NewHist([]float64{1, 1})
}

func TestRegistryServesTheFormat(t *testing.T) {
	var r Registry
	n := 0
	r.Collect(func(w *Writer) { n++; w.Counter("scrapes_total", "scrapes", float64(n)) })
	for want := 1; want <= 2; want++ {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if ct := rec.Header().Get("Content-Type"); ct != ContentType {
			t.Errorf("got Content-Type %q, want %q", ct, ContentType)
		}
		fams := parse(t, rec.Body.Bytes())
		if got := fams["scrapes_total"].Metric[0].GetCounter().GetValue(); got != float64(want) {
			t.Errorf("scrape %d: got %v, want %d (collected at each scrape)", want, got, want)
		}
	}
}

func TestProcessSeries(t *testing.T) {
	statm := filepath.Join(t.TempDir(), "statm")
	if err := os.WriteFile(statm, []byte("1000 300 20 1 0 50 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Unix(1_700_000_000, 0)
	var w Writer
	Process{Start: start, Version: "v1.2.3", StatmPath: statm, Now: func() time.Time { return start.Add(90 * time.Second) }}.Collect(&w)
	fams := parse(t, w.Bytes())
	checks := []struct {
		name string
		want float64
	}{
		{"freecam_resident_memory_bytes", float64(300 * os.Getpagesize())},
		{"freecam_start_time_seconds", 1_700_000_000},
		{"freecam_uptime_seconds", 90},
		{"freecam_build_info", 1},
	}
	for _, c := range checks {
		f := fams[c.name]
		if f == nil {
			t.Errorf("%s: missing", c.name)
			continue
		}
		if got := f.Metric[0].GetGauge().GetValue(); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	if got := fams["freecam_goroutines"].Metric[0].GetGauge().GetValue(); got < 1 {
		t.Errorf("freecam_goroutines: got %v, want ≥ 1", got)
	}
	if got := fams["freecam_build_info"].Metric[0].Label; got[0].GetName() != "version" || got[0].GetValue() != "v1.2.3" {
		t.Errorf("freecam_build_info: got labels %v, want version=v1.2.3 first", got)
	}
}

func TestBuildInfoCommit(t *testing.T) {
	for _, c := range []struct{ commit, want string }{
		{"0123456789abcdef0123456789abcdef01234567", "0123456789abcdef0123456789abcdef01234567"},
		{"", "unknown"}, // an empty label is an absent one to Prometheus
	} {
		t.Run(c.want, func(t *testing.T) {
			var w Writer
			Process{Version: "v1.2.3", Commit: c.commit}.Collect(&w)
			f := parse(t, w.Bytes())["freecam_build_info"]
			if f == nil {
				t.Fatal("got no freecam_build_info, want it")
			}
			got := map[string]string{}
			for _, l := range f.Metric[0].Label {
				got[l.GetName()] = l.GetValue()
			}
			if got["commit"] != c.want {
				t.Errorf("got commit=%q, want %q (labels %v)", got["commit"], c.want, got)
			}
			for _, name := range []string{"version", "goversion", "goarch"} {
				if got[name] == "" {
					t.Errorf("got no %s label, want it (labels %v)", name, got)
				}
			}
		})
	}
}

func TestResidentBytesErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "statm")
	if err := os.WriteFile(bad, []byte("12\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{bad, filepath.Join(dir, "missing")} {
		if _, err := ResidentBytes(path); err == nil {
			t.Errorf("%s: got no error, want one", path)
		}
	}
}

func BenchmarkHistObserve(b *testing.B) {
	b.ReportAllocs()
	h := NewHist(LatencyBuckets)
	for i := 0; b.Loop(); i++ {
		h.Observe(float64(i%1000) / 1000)
	}
}

func BenchmarkHistObserveParallel(b *testing.B) {
	b.ReportAllocs()
	h := NewHist(LatencyBuckets)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.Observe(0.02)
		}
	})
}

func BenchmarkWriteHistogram(b *testing.B) {
	b.ReportAllocs()
	h := NewHist(LatencyBuckets)
	h.Observe(0.02)
	var w Writer
	for b.Loop() {
		w.Reset()
		w.Histogram("freecam_snapshot_request_duration_seconds", "latency", h)
	}
}
