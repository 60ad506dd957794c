package clip

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/stream"
	"github.com/freecam/freecam/internal/testutil"
)

// TestRecordPreroll cuts a clip from a live, camera-paced stream: it starts with the 3 s
// pre-roll on a keyframe, goes on with the live frames without a gap or duplicate at the seam,
// and ends at Trigger+Duration.
func TestRecordPreroll(t *testing.T) {
	t.Parallel()
	fd := newFeed(t)
	fd.live(t)
	path := filepath.Join(t.TempDir(), "clip.mp4")
	trigger := fd.timeOf(4 * fps)
	res, err := Record(context.Background(), fd.hub, Request{Path: path, Trigger: trigger,
		Duration: 2 * time.Second, FileMode: 0o600})
	if err != nil {
		t.Fatal(err)
	}
	checkClip(t, fd, res, trigger.Add(2*time.Second))
	if e := fd.index(res.Start.Add(res.Duration)); e != 6*fps {
		t.Errorf("got the clip ending before frame %d, want %d (the first at Trigger+Duration)", e, 6*fps)
	}
	if res.PreRoll < 3*time.Second || res.PreRoll > 4*time.Second+time.Second/fps {
		t.Errorf("got a pre-roll of %v, want 3 s to 4 s (3 s in whole 1 s GOPs)", res.PreRoll)
	}
	if got := res.Start; got.After(trigger.Add(-3 * time.Second)) {
		t.Errorf("got the first frame at %v, want at or before %v (3 s before the trigger)", got, trigger.Add(-3*time.Second))
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("got %v, %v, want mode 0600", st.Mode(), err)
	}
	if got := testutil.Files(t, filepath.Dir(path)); !slices.Equal(got, []string{"clip.mp4"}) {
		t.Errorf("got files %q, want only clip.mp4", got)
	}
}

// TestRecordEnd checks how long a clip goes on: Ended+PostRoll extends it past Duration, an
// Ended that never closes runs until Max, and Max caps a long Duration.
func TestRecordEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		duration  time.Duration
		postRoll  time.Duration
		max       time.Duration
		endAfter  time.Duration // close Ended this long after the trigger; 0: never; -1: nil Ended
		wantAfter time.Duration // the clip ends this long after the trigger
		fromStart bool          // wantAfter is from the first frame (Max)
	}{
		{name: "ended+postroll", duration: time.Second, postRoll: time.Second, endAfter: 1500 * time.Millisecond,
			wantAfter: 2500 * time.Millisecond},
		{name: "ended early", duration: 1500 * time.Millisecond, postRoll: 200 * time.Millisecond, endAfter: 200 * time.Millisecond,
			wantAfter: 1500 * time.Millisecond},
		{name: "never ended, max", duration: time.Second, max: 5 * time.Second, wantAfter: 5 * time.Second, fromStart: true},
		{name: "max caps duration", duration: time.Minute, max: 5 * time.Second, endAfter: -1,
			wantAfter: 5 * time.Second, fromStart: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fd := newFeed(t)
			fd.live(t)
			trigger := fd.timeOf(4 * fps)
			req := Request{Path: filepath.Join(t.TempDir(), "clip.mp4"), Trigger: trigger, Duration: tc.duration,
				PostRoll: tc.postRoll, Max: tc.max}
			if tc.endAfter >= 0 {
				ended := make(chan struct{})
				req.Ended = ended
				if tc.endAfter > 0 {
					tm := time.AfterFunc(time.Until(trigger.Add(tc.endAfter)), func() { close(ended) })
					t.Cleanup(func() { tm.Stop() })
				}
			}
			res, err := Record(context.Background(), fd.hub, req)
			if err != nil {
				t.Fatal(err)
			}
			want := trigger.Add(tc.wantAfter)
			if tc.fromStart {
				want = res.Start.Add(tc.wantAfter)
				if res.Duration != tc.wantAfter {
					t.Errorf("got duration %v, want exactly Max %v", res.Duration, tc.wantAfter)
				}
			}
			checkClip(t, fd, res, want)
		})
	}
}

// TestRecordCancel ends ctx while the clip is being written: an error, and nothing left behind.
func TestRecordCancel(t *testing.T) {
	t.Parallel()
	fd := newFeed(t)
	fd.live(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "clip.mp4")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Record(ctx, fd.hub, Request{Path: path, Trigger: fd.timeOf(4 * fps), Duration: 10 * time.Second})
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(testutil.Files(t, dir)) == 0 { // the spool file: the clip is under way
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the clip to start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Record did not return after cancel")
	}
	if got := testutil.Files(t, dir); len(got) != 0 {
		t.Errorf("got files %q, want none", got)
	}
}

// TestRecordFinish: Finish (a reload, a stop) ends the clip at once and keeps what was recorded.
func TestRecordFinish(t *testing.T) {
	t.Parallel()
	fd := newFeed(t)
	fd.live(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "clip.mp4")
	finish := make(chan struct{})
	type result struct {
		res Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := Record(context.Background(), fd.hub, Request{Path: path, Trigger: fd.timeOf(4 * fps), Duration: time.Minute, Finish: finish})
		done <- result{res, err}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(testutil.Files(t, dir)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the clip to start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(finish)
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("got %v, want the clip kept", r.err)
		}
		if _, err := os.Stat(path); err != nil || r.res.Frames == 0 || r.res.Duration >= time.Minute {
			t.Errorf("got %+v (stat %v), want a short clip that exists", r.res, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Record did not return after Finish")
	}
}

// TestRecordStall: the stream stops before the clip's end; the clip is finished with what came,
// StallGrace after the planned end.
func TestRecordStall(t *testing.T) {
	t.Parallel()
	fd := newFeed(t) // no live frames
	path := filepath.Join(t.TempDir(), "clip.mp4")
	trigger := fd.timeOf(4 * fps)
	began := time.Now()
	res, err := Record(context.Background(), fd.hub, Request{Path: path, Trigger: trigger, Duration: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > trigger.Add(500*time.Millisecond+StallGrace+time.Second).Sub(began) {
		t.Errorf("got Record taking %v, want the planned end plus StallGrace", took)
	}
	// The last frame keeps the previous frame's duration.
	checkClip(t, fd, res, trigger)
}

// TestRecordFromPreroll cuts a clip whose end has already passed: it comes whole from the
// pre-roll, without waiting.
func TestRecordFromPreroll(t *testing.T) {
	t.Parallel()
	fd := newFeed(t)
	path := filepath.Join(t.TempDir(), "clip.mp4")
	trigger := fd.timeOf(2 * fps)
	res, err := Record(context.Background(), fd.hub, Request{Path: path, Trigger: trigger, Duration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	checkClip(t, fd, res, trigger.Add(time.Second))
	if res.Frames != 3*fps {
		t.Errorf("got %d frames, want %d (frames 0 to 44)", res.Frames, 3*fps)
	}
}

// TestRecordErrors: what Record refuses, leaving nothing behind.
func TestRecordErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "done.mp4")
	if err := os.WriteFile(existing, []byte("an earlier clip"), 0o644); err != nil {
		t.Fatal(err)
	}
	mjpeg := stream.New(stream.Options{Preroll: time.Second})
	mjpeg.Publish(&media.Frame{Codec: media.CodecMJPEG, Key: true, Time: time.Now(), NALUs: [][]byte{{0xff, 0xd8}}})

	fd := newFeed(t)
	past := fd.timeOf(fps)
	tests := []struct {
		name string
		hub  *stream.Hub
		path string
		want error
	}{
		{"unwritable dir", fd.hub, filepath.Join(notDir, "clip.mp4"), nil},
		{"missing dir", fd.hub, filepath.Join(dir, "nope", "clip.mp4"), fs.ErrNotExist},
		{"existing file", fd.hub, existing, fs.ErrExist},
		{"mjpeg", mjpeg, filepath.Join(dir, "m.mp4"), ErrUnsupportedCodec},
		{"no path", fd.hub, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Record(context.Background(), tc.hub, Request{Path: tc.path, Trigger: past, Duration: time.Second})
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("got %v, want an error (%v)", err, tc.want)
			}
		})
	}
	if got := testutil.Files(t, dir); !slices.Equal(got, []string{"done.mp4", "file"}) {
		t.Errorf("got files %q, want only done.mp4 and file", got)
	}
	if b, _ := os.ReadFile(existing); string(b) != "an earlier clip" {
		t.Errorf("got %q in the existing file, want it untouched", b)
	}
}
