package h264

import (
	"bytes"
	"testing"
)

// wellFormed builds NAL units from arbitrary bytes: a non-zero header, a payload with emulation
// prevention and a non-zero last byte, as an encoder would write them.
func wellFormed(data []byte) [][]byte {
	var nals [][]byte
	for len(data) >= 2 {
		hdr := data[0] & 0x7f
		if hdr&0x1f == 0 {
			hdr |= 1
		}
		n := min(int(data[1])%40, len(data)-2)
		nal := []byte{hdr}
		zeros := 0
		for _, c := range data[2 : 2+n] {
			if zeros >= 2 && c <= 3 {
				nal = append(nal, 3)
				zeros = 0
			}
			nal = append(nal, c)
			if c == 0 {
				zeros++
			} else {
				zeros = 0
			}
		}
		if nal[len(nal)-1] == 0 {
			nal = append(nal, 0x80)
		}
		nals = append(nals, nal)
		data = data[2+n:]
	}
	return nals
}

func feed(t *testing.T, data []byte, chunk int) ([]AccessUnit, error) {
	s := NewSplitter(1 << 16)
	var aus []AccessUnit
	emit := func(au AccessUnit) { aus = append(aus, au) }
	for len(data) > 0 {
		n := min(chunk, len(data))
		if err := s.Write(data[:n], emit); err != nil {
			return aus, err
		}
		data = data[n:]
	}
	return aus, s.Flush(emit)
}

func FuzzSplitter(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x65, 0x88, 0, 0, 1, 0x41, 0x9a}, uint8(3))
	f.Add([]byte{0, 0, 1, 9, 0xf0, 0, 0, 1, 0x41, 0x80, 0, 0, 0}, uint8(1))
	f.Add([]byte{0x65, 5, 0, 0, 0, 1, 2, 0x09, 1, 0xf0, 0x41, 3, 0x80, 0, 0}, uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		c := int(chunk)%64 + 1

		// Arbitrary input: never panics, and the chunking does not change the result.
		whole, errWhole := feed(t, data, len(data)+1)
		parts, errParts := feed(t, data, c)
		if (errWhole == nil) != (errParts == nil) {
			t.Fatalf("whole: %v, chunked: %v", errWhole, errParts)
		}
		if errWhole == nil && !sameAUs(whole, parts) {
			t.Fatalf("chunk %d changed the access units", c)
		}

		// Well-formed input: the NAL units come out in order, AUDs dropped.
		nals := wellFormed(data)
		var stream, want []byte
		for i, n := range nals {
			if i%2 == 0 {
				stream = append(stream, 0)
			}
			stream = append(append(stream, 0, 0, 1), n...)
			if n[0]&0x1f != naluAUD {
				want = append(append(want, 0, 0, 1), n...)
			}
		}
		aus, err := feed(t, stream, c)
		if err != nil {
			t.Fatalf("well-formed input: %v", err)
		}
		var got []byte
		for _, au := range aus {
			if len(au.NALUs) == 0 {
				t.Fatal("empty access unit")
			}
			for _, n := range au.NALUs {
				got = append(append(got, 0, 0, 1), n...)
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("got NAL stream %x, want %x", got, want)
		}
	})
}

func sameAUs(a, b []AccessUnit) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || len(a[i].NALUs) != len(b[i].NALUs) {
			return false
		}
		for j := range a[i].NALUs {
			if !bytes.Equal(a[i].NALUs[j], b[i].NALUs[j]) {
				return false
			}
		}
	}
	return true
}
