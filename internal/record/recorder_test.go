package record

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/encode"
	"github.com/freecam/freecam/internal/h264"
	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/stream"
	"github.com/freecam/freecam/internal/testutil"
)

const fps = 15

var base = time.Date(2026, 11, 26, 13, 59, 58, 0, time.Local)

func need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
}

var (
	auOnce sync.Once
	aus    []h264.AccessUnit
	auErr  error
)

// testAUs encodes 6 s of testsrc at 15 fps with a keyframe every second and splits it into
// access units.
func testAUs(t testing.TB) []h264.AccessUnit {
	t.Helper()
	need(t, "ffmpeg", "ffprobe")
	auOnce.Do(func() {
		dir, err := os.MkdirTemp("", "record")
		if err != nil {
			auErr = err
			return
		}
		defer os.RemoveAll(dir)
		f := filepath.Join(dir, "f.h264")
		out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-t", "6",
			"-c:v", "libx264", "-g", "15", "-bf", "0", "-pix_fmt", "yuv420p", "-f", "h264", f).CombinedOutput()
		if err != nil {
			auErr = errors.New("ffmpeg: " + err.Error() + ": " + string(out))
			return
		}
		data, err := os.ReadFile(f)
		if err != nil {
			auErr = err
			return
		}
		sp := h264.NewSplitter(0)
		emit := func(au h264.AccessUnit) { aus = append(aus, au) }
		if auErr = sp.Write(data, emit); auErr == nil {
			auErr = sp.Flush(emit)
		}
	})
	if auErr != nil {
		t.Fatal(auErr)
	}
	if len(aus) != 6*fps {
		t.Fatalf("got %d access units from ffmpeg, want %d", len(aus), 6*fps)
	}
	return aus
}

func frameAt(i int, au h264.AccessUnit) *media.Frame {
	pts := time.Duration(i) * time.Second / fps
	return &media.Frame{Codec: media.CodecH264, PTS: pts, Time: base.Add(pts), Key: au.Key, NALUs: au.NALUs}
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// startRecorder runs a recorder on hub and waits until its reader is registered.
func startRecorder(t *testing.T, hub *stream.Hub, opts Options) (rec *Recorder, stop func() error) {
	t.Helper()
	opts.Logger = quiet()
	rec = New(hub, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rec.Run(ctx) }()
	testutil.WaitFor(t, "the recorder's reader", func() bool { return len(hub.Stats().Readers) == 1 })
	return rec, func() error {
		cancel()
		return <-done
	}
}

type probe struct {
	duration  float64
	frames    int
	firstKey  bool
	codecName string
}

func probeFile(t *testing.T, path string) probe {
	t.Helper()
	if out := testutil.Run(t, "ffprobe", "-v", "error", path); out != "" {
		t.Errorf("ffprobe -v error %s: %s", filepath.Base(path), out)
	}
	var p probe
	out := testutil.Run(t, "ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
		"format=duration:stream=nb_read_frames,codec_name", "-of", "default=nw=1", path)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "duration":
			p.duration, _ = strconv.ParseFloat(v, 64)
		case "nb_read_frames":
			p.frames, _ = strconv.Atoi(v)
		case "codec_name":
			p.codecName = v
		}
	}
	out = testutil.Run(t, "ffprobe", "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1", "-show_entries",
		"frame=key_frame", "-of", "csv=p=0", path)
	p.firstKey = strings.HasPrefix(strings.TrimSpace(out), "1")
	if out := testutil.Run(t, "ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"); out != "" {
		t.Errorf("ffmpeg decoding %s: %s", filepath.Base(path), out)
	}
	return p
}

type wantSeg struct {
	name   string
	frames int
}

func checkSegments(t *testing.T, dir string, segs []Segment, want []wantSeg) {
	t.Helper()
	var names []string
	for _, w := range want {
		names = append(names, w.name)
	}
	if got := testutil.Files(t, dir); !slices.Equal(got, names) {
		t.Fatalf("got files %q, want %q (no temporary files)", got, names)
	}
	if len(segs) != len(want) {
		t.Errorf("OnSegment called %d times, want %d", len(segs), len(want))
	}
	for i, w := range want {
		t.Run(w.name, func(t *testing.T) {
			path := filepath.Join(dir, w.name)
			if got := testutil.MP4TopBoxes(t, path); !slices.Equal(got, []string{"ftyp", "moov", "mdat"}) {
				t.Errorf("got boxes %q, want ftyp moov mdat (fast start)", got)
			}
			p := probeFile(t, path)
			t.Logf("%s: %+v", w.name, p)
			wantDur := float64(w.frames) / fps
			if math.Abs(p.duration-wantDur) > 1.0/fps {
				t.Errorf("got duration %.3f s, want %.3f s ±1 frame", p.duration, wantDur)
			}
			if p.frames != w.frames {
				t.Errorf("got %d frames, want %d", p.frames, w.frames)
			}
			if !p.firstKey {
				t.Error("got a first frame that is not a keyframe, want a keyframe")
			}
			if i < len(segs) && (segs[i].Frames != w.frames || segs[i].Path != path) {
				t.Errorf("got OnSegment %+v, want %d frames at %s", segs[i], w.frames, path)
			}
		})
	}
}

func TestRecordSegments(t *testing.T) {
	aus := testAUs(t)
	dir := t.TempDir()
	hub := stream.New(stream.Options{QueueLen: 256})
	var segs []Segment
	rec, stop := startRecorder(t, hub, Options{Dir: dir, SegmentLength: 2 * time.Second,
		OnSegment: func(s Segment) { segs = append(segs, s) }})
	for i, au := range aus {
		hub.Publish(frameAt(i, au))
	}
	// The last frame is held back until its duration is known; stopping writes it.
	testutil.WaitFor(t, "the recorder to take every frame", func() bool { return rec.Stats().Frames == uint64(len(aus)-1) })
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
	// 2 s segments cut at the keyframes at 2 s and 4 s; the base time is 13:59:58, so the
	// second segment starts in the next hour's directory.
	checkSegments(t, dir, segs, []wantSeg{
		{"2026-11-26/13/REC_13-59-58.mp4", 30},
		{"2026-11-26/14/REC_14-00-00.mp4", 30},
		{"2026-11-26/14/REC_14-00-02.mp4", 30},
	})
	if st := rec.Stats(); st.Segments != 3 || st.Frames != 90 || st.Gaps != 0 || st.Current != "" {
		t.Errorf("got stats %+v, want 3 segments, 90 frames, no gaps, none current", st)
	}
}

// TestRecordGap feeds frames with a hole (as a reader that fell behind sees them): the segment
// ends before the hole and the next starts at the keyframe after it.
func TestRecordGap(t *testing.T) {
	aus := testAUs(t)
	dir := t.TempDir()
	var segs []Segment
	rec := New(stream.New(stream.Options{}), Options{Dir: dir, SegmentLength: 2 * time.Second, Logger: quiet(),
		OnSegment: func(s Segment) { segs = append(segs, s) }})
	rec.ctx = context.Background()
	for i, au := range aus {
		if i >= 20 && i < 30 {
			continue // lost: frame 30 is the next keyframe
		}
		f := frameAt(i, au)
		f.Seq = uint64(i + 1)
		rec.handle(f)
	}
	rec.endSegment()
	checkSegments(t, dir, segs, []wantSeg{
		{"2026-11-26/13/REC_13-59-58.mp4", 20},
		{"2026-11-26/14/REC_14-00-00.mp4", 30},
		{"2026-11-26/14/REC_14-00-02.mp4", 30},
	})
	if st := rec.Stats(); st.Gaps != 1 {
		t.Errorf("got %d gaps, want 1", st.Gaps)
	}
}

// TestRecordStartsOnKeyframe publishes before the recorder starts mid-GOP: frames before the
// first keyframe it sees are skipped.
func TestRecordSkipsToKeyframe(t *testing.T) {
	aus := testAUs(t)
	dir := t.TempDir()
	var segs []Segment
	rec := New(stream.New(stream.Options{}), Options{Dir: dir, SegmentLength: time.Hour, Logger: quiet(),
		OnSegment: func(s Segment) { segs = append(segs, s) }})
	rec.ctx = context.Background()
	for i := 5; i < 40; i++ {
		f := frameAt(i, aus[i])
		f.Seq = uint64(i + 1)
		rec.handle(f)
	}
	rec.endSegment()
	checkSegments(t, dir, segs, []wantSeg{{"2026-11-26/13/REC_13-59-59.mp4", 25}})
	if st := rec.Stats(); st.Skipped != 10 {
		t.Errorf("got %d skipped frames, want 10", st.Skipped)
	}
}

func TestRecordMJPEG(t *testing.T) {
	need(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	hub := stream.New(stream.Options{})
	var segs []Segment
	rec, stop := startRecorder(t, hub, Options{Dir: dir, SegmentLength: time.Second,
		OnSegment: func(s Segment) { segs = append(segs, s) }})
	enc := encode.NewJPEG()
	defer enc.Close()
	raw := media.NewRawFrame(160, 120)
	for i := range 2 * fps {
		for j := range raw.Y {
			raw.Y[j] = byte(j + i*8)
		}
		jpg, err := enc.Encode(nil, raw, 80)
		if err != nil {
			t.Fatal(err)
		}
		pts := time.Duration(i) * time.Second / fps
		hub.Publish(&media.Frame{Codec: media.CodecMJPEG, PTS: pts, Time: base.Add(pts), Key: true, NALUs: [][]byte{jpg}})
	}
	testutil.WaitFor(t, "the recorder to take every frame", func() bool { return rec.Stats().Frames == 2*fps-1 })
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
	checkSegments(t, dir, segs, []wantSeg{
		{"2026-11-26/13/REC_13-59-58.mp4", fps},
		{"2026-11-26/13/REC_13-59-59.mp4", fps},
	})
}

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	files := map[string]bool{ // path → removed
		"2026-11-26/13/REC_13-00-00.mp4.part": true,
		"2026-11-26/13/REC_13-00-00.mp4.tmp":  true,
		"2026-11-26/13/REC_12-55-00.mp4":      false,
		"2026-11-26/13/mine.part":             false,
	}
	for p := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	New(nil, Options{Dir: dir, Logger: quiet()}).removeStale()
	for p, removed := range files {
		if got := !exists(filepath.Join(dir, p)); got != removed {
			t.Errorf("%s: got removed=%v, want %v", p, got, removed)
		}
	}
}

func BenchmarkRecorderFrame(b *testing.B) {
	aus := testAUs(b)
	rec := New(stream.New(stream.Options{}), Options{Dir: b.TempDir(), SegmentLength: 24 * time.Hour, Logger: quiet()})
	rec.ctx = context.Background()
	b.ReportAllocs()
	var bytes int64
	for _, au := range aus {
		for _, n := range au.NALUs {
			bytes += int64(len(n))
		}
	}
	b.SetBytes(bytes / int64(len(aus)))
	b.ResetTimer()
	for i := range b.N {
		f := frameAt(i, aus[i%len(aus)])
		f.Key = i == 0 || f.Key
		f.Seq = uint64(i + 1)
		rec.handle(f)
	}
	b.StopTimer()
	rec.endSegment()
}
