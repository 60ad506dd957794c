// Package media holds the value types that flow through freecam's video pipeline: raw I420
// pictures from a source and encoded access units for the stream hub. It has no dependencies and
// no behaviour beyond small helpers, so every other package can share it.
package media

import "time"

// Codec identifies the compression of an encoded Frame.
type Codec uint8

// Codecs freecam produces or relays.
const (
	CodecH264  Codec = iota + 1 // H.264, NAL units without start codes
	CodecMJPEG                  // one baseline JPEG per frame
)

func (c Codec) String() string {
	switch c {
	case CodecH264:
		return "H264"
	case CodecMJPEG:
		return "MJPEG"
	}
	return "unknown"
}

// RawFrame is one uncompressed picture in planar I420 (YUV 4:2:0) with tight strides: the luma
// plane Y is Width×Height bytes, Cb and Cr are (Width/2)×(Height/2) each. Width and Height are even.
//
// A RawFrame is written only by the stage that owns it (source, then OSD) and is immutable once it
// has been handed on to the encoder, the snapshot mailbox or motion: readers never copy it, and
// nobody may write to it after that.
type RawFrame struct {
	ID     uint64        // assigned by the pipeline, strictly increasing; 0 before that
	Time   time.Time     // wall-clock capture time (drives the OSD clock)
	PTS    time.Duration // presentation time since the stream started, monotonic
	Width  int
	Height int
	Y      []byte
	Cb     []byte
	Cr     []byte
}

// NewRawFrame allocates a black I420 picture of the given even dimensions.
func NewRawFrame(width, height int) *RawFrame {
	ySize := width * height
	cSize := (width / 2) * (height / 2)
	buf := make([]byte, ySize+2*cSize)
	f := &RawFrame{
		Width:  width,
		Height: height,
		Y:      buf[:ySize:ySize],
		Cb:     buf[ySize : ySize+cSize : ySize+cSize],
		Cr:     buf[ySize+cSize:],
	}
	for i := range f.Cb {
		f.Cb[i] = 128
		f.Cr[i] = 128
	}
	return f
}

// I420Size is the number of bytes of an I420 picture of the given dimensions.
func I420Size(width, height int) int {
	return width*height + 2*(width/2)*(height/2)
}

// Frame is one encoded access unit: for H.264 every NAL unit of one picture (without Annex-B
// start codes), for MJPEG a single JPEG image in NALUs[0]. Frames are immutable once published to
// the stream hub and are shared by every reader.
type Frame struct {
	Codec Codec
	Seq   uint64        // assigned by the stream hub, strictly increasing
	PTS   time.Duration // presentation time since the stream started, monotonic
	Time  time.Time     // wall-clock time the picture was taken
	Key   bool          // an IDR picture (H.264) or any JPEG: a reader may start here
	NALUs [][]byte
}

// Size is the payload size of the frame in bytes, without framing.
func (f *Frame) Size() int {
	n := 0
	for _, nalu := range f.NALUs {
		n += len(nalu)
	}
	return n
}

// VideoFormat describes a video stream as far as the pipeline needs to know it up front.
type VideoFormat struct {
	Width   int
	Height  int
	FPSNum  int // frames per second = FPSNum / FPSDen
	FPSDen  int
	Encoded Codec // 0 for a raw source; the codec for a source that delivers encoded frames
}

// FrameInterval is the time between two frames, or 0 if the rate is unknown.
func (v VideoFormat) FrameInterval() time.Duration {
	if v.FPSNum <= 0 || v.FPSDen <= 0 {
		return 0
	}
	return time.Duration(int64(time.Second) * int64(v.FPSDen) / int64(v.FPSNum))
}
