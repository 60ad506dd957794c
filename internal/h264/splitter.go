package h264

import (
	"bytes"
	"errors"
	"fmt"
)

// DefaultMaxAUSize bounds an access unit, and the bytes before the first start code, when a
// Splitter is given no limit.
const DefaultMaxAUSize = 4 << 20

// NAL unit types the splitter cares about.
const (
	naluNonIDR = 1
	naluIDR    = 5
	naluSEI    = 6
	naluSPS    = 7
	naluPPS    = 8
	naluAUD    = 9
)

// ErrTooLarge is wrapped by the error a Splitter returns when an access unit, or the data before
// the first start code, exceeds its limit.
var ErrTooLarge = errors.New("h264: access unit too large")

// AccessUnit is every NAL unit of one picture, without start codes and without access unit
// delimiters. NALUs are freshly allocated for each access unit and belong to the receiver.
type AccessUnit struct {
	NALUs [][]byte
	Key   bool // contains an IDR slice
}

// Splitter cuts an Annex B byte stream, fed in arbitrary chunks, into access units.
//
// A new access unit starts at an access unit delimiter (type 9, which is dropped), at an SPS, PPS
// or SEI (or types 14–18) after a slice, and at a slice whose first_mb_in_slice is 0 after a
// slice. A NAL unit is complete only when the next start code arrives, so Write emits an access
// unit once the first NAL unit of the next one has been seen; call Flush at a known end of an
// access unit (end of stream, end of a capture buffer) to emit it at once.
//
// A Splitter is not safe for concurrent use. After an error it returns that error until Reset.
type Splitter struct {
	max int

	buf     []byte // unprocessed input; starts at a NAL unit's first byte when inNAL
	scanned int    // bytes of buf already searched for a start code
	inNAL   bool   // a start code has been seen

	au     []byte // pending access unit, NAL units back to back
	ends   []int  // end offset of each NAL unit in au
	hasVCL bool
	key    bool

	err error
}

// NewSplitter returns a Splitter that fails when an access unit exceeds maxAUSize bytes;
// 0 means DefaultMaxAUSize.
func NewSplitter(maxAUSize int) *Splitter {
	if maxAUSize <= 0 {
		maxAUSize = DefaultMaxAUSize
	}
	return &Splitter{max: maxAUSize}
}

// Reset forgets all buffered data and any error.
func (s *Splitter) Reset() {
	s.buf = s.buf[:0]
	s.scanned = 0
	s.inNAL = false
	s.resetAU()
	s.err = nil
}

func (s *Splitter) resetAU() {
	s.au = s.au[:0]
	s.ends = s.ends[:0]
	s.hasVCL = false
	s.key = false
}

var startCode = []byte{0, 0, 1}

// Write consumes p and calls emit for every access unit completed by it. p is not retained.
func (s *Splitter) Write(p []byte, emit func(AccessUnit)) error {
	if s.err != nil {
		return s.err
	}
	s.buf = append(s.buf, p...)
	start := 0
	for {
		i := bytes.Index(s.buf[start+s.scanned:], startCode)
		if i < 0 {
			break
		}
		end := start + s.scanned + i
		if s.inNAL {
			if err := s.nalu(s.buf[start:end], emit); err != nil {
				return err
			}
		}
		s.inNAL = true
		start = end + 3
		s.scanned = 0
	}
	rest := len(s.buf) - start
	if s.scanned = rest - 2; s.scanned < 0 {
		s.scanned = 0
	}
	if rest > s.max || (s.inNAL && len(s.au)+rest > s.max) {
		what := "NAL unit"
		if !s.inNAL {
			what = "data without a start code"
		}
		s.err = fmt.Errorf("%w: %s of more than %d bytes", ErrTooLarge, what, s.max)
		return s.err
	}
	if start > 0 {
		n := copy(s.buf, s.buf[start:])
		s.buf = s.buf[:n]
	}
	return nil
}

// Flush ends the current NAL unit and access unit, emitting it if it holds anything. The next
// Write must begin with a start code again (bytes before it are skipped).
func (s *Splitter) Flush(emit func(AccessUnit)) error {
	if s.err != nil {
		return s.err
	}
	if s.inNAL {
		if err := s.nalu(s.buf, emit); err != nil {
			return err
		}
	}
	s.buf = s.buf[:0]
	s.scanned = 0
	s.inNAL = false
	s.emit(emit)
	return nil
}

// nalu handles one complete NAL unit; nal aliases s.buf and is copied.
func (s *Splitter) nalu(nal []byte, emit func(AccessUnit)) error {
	// Zero bytes before a start code are trailing_zero_8bits (or the 4-byte start code's first
	// byte); a NAL unit never ends in 0x00.
	for len(nal) > 0 && nal[len(nal)-1] == 0 {
		nal = nal[:len(nal)-1]
	}
	if len(nal) == 0 {
		return nil
	}
	switch typ := nal[0] & 0x1f; {
	case typ == naluAUD:
		s.emit(emit)
		return nil
	case typ == naluSEI || typ == naluSPS || typ == naluPPS || (typ >= 14 && typ <= 18):
		if s.hasVCL {
			s.emit(emit)
		}
	case typ == naluNonIDR || typ == naluIDR:
		// first_mb_in_slice is ue(v) at the start of the slice header: 0 is a single 1 bit.
		if s.hasVCL && len(nal) > 1 && nal[1]&0x80 != 0 {
			s.emit(emit)
		}
		s.hasVCL = true
		if typ == naluIDR {
			s.key = true
		}
	}
	if len(s.au)+len(nal) > s.max {
		s.err = fmt.Errorf("%w: more than %d bytes", ErrTooLarge, s.max)
		return s.err
	}
	s.au = append(s.au, nal...)
	s.ends = append(s.ends, len(s.au))
	return nil
}

// emit hands the pending access unit over in fresh memory and clears it.
func (s *Splitter) emit(emit func(AccessUnit)) {
	if len(s.ends) == 0 {
		s.resetAU()
		return
	}
	data := make([]byte, len(s.au))
	copy(data, s.au)
	nalus := make([][]byte, len(s.ends))
	prev := 0
	for i, end := range s.ends {
		nalus[i] = data[prev:end:end]
		prev = end
	}
	au := AccessUnit{NALUs: nalus, Key: s.key}
	s.resetAU()
	emit(au)
}
