//go:build cgo && ((linux && (amd64 || arm64)) || (darwin && amd64))

package encode

/*
#include <stdlib.h>
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/gen2brain/x264-go/x264c"

	"github.com/freecam/freecam/internal/media"
)

var _ H264Encoder = (*x264Encoder)(nil)

// x264State is what x264_encoder_encode reads and writes besides the encoder itself. It lives
// in C memory (one malloc per encoder) so that no Go pointer is ever handed to x264 and no Go
// value escapes to the heap per frame.
type x264State struct {
	picIn  x264c.Picture
	picOut x264c.Picture
	nals   *x264c.Nal // out: x264's NAL array, valid until the next encode
	nNals  int32      // out: its length
}

// x264Encoder is the software H.264 encoder (libx264 through cgo).
type x264Encoder struct {
	cfg   x264Config
	enc   *x264c.T
	state *x264State     // C memory
	plane unsafe.Pointer // C memory: Y, Cb and Cr, tightly packed
	y     []byte         // views of plane
	cb    []byte
	cr    []byte
	pts   int64 // x264's picture counter, in 1/fps
	kf    atomic.Bool
}

// NewH264 opens an x264 encoder for opts. See x264Config.param for the encoder settings.
func NewH264(opts H264Options) (H264Encoder, error) {
	return newX264(opts, 1)
}

// newX264 opens an encoder with the given number of x264 threads (>1 means sliced threads;
// only the benchmark uses that to compare).
func newX264(opts H264Options, threads int) (*x264Encoder, error) {
	cfg, err := newX264Config(opts, threads)
	if err != nil {
		return nil, err
	}
	p, err := cfg.param()
	if err != nil {
		return nil, err
	}
	e := &x264Encoder{cfg: cfg}
	e.enc = x264c.EncoderOpen(p)
	if e.enc == nil {
		return nil, fmt.Errorf("x264: open encoder %dx%d at %d/%d fps: rejected by libx264 (see its message on stderr)",
			cfg.width, cfg.height, cfg.fpsNum, cfg.fpsDen)
	}

	ySize := cfg.width * cfg.height
	cSize := (cfg.width / 2) * (cfg.height / 2)
	e.state = (*x264State)(C.calloc(1, C.size_t(unsafe.Sizeof(x264State{}))))
	e.plane = C.malloc(C.size_t(ySize + 2*cSize))
	if e.state == nil || e.plane == nil {
		e.Close()
		return nil, errors.New("x264: out of C memory for the picture")
	}
	buf := unsafe.Slice((*byte)(e.plane), ySize+2*cSize)
	e.y, e.cb, e.cr = buf[:ySize:ySize], buf[ySize:ySize+cSize:ySize+cSize], buf[ySize+cSize:]

	in := &e.state.picIn
	x264c.PictureInit(in)
	in.Img.ICsp = x264c.CspI420
	in.Img.IPlane = 3
	in.Img.IStride = [4]int32{int32(cfg.width), int32(cfg.width / 2), int32(cfg.width / 2), 0}
	in.Img.Plane = [4]unsafe.Pointer{
		unsafe.Pointer(unsafe.SliceData(e.y)),
		unsafe.Pointer(unsafe.SliceData(e.cb)),
		unsafe.Pointer(unsafe.SliceData(e.cr)),
		nil,
	}
	x264c.PictureInit(&e.state.picOut)
	return e, nil
}

// maxInlineNALUs is how many NAL units an access unit may have before Encode needs a second
// slice header allocation: SEI (first picture only), SPS, PPS and one slice.
const maxInlineNALUs = 4

// frameBox holds a Frame and its NALUs slice headers in one allocation.
type frameBox struct {
	frame media.Frame
	nalus [maxInlineNALUs][]byte
}

// Encode compresses raw and calls emit exactly once with its access unit. Not safe for concurrent
// use with itself or Close.
func (e *x264Encoder) Encode(raw *media.RawFrame, emit func(*media.Frame)) error {
	if e.enc == nil {
		return errors.New("x264: encode: encoder is closed")
	}
	if raw.Width != e.cfg.width || raw.Height != e.cfg.height {
		return fmt.Errorf("x264: encode: picture is %dx%d but the encoder was opened for %dx%d; open a new encoder for the new size",
			raw.Width, raw.Height, e.cfg.width, e.cfg.height)
	}
	if len(raw.Y) < len(e.y) || len(raw.Cb) < len(e.cb) || len(raw.Cr) < len(e.cr) {
		return fmt.Errorf("x264: encode: %dx%d picture has short planes (Y %d, Cb %d, Cr %d bytes; want %d, %d, %d)",
			raw.Width, raw.Height, len(raw.Y), len(raw.Cb), len(raw.Cr), len(e.y), len(e.cb), len(e.cr))
	}
	copy(e.y, raw.Y)
	copy(e.cb, raw.Cb)
	copy(e.cr, raw.Cr)

	s := e.state
	s.picIn.IType = x264c.TypeAuto
	if e.kf.Swap(false) {
		s.picIn.IType = x264c.TypeIdr
	}
	s.picIn.IPts = e.pts
	e.pts++
	nalsOut := unsafe.Slice(&s.nals, 1)
	size := x264c.EncoderEncode(e.enc, nalsOut, &s.nNals, &s.picIn, &s.picOut)
	if size < 0 {
		return fmt.Errorf("x264: encode picture %d: libx264 failed (%d)", raw.ID, size)
	}
	if size == 0 || s.nNals <= 0 {
		// zerolatency never buffers; if it ever did, the caller's frame would come out late.
		return fmt.Errorf("x264: encode picture %d: no output (the encoder delayed the picture)", raw.ID)
	}
	nals := unsafe.Slice(s.nals, s.nNals)

	// One Go allocation for all payloads, one for the frame and its NALU headers.
	total := 0
	for i := range nals {
		total += int(nals[i].IPayload) - 4
	}
	data := make([]byte, total)
	box := &frameBox{}
	var nalus [][]byte
	if len(nals) <= maxInlineNALUs {
		nalus = box.nalus[:len(nals):len(nals)]
	} else {
		nalus = make([][]byte, len(nals))
	}
	off := 0
	for i := range nals {
		n := &nals[i]
		if n.IPayload < 5 {
			return fmt.Errorf("x264: encode picture %d: NAL unit %d of type %d has %d bytes", raw.ID, i, n.IType, n.IPayload)
		}
		payload := unsafe.Slice((*byte)(n.PPayload), n.IPayload)
		if got := binary.BigEndian.Uint32(payload); got != uint32(n.IPayload-4) {
			return fmt.Errorf("x264: encode picture %d: NAL unit %d length prefix %d, want %d", raw.ID, i, got, n.IPayload-4)
		}
		m := copy(data[off:], payload[4:])
		nalus[i] = data[off : off+m : off+m]
		off += m
	}

	box.frame = media.Frame{
		Codec: media.CodecH264,
		PTS:   raw.PTS,
		Time:  raw.Time,
		Key:   s.picOut.IType == x264c.TypeIdr,
		NALUs: nalus,
	}
	emit(&box.frame)
	return nil
}

// RequestKeyframe makes the next encoded picture an IDR. Safe from any goroutine.
func (e *x264Encoder) RequestKeyframe() {
	e.kf.Store(true)
}

// Close frees the encoder and its C memory. Calling it again does nothing.
func (e *x264Encoder) Close() error {
	if e.enc != nil {
		x264c.EncoderClose(e.enc)
		e.enc = nil
	}
	if e.state != nil {
		C.free(unsafe.Pointer(e.state))
		e.state = nil
	}
	if e.plane != nil {
		C.free(e.plane)
		e.plane = nil
		e.y, e.cb, e.cr = nil, nil, nil
	}
	return nil
}
