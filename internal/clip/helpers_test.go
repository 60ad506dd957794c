package clip

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/h264"
	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/stream"
	"github.com/freecam/freecam/internal/testutil"
)

const (
	fps = 15
	gop = 15 // one keyframe a second
)

var (
	auOnce sync.Once
	aus    []h264.AccessUnit
	hashes []string // MD5 of each decoded picture of aus
	auErr  error
)

// testAUs encodes 6 s of testsrc at 15 fps with an IDR every second (no scene cuts, no B-frames)
// and splits it into access units. The 90 units loop cleanly: every GOP is closed.
func testAUs(t testing.TB) []h264.AccessUnit {
	t.Helper()
	testutil.Need(t, "ffmpeg", "ffprobe")
	auOnce.Do(func() {
		dir, err := os.MkdirTemp("", "clip")
		if err != nil {
			auErr = err
			return
		}
		defer os.RemoveAll(dir)
		f := filepath.Join(dir, "f.h264")
		out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-t", "6",
			"-c:v", "libx264", "-g", strconv.Itoa(gop), "-sc_threshold", "0", "-bf", "0", "-pix_fmt", "yuv420p",
			"-f", "h264", f).CombinedOutput()
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
		if auErr == nil {
			hashes, auErr = frameMD5(f)
		}
	})
	if auErr != nil {
		t.Fatal(auErr)
	}
	if len(aus) != 6*fps {
		t.Fatalf("got %d access units from ffmpeg, want %d", len(aus), 6*fps)
	}
	for i, au := range aus {
		if au.Key != (i%gop == 0) {
			t.Fatalf("access unit %d: got key %v, want %v", i, au.Key, i%gop == 0)
		}
	}
	return aus
}

// frameMD5 decodes path and returns the MD5 of each picture, in order.
func frameMD5(path string) ([]string, error) {
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "framemd5", "-").Output()
	if err != nil {
		return nil, fmt.Errorf("ffmpeg framemd5 %s: %w", path, err)
	}
	var sums []string
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, ",")
		sums = append(sums, strings.TrimSpace(fields[len(fields)-1]))
	}
	return sums, nil
}

// feed publishes the looped test stream into a hub: frame i has PTS i/fps and wall time
// t0+PTS.
type feed struct {
	hub *stream.Hub
	aus []h264.AccessUnit
	t0  time.Time
	n   int // frames published
}

func (fd *feed) frame(i int) *media.Frame {
	au := fd.aus[i%len(fd.aus)]
	pts := time.Duration(i) * time.Second / fps
	return &media.Frame{Codec: media.CodecH264, PTS: pts, Time: fd.t0.Add(pts), Key: au.Key, NALUs: au.NALUs}
}

// timeOf is the wall time of frame i.
func (fd *feed) timeOf(i int) time.Time { return fd.t0.Add(time.Duration(i) * time.Second / fps) }

// index is the frame whose wall time is t, or -1.
func (fd *feed) index(t time.Time) int {
	x := t.Sub(fd.t0).Seconds() * fps
	i := int(math.Round(x))
	if math.Abs(x-float64(i)) > 0.01 {
		return -1
	}
	return i
}

// preload publishes frames up to (not including) n at once.
func (fd *feed) preload(n int) {
	for ; fd.n < n; fd.n++ {
		fd.hub.Publish(fd.frame(fd.n))
	}
}

// live publishes the following frames at their wall time until the test ends. It is a paced
// producer, like a camera.
func (fd *feed) live(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() {
		cancel()
		<-done
	})
	go func() {
		defer close(done)
		timer := time.NewTimer(0)
		defer timer.Stop()
		for i := fd.n; ; i++ {
			timer.Reset(time.Until(fd.timeOf(i)))
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
			fd.hub.Publish(fd.frame(i))
		}
	}()
}

// newFeed returns a hub with a 3 s pre-roll already holding the last 4 s of video, frame 60
// being due now.
func newFeed(t *testing.T) *feed {
	fd := &feed{hub: stream.New(stream.Options{Preroll: 3 * time.Second, QueueLen: 256}), aus: testAUs(t),
		t0: time.Now().Add(-4 * time.Second)}
	fd.preload(4 * fps)
	return fd
}

type probe struct {
	duration float64
	frames   int
	firstKey bool
}

// probeFile checks path with ffprobe and a full ffmpeg decode: no complaint from either.
func probeFile(t *testing.T, path string) probe {
	t.Helper()
	if out := testutil.Run(t, "ffprobe", "-v", "error", path); out != "" {
		t.Errorf("ffprobe -v error %s: %s", filepath.Base(path), out)
	}
	var p probe
	out := testutil.Run(t, "ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
		"format=duration:stream=nb_read_frames", "-of", "default=nw=1", path)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "duration":
			p.duration, _ = strconv.ParseFloat(v, 64)
		case "nb_read_frames":
			p.frames, _ = strconv.Atoi(v)
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

// checkClip checks a finished clip against the feed: a valid fast-start MP4 starting on a
// keyframe, holding exactly the published frames from Start up to the frame at wantEnd, with
// the frames' own timing.
func checkClip(t *testing.T, fd *feed, res Result, wantEnd time.Time) {
	t.Helper()
	if got := testutil.MP4TopBoxes(t, res.Path); strings.Join(got, " ") != "ftyp moov mdat" {
		t.Errorf("got boxes %q, want ftyp moov mdat (fast start)", got)
	}
	p := probeFile(t, res.Path)
	t.Logf("%s: %+v, result %+v", filepath.Base(res.Path), p, res)
	if !p.firstKey {
		t.Error("got a first frame that is not a keyframe, want a keyframe")
	}
	s := fd.index(res.Start)
	if s < 0 || s%gop != 0 {
		t.Fatalf("got Start %v (frame %.2f), want the time of a keyframe", res.Start,
			res.Start.Sub(fd.t0).Seconds()*fps)
	}
	end := res.Start.Add(res.Duration)
	if d := end.Sub(wantEnd); d < -500*time.Millisecond || d > 500*time.Millisecond {
		t.Errorf("got the clip ending at %v, want %v ± 0.5 s (off by %v)", end, wantEnd, d)
	}
	// Every published frame from Start to the end, once: no gap, no duplicate.
	e := fd.index(end)
	if e < 0 {
		t.Fatalf("got the clip ending between frames (%v after Start), want on a frame boundary", res.Duration)
	}
	if res.Frames != e-s || p.frames != e-s {
		t.Errorf("got %d frames (ffprobe %d), want %d: frames %d to %d", res.Frames, p.frames, e-s, s, e-1)
	}
	// The pictures are the published ones, in order: nothing lost or repeated at the seam
	// between the pre-roll and the live frames.
	got, err := frameMD5(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != e-s {
		t.Errorf("got %d decoded pictures, want %d", len(got), e-s)
	}
	for k := 0; k < len(got) && k < e-s; k++ {
		if want := hashes[(s+k)%len(hashes)]; got[k] != want {
			t.Errorf("picture %d: got %s, want frame %d (%s)", k, got[k], s+k, want)
			break
		}
	}
	if math.Abs(p.duration-res.Duration.Seconds()) > 0.5/fps {
		t.Errorf("got ffprobe duration %.3f s, want %.3f s", p.duration, res.Duration.Seconds())
	}
}
