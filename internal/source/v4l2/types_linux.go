package v4l2

import "unsafe"

// Kernel structures from <linux/videodev2.h>. golang.org/x/sys/unix has no V4L2 types, so they
// are declared here. "long" and pointers are uintptr, which has the C size and alignment on every
// Linux port, so Go inserts the same padding as C on 32- and 64-bit; sizes are checked in tests.

const ptrSize = 4 << (^uintptr(0) >> 63) // 4 or 8

const (
	bufTypeVideoCapture = 1
	memoryMMAP          = 1
	fieldNone           = 1

	capVideoCapture = 0x00000001
	capStreaming    = 0x04000000
	capDeviceCaps   = 0x80000000
)

func fourcc(s string) uint32 {
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

var (
	pixYUYV  = fourcc("YUYV")
	pixMJPEG = fourcc("MJPG")
	pixJPEG  = fourcc("JPEG")
	pixH264  = fourcc("H264")
)

// capability is struct v4l2_capability (104 bytes).
type capability struct {
	Driver       [16]byte
	Card         [32]byte
	BusInfo      [32]byte
	Version      uint32
	Capabilities uint32
	DeviceCaps   uint32
	Reserved     [3]uint32
}

// pixFormat is struct v4l2_pix_format (48 bytes).
type pixFormat struct {
	Width, Height, PixelFormat, Field, BytesPerLine, SizeImage uint32
	Colorspace, Priv, Flags, YCbCrEnc, Quantization, XferFunc  uint32
}

// format is struct v4l2_format: the union holds pointers (struct v4l2_window), so it is aligned
// to the pointer size: 204 bytes on 32-bit, 208 on 64-bit.
type format struct {
	Type uint32
	_    [ptrSize - 4]byte
	Pix  pixFormat
	_    [200 - unsafe.Sizeof(pixFormat{})]byte
}

// requestBuffers is struct v4l2_requestbuffers (20 bytes).
type requestBuffers struct {
	Count, Type, Memory, Capabilities uint32
	Flags                             uint8
	_                                 [3]byte
}

// buffer is struct v4l2_buffer: 68 bytes on 32-bit (with the 32-bit struct timeval the kernel
// also accepts from 64-bit-time userspace), 88 on 64-bit.
type buffer struct {
	Index, Type, BytesUsed, Flags, Field uint32
	TimestampSec, TimestampUsec          uintptr
	Timecode                             [16]byte
	Sequence, Memory                     uint32
	M                                    uintptr // union: offset (u32 at its start), userptr, planes, fd
	Length, Reserved2, RequestFD         uint32
}

// offset is the union member m.offset.
func (b *buffer) offset() uint32 { return *(*uint32)(unsafe.Pointer(&b.M)) }

// streamParm is struct v4l2_streamparm (204 bytes) with the capture member.
type streamParm struct {
	Type        uint32
	Capability  uint32
	CaptureMode uint32
	TPFNum      uint32 // timeperframe numerator: seconds per frame = TPFNum / TPFDen
	TPFDen      uint32
	Extended    uint32
	ReadBuffers uint32
	_           [200 - 24]byte
}

func ioc(dir, nr, size uintptr) uintptr {
	return dir<<(16+iocSizeBits) | size<<16 | 'V'<<8 | nr
}

var (
	vidiocQueryCap  = ioc(iocRead, 0, unsafe.Sizeof(capability{}))
	vidiocSFmt      = ioc(iocRead|iocWrite, 5, unsafe.Sizeof(format{}))
	vidiocReqBufs   = ioc(iocRead|iocWrite, 8, unsafe.Sizeof(requestBuffers{}))
	vidiocQueryBuf  = ioc(iocRead|iocWrite, 9, unsafe.Sizeof(buffer{}))
	vidiocQBuf      = ioc(iocRead|iocWrite, 15, unsafe.Sizeof(buffer{}))
	vidiocDQBuf     = ioc(iocRead|iocWrite, 17, unsafe.Sizeof(buffer{}))
	vidiocStreamOn  = ioc(iocWrite, 18, unsafe.Sizeof(int32(0)))
	vidiocStreamOff = ioc(iocWrite, 19, unsafe.Sizeof(int32(0)))
	vidiocSParm     = ioc(iocRead|iocWrite, 22, unsafe.Sizeof(streamParm{}))
)

// Compile-time layout checks: a size that differs from the kernel's overflows a constant and
// stops the build, on every GOARCH that is cross-built.
const (
	_ = unsafe.Sizeof(capability{}) - 104
	_ = 104 - unsafe.Sizeof(capability{})
	_ = unsafe.Sizeof(format{}) - (200 + ptrSize)
	_ = (200 + ptrSize) - unsafe.Sizeof(format{})
	_ = unsafe.Sizeof(requestBuffers{}) - 20
	_ = 20 - unsafe.Sizeof(requestBuffers{})
	_ = unsafe.Sizeof(buffer{}) - (68 + 5*(ptrSize-4))
	_ = (68 + 5*(ptrSize-4)) - unsafe.Sizeof(buffer{})
	_ = unsafe.Sizeof(streamParm{}) - 204
	_ = 204 - unsafe.Sizeof(streamParm{})
)
