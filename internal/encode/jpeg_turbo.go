//go:build cgo && !noturbojpeg

package encode

/*
#cgo LDFLAGS: -lturbojpeg
#include <stdlib.h>
#include <turbojpeg.h>

// freecam_tj_i420 compresses three I420 planes into out (capacity *size, allocated with tjAlloc),
// which TurboJPEG must not reallocate. The plane array is built here so that Go never hands C a
// Go pointer to memory that holds Go pointers.
static int freecam_tj_i420(tjhandle h, const unsigned char *y, const unsigned char *cb,
		const unsigned char *cr, int width, int height, int quality,
		unsigned char *out, unsigned long *size) {
	const unsigned char *planes[3] = { y, cb, cr };
	int strides[3] = { width, width / 2, width / 2 };
	unsigned char *buf = out;
	return tjCompressFromYUVPlanes(h, planes, width, strides, height, TJSAMP_420,
		&buf, size, quality, TJFLAG_NOREALLOC);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/freecam/freecam/internal/media"
)

// JPEGEncoder compresses I420 pictures into baseline 4:2:0 JPEG images. This build uses
// libjpeg-turbo's TurboJPEG API in process (about 1 ms for 1280×720 at quality 80).
//
// A JPEGEncoder holds a TurboJPEG handle and a C output buffer: it is not goroutine-safe, so use
// one per goroutine (or guard it). It must be closed to free the C memory.
type JPEGEncoder struct {
	handle C.tjhandle
	out    *C.uchar // tjAlloc'd, outCap bytes, sized for the largest picture so far
	outCap C.ulong
	size   C.ulong // in/out size for the C call; a field so that it does not escape per call
}

// NewJPEG returns an encoder; it allocates its buffers on the first Encode.
func NewJPEG() *JPEGEncoder { return &JPEGEncoder{} }

// Encode compresses f at quality (1..100; 0 means DefaultJPEGQuality, others are clamped) and
// returns dst with the JPEG appended. Reusing dst's capacity avoids any allocation in steady state.
// f is only read.
func (e *JPEGEncoder) Encode(dst []byte, f *media.RawFrame, quality int) ([]byte, error) {
	if err := checkJPEGFrame(f); err != nil {
		return dst, err
	}
	if e.handle == nil {
		e.handle = C.tjInitCompress()
		if e.handle == nil {
			return dst, errors.New("jpeg: turbojpeg: tjInitCompress failed")
		}
	}
	need := C.tjBufSize(C.int(f.Width), C.int(f.Height), C.TJSAMP_420)
	if need == C.ulong(^C.ulong(0)) || need == 0 {
		return dst, fmt.Errorf("jpeg: turbojpeg: no buffer size for %dx%d", f.Width, f.Height)
	}
	if e.outCap < need {
		if e.out != nil {
			C.tjFree(e.out)
		}
		e.out = C.tjAlloc(C.int(need))
		if e.out == nil {
			e.outCap = 0
			return dst, fmt.Errorf("jpeg: turbojpeg: cannot allocate %d bytes", need)
		}
		e.outCap = need
	}
	e.size = e.outCap
	// Passing the planes' data pointers is allowed: they hold no Go pointers and C keeps none
	// after the call.
	rc := C.freecam_tj_i420(e.handle,
		(*C.uchar)(unsafe.Pointer(&f.Y[0])),
		(*C.uchar)(unsafe.Pointer(&f.Cb[0])),
		(*C.uchar)(unsafe.Pointer(&f.Cr[0])),
		C.int(f.Width), C.int(f.Height), C.int(jpegQuality(quality)), e.out, &e.size)
	if rc != 0 {
		return dst, fmt.Errorf("jpeg: turbojpeg: compress %dx%d: %s", f.Width, f.Height, C.GoString(C.tjGetErrorStr2(e.handle)))
	}
	return append(dst, unsafe.Slice((*byte)(unsafe.Pointer(e.out)), int(e.size))...), nil
}

// Close frees the TurboJPEG handle and buffer. Closing twice is harmless; an Encode after Close
// allocates them again (and needs another Close).
func (e *JPEGEncoder) Close() error {
	if e.out != nil {
		C.tjFree(e.out)
		e.out, e.outCap = nil, 0
	}
	if e.handle != nil {
		rc := C.tjDestroy(e.handle)
		e.handle = nil
		if rc != 0 {
			return errors.New("jpeg: turbojpeg: tjDestroy failed")
		}
	}
	return nil
}

// JPEGBackend names the JPEG implementation compiled in ("turbojpeg" or "image/jpeg").
const JPEGBackend = "turbojpeg"
