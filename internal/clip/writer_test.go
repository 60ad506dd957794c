package clip

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/stream"
	"github.com/freecam/freecam/internal/testutil"
)

// TestWriterLostFrames feeds frames with holes, as a reader that fell behind sees them: the clip
// resumes at the next keyframe, the frame before a hole lasts until the frame after it, and the
// file decodes without an error.
func TestWriterLostFrames(t *testing.T) {
	fd := &feed{hub: stream.New(stream.Options{}), aus: testAUs(t), t0: time.Now().Add(-time.Hour)}
	path := filepath.Join(t.TempDir(), "clip.mp4")
	req := Request{Path: path, Trigger: fd.timeOf(fps), Duration: 4 * time.Second}
	req.normalize()
	w := newWriter(fd.hub, req)
	defer w.abort()
	lost := func(i int) bool {
		return (i >= 20 && i < 30) || // the reader resynced: the next frame it gets is key frame 30
			(i >= 40 && i < 42) // frames missing with no resync: 42 to 44 must be skipped too
	}
	var kept []int
	for i := 0; i < 90; i++ {
		if lost(i) {
			continue
		}
		f := fd.frame(i)
		f.Seq = uint64(i + 1)
		done, err := w.handle(f)
		if err != nil {
			t.Fatal(err)
		}
		if done {
			break
		}
		if i < 75 && !(i >= 42 && i < 45) {
			kept = append(kept, i)
		}
	}
	res, err := w.finish()
	if err != nil {
		t.Fatal(err)
	}
	p := probeFile(t, path)
	if res.Frames != len(kept) || p.frames != len(kept) {
		t.Errorf("got %d frames (ffprobe %d), want %d", res.Frames, p.frames, len(kept))
	}
	if res.Duration != 5*time.Second {
		t.Errorf("got duration %v, want 5s: frames 0 to 74, holes included", res.Duration)
	}
	got, err := frameMD5(path)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, i := range kept {
		want = append(want, hashes[i])
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %d pictures not matching the %d kept frames %v", len(got), len(want), kept)
	}
	if got := testutil.Files(t, filepath.Dir(path)); !slices.Equal(got, []string{"clip.mp4"}) {
		t.Errorf("got files %q, want only clip.mp4", got)
	}
}
