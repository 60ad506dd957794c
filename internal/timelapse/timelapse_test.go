package timelapse

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
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
	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/snapshot"
	"github.com/freecam/freecam/internal/testutil"
)

// fakeClock moves only when the test steps it.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	added   chan struct{}
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, added: make(chan struct{}, 1)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	select {
	case c.added <- struct{}{}:
	default:
	}
	return ch
}

// step waits until Run waits for the clock (or returns: then step reports false), moves the clock
// to the earliest deadline and fires it.
func (c *fakeClock) step(t *testing.T, done <-chan struct{}) bool {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		if len(c.waiters) > 0 {
			slices.SortFunc(c.waiters, func(a, b waiter) int { return a.at.Compare(b.at) })
			w := c.waiters[0]
			c.waiters = c.waiters[1:]
			if w.at.After(c.now) {
				c.now = w.at
			}
			c.mu.Unlock()
			w.ch <- w.at
			return true
		}
		c.mu.Unlock()
		select {
		case <-c.added:
		case <-done:
			return false
		case <-timeout:
			t.Fatal("timed out waiting for the timelapse to wait for the clock")
		}
	}
}

// fakeSnap returns real JPEGs of a synthetic picture that changes with every call.
type fakeSnap struct {
	mu       sync.Mutex
	enc      *encode.JPEGEncoder
	raw      *media.RawFrame
	calls    int
	qualites []int
}

func newFakeSnap() *fakeSnap {
	return &fakeSnap{enc: encode.NewJPEG(), raw: media.NewRawFrame(160, 120)}
}

func (s *fakeSnap) Get(ctx context.Context, req snapshot.Request) (*snapshot.Image, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.qualites = append(s.qualites, req.Quality)
	for i := range s.raw.Y {
		s.raw.Y[i] = byte(i%160 + s.calls*16)
	}
	jpg, err := s.enc.Encode(nil, s.raw, req.Quality)
	if err != nil {
		return nil, err
	}
	return &snapshot.Image{FrameID: uint64(s.calls), Width: 160, Height: 120, Quality: req.Quality, JPEG: jpg}, nil
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// runner is a Run in progress: stopped is closed when it returns, err is then its result.
type runner struct {
	stopped chan struct{}
	err     error
}

func start(t *testing.T, tl *Timelapse) (r *runner, cancel context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	r = &runner{stopped: make(chan struct{})}
	go func() {
		defer close(r.stopped)
		r.err = tl.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-r.stopped
	})
	return r, cancel
}

// wait waits for Run to return and gives its error.
func (r *runner) wait() error {
	<-r.stopped
	return r.err
}

func TestPicturesAndDuration(t *testing.T) {
	for _, flat := range []bool{false, true} {
		t.Run("flat="+strconv.FormatBool(flat), func(t *testing.T) {
			dir := t.TempDir()
			clock := newFakeClock(time.Date(2026, 11, 26, 10, 59, 57, 0, time.Local))
			snap := newFakeSnap()
			tl := New(snap, Options{Dir: dir, Interval: 1500 * time.Millisecond, Duration: 9 * time.Second, FlatDir: flat,
				Quality: 70, Clock: clock, Logger: quiet()})
			r, _ := start(t, tl)
			for clock.step(t, r.stopped) {
			}
			if err := r.wait(); err != nil {
				t.Fatalf("Run returned %v, want nil after the duration", err)
			}
			// 9 s at 1.5 s: pictures at 0, 1.5, … 7.5 s, none at 9 s.
			want := []string{
				"2026-11-26/10/2026-11-26_10-59-57_001.jpg",
				"2026-11-26/10/2026-11-26_10-59-58_002.jpg",
				"2026-11-26/11/2026-11-26_11-00-00_003.jpg",
				"2026-11-26/11/2026-11-26_11-00-01_004.jpg",
				"2026-11-26/11/2026-11-26_11-00-03_005.jpg",
				"2026-11-26/11/2026-11-26_11-00-04_006.jpg",
			}
			if flat {
				for i, w := range want {
					want[i] = w[strings.LastIndexByte(w, '/')+1:]
				}
				slices.Sort(want)
			}
			if got := testutil.Files(t, dir); !slices.Equal(got, want) {
				t.Errorf("got files\n%q\nwant\n%q", got, want)
			}
			if st := tl.Stats(); st.Pictures != 6 || st.Failures != 0 {
				t.Errorf("got stats %+v, want 6 pictures, no failures", st)
			}
			if q := snap.qualites[0]; q != 70 {
				t.Errorf("got snapshot quality %d, want 70", q)
			}
		})
	}
}

// checkVideo asserts that ffprobe reads path silently with frames frames of codec.
func checkVideo(t *testing.T, path, codec string, frames int) {
	t.Helper()
	if got := testutil.MP4TopBoxes(t, path); !slices.Equal(got, []string{"ftyp", "moov", "mdat"}) {
		t.Errorf("%s: got boxes %q, want ftyp moov mdat", path, got)
	}
	if out := testutil.Run(t, "ffprobe", "-v", "error", path); out != "" {
		t.Errorf("ffprobe -v error: %s", out)
	}
	out := testutil.Run(t, "ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
		"stream=nb_read_frames,codec_name", "-of", "default=nw=1", path)
	want := "codec_name=" + codec + "\nnb_read_frames=" + strconv.Itoa(frames)
	if got := strings.TrimSpace(out); got != want {
		t.Errorf("%s: ffprobe got\n%s\nwant\n%s", filepath.Base(path), got, want)
	}
	if out := testutil.Run(t, "ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"); out != "" {
		t.Errorf("ffmpeg decoding: %s", out)
	}
}

func writeJPEG(t *testing.T, path string, mod time.Time) {
	t.Helper()
	img, err := newFakeSnap().Get(context.Background(), snapshot.Request{Quality: 80})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, img.JPEG, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
}

func TestMidnightVideoAndRetention(t *testing.T) {
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	_, h264Err := encode.NewH264(encode.H264Options{Width: 64, Height: 64, FPSNum: 25, FPSDen: 1})
	noH264 := func(encode.H264Options) (encode.H264Encoder, error) { return nil, encode.ErrNoH264Encoder }
	tests := []struct {
		name    string
		newH264 func(encode.H264Options) (encode.H264Encoder, error)
		codec   string
	}{
		{"h264", nil, "h264"},
		{"mjpeg without an encoder", noH264, "mjpeg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.newH264 == nil && errors.Is(h264Err, encode.ErrNoH264Encoder) {
				t.Skip("this build has no H.264 encoder")
			}
			dir := t.TempDir()
			// Real dates around now, so the files this test writes are young by their real
			// modification time as well.
			y, m, d := time.Now().Date()
			begin := time.Date(y, m, d, 23, 59, 40, 0, time.Local)
			today := begin.Format(time.DateOnly)
			tomorrow := begin.AddDate(0, 0, 1).Format(time.DateOnly)
			old := begin.AddDate(0, 0, -10)
			missed := time.Date(y, m, d-2, 12, 0, 0, 0, time.Local)
			// A day past retention, and a day that ended while freecam was off.
			oldPic := PicturePath(dir, old, 1, false)
			writeJPEG(t, oldPic, old)
			for i := 1; i <= 3; i++ {
				writeJPEG(t, PicturePath(dir, missed.Add(time.Duration(i)*time.Minute), i, false), missed)
			}
			if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
			clock := newFakeClock(begin)
			tl := New(newFakeSnap(), Options{Dir: dir, Interval: 2 * time.Second, MaxDays: 7, VideoFPS: 10,
				NewH264: tc.newH264, Clock: clock, Logger: quiet()})
			r, cancel := start(t, tl)
			// 23:59:40 is taken at once, 9 steps to 23:59:58 make 10 pictures; the 10th step to
			// 00:00:00 ends the day.
			for range 10 {
				if !clock.step(t, r.stopped) {
					t.Fatalf("Run ended early: %v", r.wait())
				}
			}
			video := VideoPath(dir, today, false)
			deadline := time.Now().Add(30 * time.Second)
			for tl.Stats().Videos < 2 {
				if time.Now().After(deadline) {
					t.Fatalf("no video for %s after 30 s; files: %q", today, testutil.Files(t, dir))
				}
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
			if err := r.wait(); !errors.Is(err, context.Canceled) {
				t.Errorf("Run returned %v, want context.Canceled", err)
			}
			checkVideo(t, video, tc.codec, 10)
			checkVideo(t, VideoPath(dir, missed.Format(time.DateOnly), false), tc.codec, 3)
			if _, err := os.Stat(filepath.Dir(filepath.Dir(oldPic))); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("old day %s: got %v, want it deleted with its directories", old.Format(time.DateOnly), err)
			}
			if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
				t.Errorf("notes.txt: got %v, want it left alone", err)
			}
			if got := testutil.Files(t, filepath.Join(dir, tomorrow)); !slices.Equal(got, []string{"00/" + tomorrow + "_00-00-00_001.jpg"}) {
				t.Errorf("new day: got %q, want its first picture numbered 001", got)
			}
			for _, f := range testutil.Files(t, dir) {
				if strings.HasSuffix(f, ".tmp") || strings.HasSuffix(f, ".part") {
					t.Errorf("left a temporary file %s", f)
				}
			}
		})
	}
}
