package stream

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/freecam/freecam/internal/media"
)

const frameInterval = 40 * time.Millisecond // 25 fps

var (
	testSPS = []byte{0x67, 0x42, 0xc0, 0x1e}
	testPPS = []byte{0x68, 0xce, 0x3c, 0x80}
)

// frame makes the n-th frame of a stream with a keyframe every gop frames.
func frame(n, gop int) *media.Frame {
	f := &media.Frame{Codec: media.CodecH264, PTS: time.Duration(n) * frameInterval}
	if n%gop == 0 {
		f.Key = true
		f.NALUs = [][]byte{testSPS, testPPS, {0x65, byte(n)}}
	} else {
		f.NALUs = [][]byte{{0x41, byte(n)}}
	}
	return f
}

func readN(t *testing.T, r *Reader, n int) []*media.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var out []*media.Frame
	for range n {
		f, err := r.Read(ctx)
		if err != nil {
			t.Fatalf("read %d: %v", len(out), err)
		}
		out = append(out, f)
	}
	return out
}

func TestNewReaderStartsOnCachedKeyframe(t *testing.T) {
	h := New(Options{})
	for n := range 13 { // keyframes at 0, 5, 10
		h.Publish(frame(n, 5))
	}
	r := h.NewReader("late")
	defer r.Close()
	got := readN(t, r, 3)
	for i, f := range got {
		if want := time.Duration(10+i) * frameInterval; f.PTS != want {
			t.Errorf("frame %d: got PTS %v, want %v", i, f.PTS, want)
		}
	}
	if !got[0].Key {
		t.Errorf("got first frame key=false, want a keyframe")
	}
	h.Publish(frame(13, 5))
	if f := readN(t, r, 1)[0]; f.PTS != 13*frameInterval {
		t.Errorf("got live frame PTS %v, want %v", f.PTS, 13*frameInterval)
	}
}

func TestReaderBeforeFirstKeyframeWaitsForOne(t *testing.T) {
	h := New(Options{})
	r := h.NewReader("early")
	defer r.Close()
	for n := 3; n < 11; n++ { // keyframes at 5 and 10
		h.Publish(frame(n, 5))
	}
	if f := readN(t, r, 1)[0]; !f.Key || f.PTS != 5*frameInterval {
		t.Errorf("got first frame key=%v PTS=%v, want the keyframe at %v", f.Key, f.PTS, 5*frameInterval)
	}
}

func TestSlowReaderDropsThenResyncsOnKeyframe(t *testing.T) {
	requests := 0
	h := New(Options{QueueLen: 4, KeyframeWait: 100 * time.Millisecond, RequestKeyframe: func() { requests++ }})
	r := h.NewReader("slow")
	defer r.Close()
	for n := range 10 { // the queue takes 0..3; 4..9 are lost, the reader waits for a keyframe
		h.Publish(frame(n, 10))
	}
	got := readN(t, r, 4)
	for n := 10; n < 20; n++ { // 10..13 queued; the queue is full again and 14..19 are lost
		h.Publish(frame(n, 10))
	}
	got = append(got, readN(t, r, 1)...)
	wantPTS := []int{0, 1, 2, 3, 10}
	for i, f := range got {
		if f.PTS != time.Duration(wantPTS[i])*frameInterval {
			t.Errorf("frame %d: got PTS %v, want %v", i, f.PTS, time.Duration(wantPTS[i])*frameInterval)
		}
	}
	st := r.Stats()
	if st.Resyncs != 2 {
		t.Errorf("got %d resyncs, want 2", st.Resyncs)
	}
	if st.Dropped != 12 {
		t.Errorf("got %d dropped, want 12", st.Dropped)
	}
	if requests == 0 {
		t.Errorf("got no keyframe request while the reader waited %v, want at least one", 6*frameInterval)
	}
}

func TestKeyframeRequestsAreRateLimited(t *testing.T) {
	requests := 0
	h := New(Options{QueueLen: 1, KeyframeWait: 200 * time.Millisecond, RequestKeyframe: func() { requests++ }})
	r := h.NewReader("stuck")
	defer r.Close()
	for n := range 101 { // 4 s of stream with no keyframe after the first
		h.Publish(frame(n, 1000))
	}
	// The reader waits from frame 2 on; one request every 200 ms at most = at most 20 in 4 s.
	if requests < 5 || requests > 20 {
		t.Errorf("got %d keyframe requests in 4 s with a 200 ms wait, want between 5 and 20", requests)
	}
}

func TestIDRWithoutParamsGetsThemInjected(t *testing.T) {
	h := New(Options{})
	h.Publish(frame(0, 5))
	bare := &media.Frame{Codec: media.CodecH264, Key: true, PTS: frameInterval, NALUs: [][]byte{{0x65, 1}}}
	h.Publish(bare)
	if len(bare.NALUs) != 3 || bare.NALUs[0][0]&0x1f != 7 || bare.NALUs[1][0]&0x1f != 8 {
		t.Fatalf("got NALU types %v, want SPS, PPS, IDR", naluTypes(bare))
	}
	sps, pps := h.H264Params()
	if string(sps) != string(testSPS) || string(pps) != string(testPPS) {
		t.Errorf("got params %x %x, want %x %x", sps, pps, testSPS, testPPS)
	}
}

func naluTypes(f *media.Frame) []byte {
	var out []byte
	for _, n := range f.NALUs {
		out = append(out, n[0]&0x1f)
	}
	return out
}

func TestPrerollKeepsWholeGOPsCoveringTheDuration(t *testing.T) {
	h := New(Options{Preroll: 3 * time.Second})
	for n := range 250 { // 10 s at 25 fps, GOP of 50 frames = 2 s
		h.Publish(frame(n, 50))
	}
	pre := h.Preroll()
	if !pre[0].Key {
		t.Fatalf("got pre-roll starting on a non-keyframe")
	}
	last := pre[len(pre)-1].PTS
	span := last - pre[0].PTS
	if span < 3*time.Second || span > 5*time.Second {
		t.Errorf("got a pre-roll spanning %v, want at least 3 s and at most 3 s plus one GOP", span)
	}
	if last != 249*frameInterval {
		t.Errorf("got newest pre-roll frame %v, want %v", last, 249*frameInterval)
	}
}

func TestWindowMemoryIsCapped(t *testing.T) {
	h := New(Options{Preroll: time.Hour, MaxWindowBytes: 1000})
	for n := range 500 {
		f := frame(n, 10)
		f.NALUs = append(f.NALUs, make([]byte, 50))
		h.Publish(f)
	}
	st := h.Stats()
	// A GOP is 10 frames of about 52–60 bytes: the cap keeps whole GOPs within 1000 bytes, plus the
	// current one, which is always kept.
	if st.WindowBytes > 1000+600 {
		t.Errorf("got %d bytes kept with a 1000-byte cap, want at most one GOP over the cap", st.WindowBytes)
	}
	if st.WindowFrames < 10 {
		t.Errorf("got %d frames kept, want at least the current GOP", st.WindowFrames)
	}
}

func TestWithoutPrerollOnlyTheCurrentGOPIsKept(t *testing.T) {
	h := New(Options{})
	for n := range 23 {
		h.Publish(frame(n, 10))
	}
	if st := h.Stats(); st.WindowFrames != 3 {
		t.Errorf("got %d frames kept, want 3 (frames 20–22)", st.WindowFrames)
	}
}

func TestCloseWakesReadAndUnregisters(t *testing.T) {
	defer goleak.VerifyNone(t)
	h := New(Options{})
	r := h.NewReader("x")
	errc := make(chan error)
	go func() {
		_, err := r.Read(context.Background())
		errc <- err
	}()
	r.Close()
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Errorf("got %v, want ErrClosed", err)
	}
	r.Close() // idempotent
	if n := len(h.Stats().Readers); n != 0 {
		t.Errorf("got %d readers after Close, want 0", n)
	}
}

func TestConcurrentPublishAndReaders(t *testing.T) {
	defer goleak.VerifyNone(t)
	h := New(Options{QueueLen: 8})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.NewReader("r")
			defer r.Close()
			var last uint64
			keyNeeded := true
			for {
				f, err := r.Read(ctx)
				if err != nil {
					return
				}
				if keyNeeded && !f.Key {
					t.Errorf("got a non-keyframe after a gap (seq %d after %d)", f.Seq, last)
					return
				}
				keyNeeded = false
				if last != 0 && f.Seq != last+1 {
					if !f.Key {
						t.Errorf("got seq %d after %d without a keyframe", f.Seq, last)
						return
					}
				}
				last = f.Seq
			}
		}()
	}
	for n := range 3000 {
		h.Publish(frame(n, 25))
	}
	cancel()
	wg.Wait()
}
