package h264

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// x264Stream encodes 2 s of testsrc at 10 fps with an IDR every 10 frames, or skips the test.
func x264Stream(tb testing.TB) []byte {
	tb.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		tb.Skip("ffmpeg not installed")
	}
	out := filepath.Join(tb.TempDir(), "out.h264")
	cmd := exec.Command(ffmpeg, "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10",
		"-t", "2", "-c:v", "libx264", "-g", "10", "-bf", "0", "-f", "h264", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func splitAll(t *testing.T, s *Splitter, data []byte, chunk int) []AccessUnit {
	t.Helper()
	var aus []AccessUnit
	emit := func(au AccessUnit) { aus = append(aus, au) }
	for len(data) > 0 {
		n := min(chunk, len(data))
		if err := s.Write(data[:n], emit); err != nil {
			t.Fatalf("Write: %v", err)
		}
		data = data[n:]
	}
	if err := s.Flush(emit); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	return aus
}

func TestSplitterX264(t *testing.T) {
	stream := x264Stream(t)
	for _, chunk := range []int{1, 3, 188, 4096, len(stream)} {
		aus := splitAll(t, NewSplitter(0), stream, chunk)
		if got, want := len(aus), 20; got != want {
			t.Fatalf("chunk %d: got %d access units, want %d", chunk, got, want)
		}
		for i, au := range aus {
			if want := i%10 == 0; au.Key != want {
				t.Errorf("chunk %d: AU %d: got Key=%v, want %v", chunk, i, au.Key, want)
			}
			if au.Key != IsKey(au.NALUs) {
				t.Errorf("chunk %d: AU %d: IsKey disagrees with Key", chunk, i)
			}
			vcl := 0
			for _, n := range au.NALUs {
				if typ := n[0] & 0x1f; typ == naluAUD {
					t.Errorf("chunk %d: AU %d: AUD not dropped", chunk, i)
				} else if typ == naluIDR || typ == naluNonIDR {
					vcl++
				}
			}
			if vcl == 0 {
				t.Errorf("chunk %d: AU %d: no slice", chunk, i)
			}
		}
		sps := aus[0].NALUs[0]
		for _, n := range aus[0].NALUs {
			if n[0]&0x1f == naluSPS {
				sps = n
			}
		}
		w, h, err := SPSInfo(sps)
		if err != nil || w != 320 || h != 240 {
			t.Fatalf("SPSInfo: got %dx%d, %v; want 320x240, nil", w, h, err)
		}
	}
}

func TestSplitterBoundaries(t *testing.T) {
	sc := []byte{0, 0, 0, 1}
	join := func(nals ...[]byte) []byte {
		var b []byte
		for _, n := range nals {
			b = append(append(b, sc...), n...)
		}
		return b
	}
	aud := []byte{0x09, 0xf0}
	sps := []byte{0x67, 0x42, 0x00, 0x1e}
	pps := []byte{0x68, 0xce}
	idr0 := []byte{0x65, 0x88, 0x01} // first_mb_in_slice 0
	idr1 := []byte{0x65, 0x40, 0x02} // first_mb_in_slice 1
	p0 := []byte{0x41, 0x9a, 0x03}
	tests := []struct {
		name     string
		in       []byte
		wantNALs []int // NAL units per access unit
		wantKey  []bool
	}{
		{"aud separates", join(aud, sps, pps, idr0, aud, p0, aud, p0), []int{3, 1, 1}, []bool{true, false, false}},
		{"first_mb 0 separates", join(sps, pps, idr0, idr1, p0, p0), []int{4, 1, 1}, []bool{true, false, false}},
		{"sps after slice separates", join(sps, pps, idr0, sps, pps, idr0), []int{3, 3}, []bool{true, true}},
		{"leading garbage skipped", append([]byte{1, 2, 3}, join(p0)...), []int{1}, []bool{false}},
		{"only aud", join(aud, aud), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			aus := splitAll(t, NewSplitter(0), tt.in, 2)
			if len(aus) != len(tt.wantNALs) {
				t.Fatalf("got %d access units, want %d", len(aus), len(tt.wantNALs))
			}
			for i, au := range aus {
				if len(au.NALUs) != tt.wantNALs[i] || au.Key != tt.wantKey[i] {
					t.Errorf("AU %d: got %d NALUs key=%v, want %d key=%v", i, len(au.NALUs), au.Key, tt.wantNALs[i], tt.wantKey[i])
				}
			}
		})
	}
}

func TestSplitterBounds(t *testing.T) {
	t.Run("no start code", func(t *testing.T) {
		s := NewSplitter(1000)
		err := s.Write(bytes.Repeat([]byte{0xab}, 1001), func(AccessUnit) {})
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("got %v, want ErrTooLarge", err)
		}
		if err2 := s.Write([]byte{0, 0, 1, 0x41, 0x80}, func(AccessUnit) {}); err2 == nil {
			t.Fatal("got nil after an error, want the sticky error")
		}
	})
	t.Run("huge access unit", func(t *testing.T) {
		s := NewSplitter(1000)
		var err error
		chunk := append([]byte{0, 0, 1, 0x01, 0x40}, bytes.Repeat([]byte{0x55}, 100)...) // slices with first_mb != 0
		for i := 0; i < 20 && err == nil; i++ {
			err = s.Write(chunk, func(AccessUnit) {})
		}
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("got %v, want ErrTooLarge", err)
		}
	})
}

func BenchmarkSplitterPerAU(b *testing.B) {
	stream := x264Stream(b)
	s := NewSplitter(0)
	aus := 0
	emit := func(AccessUnit) { aus++ }
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		s.Reset()
		for p := stream; len(p) > 0; {
			n := min(4096, len(p))
			if err := s.Write(p[:n], emit); err != nil {
				b.Fatal(err)
			}
			p = p[n:]
		}
		if err := s.Flush(emit); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(aus), "ns/AU")
}

func TestParamSets(t *testing.T) {
	sps, pps, idr, sps2 := []byte{0x67, 1}, []byte{0x68, 2}, []byte{0x65, 3}, []byte{0x67, 4}
	for _, tc := range []struct {
		name             string
		nalus            [][]byte
		wantSPS, wantPPS []byte
	}{
		{"idr with both", [][]byte{sps, pps, idr}, sps, pps},
		{"slice only", [][]byte{idr}, nil, nil},
		{"empty nalu skipped, last sps wins", [][]byte{{}, sps, sps2}, sps2, nil},
	} {
		gotSPS, gotPPS := ParamSets(tc.nalus)
		if string(gotSPS) != string(tc.wantSPS) || string(gotPPS) != string(tc.wantPPS) {
			t.Errorf("%s: got %x %x, want %x %x", tc.name, gotSPS, gotPPS, tc.wantSPS, tc.wantPPS)
		}
	}
}
