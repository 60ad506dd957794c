//go:build cgo && ((linux && (amd64 || arm64)) || (darwin && amd64))

package encode

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/media"
)

// H.264 NAL unit types the tests look for.
const (
	nalSlice    = 1
	nalSliceIDR = 5
	nalSPS      = 7
	nalPPS      = 8
)

// fillPattern paints picture i of a moving test scene into f: a diagonal gradient that scrolls,
// a bright box that crosses the picture, slowly changing colour, and luma noise of the given
// amplitude (0 for none) so that the encoder has real detail to spend bits on.
func fillPattern(f *media.RawFrame, i int, noise int) {
	w, h := f.Width, f.Height
	rng := uint32(2463534242 + i*7919)
	bx, by := (i*7)%w, (i*3)%h
	bs := h / 4
	for y := range h {
		row := f.Y[y*w : (y+1)*w]
		for x := range row {
			v := (x + y + 4*i) & 0xff
			if x >= bx && x < bx+bs && y >= by && y < by+bs {
				v = 235
			}
			if noise > 0 {
				rng ^= rng << 13
				rng ^= rng >> 17
				rng ^= rng << 5
				v += int(rng%uint32(2*noise+1)) - noise
			}
			row[x] = byte(min(max(v, 16), 235))
		}
	}
	cw := w / 2
	for y := range h / 2 {
		for x := range cw {
			f.Cb[y*cw+x] = byte(128 + (x+i)%32 - 16)
			f.Cr[y*cw+x] = byte(128 + (y+2*i)%32 - 16)
		}
	}
}

// newFrames returns n pictures of the test scene with PTS and Time at fps.
func newFrames(w, h, n, fps, noise int) []*media.RawFrame {
	start := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	frames := make([]*media.RawFrame, n)
	for i := range frames {
		f := media.NewRawFrame(w, h)
		f.ID = uint64(i + 1)
		f.PTS = time.Duration(i) * time.Second / time.Duration(fps)
		f.Time = start.Add(f.PTS)
		fillPattern(f, i, noise)
		frames[i] = f
	}
	return frames
}

func openX264(t testing.TB, opts H264Options) H264Encoder {
	t.Helper()
	enc, err := NewH264(opts)
	if err != nil {
		t.Fatalf("NewH264(%+v): %v", opts, err)
	}
	t.Cleanup(func() { enc.Close() })
	return enc
}

// encodeOne encodes raw and checks the zero-latency contract: exactly one access unit, for this
// very picture.
func encodeOne(t testing.TB, enc H264Encoder, raw *media.RawFrame) *media.Frame {
	t.Helper()
	var got []*media.Frame
	if err := enc.Encode(raw, func(f *media.Frame) { got = append(got, f) }); err != nil {
		t.Fatalf("encode picture %d: %v", raw.ID, err)
	}
	if len(got) != 1 {
		t.Fatalf("picture %d: got %d access units, want exactly 1", raw.ID, len(got))
	}
	f := got[0]
	if f.Codec != media.CodecH264 || f.PTS != raw.PTS || !f.Time.Equal(raw.Time) {
		t.Fatalf("picture %d: got codec %v PTS %v time %v, want H264 %v %v", raw.ID, f.Codec, f.PTS, f.Time, raw.PTS, raw.Time)
	}
	if len(f.NALUs) == 0 {
		t.Fatalf("picture %d: got no NAL units", raw.ID)
	}
	for i, n := range f.NALUs {
		if len(n) < 2 || bytes.HasPrefix(n, []byte{0, 0, 1}) || bytes.HasPrefix(n, []byte{0, 0, 0, 1}) || n[0]&0x80 != 0 {
			t.Fatalf("picture %d NALU %d: got % x…, want a NAL header without start code", raw.ID, i, n[:min(len(n), 6)])
		}
	}
	return f
}

func encodeAll(t testing.TB, enc H264Encoder, raws []*media.RawFrame) []*media.Frame {
	t.Helper()
	out := make([]*media.Frame, len(raws))
	for i, raw := range raws {
		out[i] = encodeOne(t, enc, raw)
	}
	return out
}

func nalTypes(f *media.Frame) []int {
	types := make([]int, len(f.NALUs))
	for i, n := range f.NALUs {
		types[i] = int(n[0] & 0x1f)
	}
	return types
}

func writeAnnexB(t *testing.T, frames []*media.Frame) string {
	t.Helper()
	var b bytes.Buffer
	for _, f := range frames {
		for _, n := range f.NALUs {
			b.Write([]byte{0, 0, 0, 1})
			b.Write(n)
		}
	}
	path := filepath.Join(t.TempDir(), "out.h264")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func lookFFmpeg(t *testing.T) (ffmpeg, ffprobe string) {
	t.Helper()
	ffmpeg, err1 := exec.LookPath("ffmpeg")
	ffprobe, err2 := exec.LookPath("ffprobe")
	if err1 != nil || err2 != nil {
		t.Skip("ffmpeg/ffprobe not installed: cannot check the stream with a real decoder")
	}
	return ffmpeg, ffprobe
}

// TestX264DecodesWithFFmpeg encodes 50 pictures in every rate-control mode and has ffmpeg decode
// them: no decoder complaint, every frame, the right size and profile, and keyframes exactly where
// the encoder said.
func TestX264DecodesWithFFmpeg(t *testing.T) {
	ffmpeg, ffprobe := lookFFmpeg(t)
	const w, h, n, fps, gop = 320, 240, 50, 15, 15
	raws := newFrames(w, h, n, fps, 8)
	for _, rc := range []RateControl{RateFixedQP, RateCBR, RateVBR, RateSmart} {
		t.Run(fmt.Sprintf("videoformat=%d", rc), func(t *testing.T) {
			enc := openX264(t, H264Options{Width: w, Height: h, FPSNum: fps, FPSDen: 1, BitrateKbps: 800, RateControl: rc, GOPFrames: gop})
			frames := encodeAll(t, enc, raws)
			path := writeAnnexB(t, frames)

			out, err := exec.Command(ffmpeg, "-v", "error", "-f", "h264", "-i", path, "-f", "null", "-").CombinedOutput()
			if err != nil || len(out) != 0 {
				t.Fatalf("ffmpeg decode: err %v, output %q; want no error and no output", err, out)
			}

			out, err = exec.Command(ffprobe, "-v", "error", "-f", "h264", "-count_frames", "-select_streams", "v:0",
				"-show_entries", "stream=nb_read_frames,width,height,profile", "-of", "default=noprint_wrappers=1", path).Output()
			if err != nil {
				t.Fatalf("ffprobe: %v", err)
			}
			got := map[string]string{}
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				k, v, _ := strings.Cut(line, "=")
				got[k] = v
			}
			want := map[string]string{"nb_read_frames": strconv.Itoa(n), "width": strconv.Itoa(w), "height": strconv.Itoa(h), "profile": "Constrained Baseline"}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("ffprobe %s: got %q, want %q", k, got[k], v)
				}
			}

			out, err = exec.Command(ffprobe, "-v", "error", "-f", "h264", "-select_streams", "v:0",
				"-show_entries", "frame=key_frame", "-of", "csv=p=0", path).Output()
			if err != nil {
				t.Fatalf("ffprobe frames: %v", err)
			}
			var decoderKeys, encoderKeys []int
			for i, line := range strings.Fields(string(out)) {
				if strings.HasPrefix(line, "1") {
					decoderKeys = append(decoderKeys, i)
				}
			}
			for i, f := range frames {
				if f.Key {
					encoderKeys = append(encoderKeys, i)
				}
			}
			if want := []int{0, 15, 30, 45}; !slices.Equal(encoderKeys, want) || !slices.Equal(decoderKeys, want) {
				t.Errorf("keyframes: encoder says %v, ffprobe says %v, want %v", encoderKeys, decoderKeys, want)
			}
		})
	}
}

// TestX264GOP checks the IDR cadence and that every IDR carries its SPS and PPS.
func TestX264GOP(t *testing.T) {
	tests := []struct {
		name    string
		opts    H264Options
		frames  int
		wantIDR []int
	}{
		{"GOPFrames=10", H264Options{Width: 160, Height: 120, FPSNum: 15, FPSDen: 1, GOPFrames: 10}, 35, []int{0, 10, 20, 30}},
		{"default 2 s at 25 fps", H264Options{Width: 160, Height: 120, FPSNum: 25, FPSDen: 1}, 120, []int{0, 50, 100}},
		{"default 2 s at 30000/1001", H264Options{Width: 160, Height: 120, FPSNum: 30000, FPSDen: 1001}, 125, []int{0, 60, 120}},
		{"GOPFrames=1 all intra", H264Options{Width: 160, Height: 120, FPSNum: 15, FPSDen: 1, GOPFrames: 1}, 4, []int{0, 1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := openX264(t, tt.opts)
			var idr []int
			for i, f := range encodeAll(t, enc, newFrames(160, 120, tt.frames, 15, 4)) {
				checkAU(t, i, f)
				if f.Key {
					idr = append(idr, i)
				}
			}
			if !slices.Equal(idr, tt.wantIDR) {
				t.Errorf("IDR pictures: got %v, want %v", idr, tt.wantIDR)
			}
		})
	}
}

// checkAU checks that an IDR access unit holds SPS, PPS and IDR slices and nothing else holds any.
func checkAU(t *testing.T, i int, f *media.Frame) {
	t.Helper()
	types := nalTypes(f)
	if f.Key {
		sps, pps, idr := slices.Index(types, nalSPS), slices.Index(types, nalPPS), slices.Index(types, nalSliceIDR)
		if sps < 0 || pps < 0 || idr < 0 || sps > idr || pps > idr {
			t.Errorf("IDR picture %d: got NAL types %v, want SPS (7) and PPS (8) before the IDR slice (5)", i, types)
		}
		return
	}
	for _, typ := range types {
		if typ != nalSlice {
			t.Errorf("P picture %d: got NAL types %v, want only non-IDR slices (1)", i, types)
			return
		}
	}
}

// TestX264RequestKeyframe asks for a keyframe from another goroutine in the middle of a GOP.
func TestX264RequestKeyframe(t *testing.T) {
	enc := openX264(t, H264Options{Width: 160, Height: 120, FPSNum: 15, FPSDen: 1, GOPFrames: 30})
	raws := newFrames(160, 120, 55, 15, 4)
	var idr []int
	for i, raw := range raws {
		if i == 7 || i == 8 || i == 20 {
			done := make(chan struct{})
			go func() { enc.RequestKeyframe(); close(done) }()
			<-done
		}
		f := encodeOne(t, enc, raw)
		checkAU(t, i, f)
		if f.Key {
			idr = append(idr, i)
		}
	}
	// Each request makes the very next picture an IDR, once, and the GOP restarts from there.
	if want := []int{0, 7, 8, 20, 50}; !slices.Equal(idr, want) {
		t.Errorf("IDR pictures: got %v, want %v", idr, want)
	}
}

// TestX264Bitrate checks that the rate control modes follow BITRATE on a noisy moving scene.
func TestX264Bitrate(t *testing.T) {
	const w, h, fps, seconds = 640, 360, 15, 3
	raws := newFrames(w, h, fps*seconds, fps, 12)
	// x264's VBV starts 90 % full, so over a window of T seconds it may spend up to
	// rate·T + 0.9·buffer; the bound below is that, plus 10 % for the rate control's own error.
	vbvMax := func(kbps int, bufSeconds float64) float64 {
		return float64(kbps) * (1 + 0.9*bufSeconds/seconds) * 1.1
	}
	tests := []struct {
		name     string
		rc       RateControl
		kbps     int
		min, max float64 // kbit/s
	}{
		// CBR: within ±40 % of BITRATE.
		{"CBR 500", RateCBR, 500, 500 * 0.6, 500 * 1.4},
		{"CBR 1500", RateCBR, 1500, 1500 * 0.6, 1500 * 1.4},
		// VBR/SMART: constant quality capped at BITRATE over a 1 s (VBR) or 2 s (SMART) buffer;
		// this scene wants more than 300 kbit/s (checked below), so the cap must bite.
		{"VBR cap 300", RateVBR, 300, 300 * 0.6, vbvMax(300, 1)},
		{"SMART cap 300", RateSmart, 300, 300 * 0.6, vbvMax(300, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := openX264(t, H264Options{Width: w, Height: h, FPSNum: fps, FPSDen: 1, BitrateKbps: tt.kbps, RateControl: tt.rc})
			bytes := 0
			for _, f := range encodeAll(t, enc, raws) {
				bytes += f.Size()
			}
			got := float64(bytes) * 8 / 1000 / seconds
			if got < tt.min || got > tt.max {
				t.Errorf("bitrate: got %.0f kbit/s, want %.0f–%.0f", got, tt.min, tt.max)
			}
		})
	}
	// The scene must be demanding enough for the caps above to mean something.
	t.Run("uncapped CRF is above the caps", func(t *testing.T) {
		enc := openX264(t, H264Options{Width: w, Height: h, FPSNum: fps, FPSDen: 1, BitrateKbps: 50000, RateControl: RateVBR})
		bytes := 0
		for _, f := range encodeAll(t, enc, raws) {
			bytes += f.Size()
		}
		if got := float64(bytes) * 8 / 1000 / seconds; got < 600 {
			t.Errorf("uncapped bitrate: got %.0f kbit/s, want > 600 so that the 300 kbit/s cap is exercised", got)
		}
	})
}

func TestX264SizeMismatch(t *testing.T) {
	enc := openX264(t, H264Options{Width: 320, Height: 240, FPSNum: 15, FPSDen: 1})
	encodeOne(t, enc, newFrames(320, 240, 1, 15, 0)[0])
	short := media.NewRawFrame(320, 240)
	short.Y = short.Y[:100]
	for name, raw := range map[string]*media.RawFrame{
		"other size":  media.NewRawFrame(640, 480),
		"short plane": short,
	} {
		t.Run(name, func(t *testing.T) {
			emitted := 0
			err := enc.Encode(raw, func(*media.Frame) { emitted++ })
			if err == nil || emitted != 0 {
				t.Fatalf("got error %v and %d frames, want an error and none", err, emitted)
			}
			if !strings.Contains(err.Error(), "320x240") {
				t.Errorf("got error %q, want it to name the encoder's size 320x240", err)
			}
		})
	}
	// The encoder still works afterwards.
	encodeOne(t, enc, newFrames(320, 240, 1, 15, 0)[0])
}

func TestX264CloseTwice(t *testing.T) {
	enc, err := NewH264(H264Options{Width: 160, Height: 120, FPSNum: 15, FPSDen: 1})
	if err != nil {
		t.Fatal(err)
	}
	encodeOne(t, enc, newFrames(160, 120, 1, 15, 0)[0])
	for i := range 2 {
		if err := enc.Close(); err != nil {
			t.Fatalf("Close %d: got %v, want nil", i+1, err)
		}
	}
	if err := enc.Encode(media.NewRawFrame(160, 120), func(*media.Frame) { t.Error("emit after Close") }); err == nil {
		t.Error("Encode after Close: got nil error, want one")
	}
	enc.RequestKeyframe() // must not crash
}

func TestX264InvalidOptions(t *testing.T) {
	ok := H264Options{Width: 320, Height: 240, FPSNum: 15, FPSDen: 1}
	tests := []struct {
		name   string
		modify func(*H264Options)
		want   string
	}{
		{"zero width", func(o *H264Options) { o.Width = 0 }, "even"},
		{"odd height", func(o *H264Options) { o.Height = 241 }, "even"},
		{"zero fps", func(o *H264Options) { o.FPSNum = 0 }, "frame rate"},
		{"zero fps den", func(o *H264Options) { o.FPSDen = 0 }, "frame rate"},
		{"negative bitrate", func(o *H264Options) { o.BitrateKbps = -1 }, "bitrate"},
		{"unknown VIDEOFORMAT", func(o *H264Options) { o.RateControl = 4 }, "VIDEOFORMAT"},
		{"negative GOP", func(o *H264Options) { o.GOPFrames = -1 }, "GOP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := ok
			tt.modify(&opts)
			enc, err := NewH264(opts)
			if err == nil {
				enc.Close()
				t.Fatalf("NewH264(%+v): got nil error, want one mentioning %q", opts, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestX264Allocs checks the per-frame allocation budget: the payload and the frame.
func TestX264Allocs(t *testing.T) {
	enc := openX264(t, H264Options{Width: 320, Height: 240, FPSNum: 15, FPSDen: 1, GOPFrames: 5})
	raws := newFrames(320, 240, 10, 15, 4)
	encodeOne(t, enc, raws[0]) // the first IDR carries x264's SEI as a fifth NAL unit
	i := 1
	var last *media.Frame
	emit := func(f *media.Frame) { last = f }
	allocs := testing.AllocsPerRun(40, func() {
		if err := enc.Encode(raws[i%len(raws)], emit); err != nil {
			t.Fatal(err)
		}
		i++
	})
	if last == nil || allocs > 2 {
		t.Errorf("allocations per encoded frame: got %v, want ≤ 2", allocs)
	}
}

// processCPU is the CPU time (user + system, all threads) this process has used so far: on a
// shared machine it measures the encoder's cost where wall time measures the neighbours.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkX264Frame720p encodes a moving, noisy 1280×720 scene at 15 fps and 4.5 Mbit/s VBR
// (the performance anchors' stream) with one x264 thread (what NewH264 uses) and with two sliced
// threads for comparison.
func BenchmarkX264Frame720p(b *testing.B) {
	const w, h, fps = 1280, 720, 15
	raws := newFrames(w, h, 30, fps, 6)
	opts := H264Options{Width: w, Height: h, FPSNum: fps, FPSDen: 1, BitrateKbps: 4500, RateControl: RateVBR}
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			enc, err := newX264(opts, threads)
			if err != nil {
				b.Fatal(err)
			}
			defer enc.Close()
			size := 0
			emit := func(f *media.Frame) { size += f.Size() }
			b.ReportAllocs()
			cpu0 := processCPU(b)
			b.ResetTimer()
			for i := range b.N {
				if err := enc.Encode(raws[i%len(raws)], emit); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(size)/float64(b.N), "B/frame")
		})
	}
}
