package v4l2

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/freecam/freecam/internal/h264"
	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/source"
)

const (
	pollInterval   = 200 * time.Millisecond // how often a waiting Run looks at ctx
	noFrameTimeout = 5 * time.Second        // a device silent this long has failed
	maxBadFrames   = 30                     // consecutive undecodable frames before Run fails
)

// device is an open, streaming capture device.
type device struct {
	fd     int
	pixfmt uint32
	width  int
	height int
	stride int
	bufs   [][]byte
}

func ioctl(fd int, req uintptr, arg unsafe.Pointer) error {
	for {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, uintptr(arg))
		switch e {
		case 0:
			return nil
		case unix.EINTR:
			continue
		}
		return e
	}
}

// openDevice opens path, sets the format and rate, maps the buffers and starts streaming.
func openDevice(path string, o Options) (d *device, err error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return nil, fmt.Errorf("v4l2: %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR {
		return nil, fmt.Errorf("v4l2: %s is not a video device (not a character device); give a path such as /dev/video0", path)
	}
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("v4l2: open %s: %w", path, err)
	}
	dev := &device{fd: fd}
	d = dev
	defer func() {
		if err != nil {
			dev.close()
		}
	}()

	var c capability
	if err := ioctl(fd, vidiocQueryCap, unsafe.Pointer(&c)); err != nil {
		if errors.Is(err, unix.ENOTTY) || errors.Is(err, unix.EINVAL) {
			return nil, fmt.Errorf("v4l2: %s is not a V4L2 video device (VIDIOC_QUERYCAP: %w)", path, err)
		}
		return nil, fmt.Errorf("v4l2: %s: VIDIOC_QUERYCAP: %w", path, err)
	}
	caps := c.Capabilities
	if caps&capDeviceCaps != 0 {
		caps = c.DeviceCaps
	}
	if caps&capVideoCapture == 0 || caps&capStreaming == 0 {
		return nil, fmt.Errorf("v4l2: %s (%s) cannot stream video capture (capabilities %#x); try another /dev/videoN", path, cstr(c.Card[:]), caps)
	}

	want := map[string]uint32{FormatYUYV: pixYUYV, FormatMJPEG: pixMJPEG, FormatH264: pixH264}[o.PixelFormat]
	if want == 0 {
		return nil, fmt.Errorf("v4l2: pixel format %q: want %s, %s or %s", o.PixelFormat, FormatYUYV, FormatMJPEG, FormatH264)
	}
	f := format{Type: bufTypeVideoCapture, Pix: pixFormat{Width: uint32(o.Width), Height: uint32(o.Height), PixelFormat: want, Field: fieldNone}}
	if err := ioctl(fd, vidiocSFmt, unsafe.Pointer(&f)); err != nil {
		return nil, fmt.Errorf("v4l2: %s: set format %s %dx%d: %w", path, o.PixelFormat, o.Width, o.Height, err)
	}
	switch f.Pix.PixelFormat {
	case pixYUYV, pixMJPEG, pixJPEG, pixH264:
	default:
		return nil, fmt.Errorf("v4l2: %s: the driver offers pixel format %q instead of %s; freecam reads YUYV, MJPEG and H264", path, fourccString(f.Pix.PixelFormat), o.PixelFormat)
	}
	d.pixfmt = f.Pix.PixelFormat
	d.width, d.height = int(f.Pix.Width), int(f.Pix.Height)
	d.stride = int(f.Pix.BytesPerLine)
	if d.stride < 2*d.width {
		d.stride = 2 * d.width
	}

	// The frame rate is a wish: some drivers do not support setting it.
	p := streamParm{Type: bufTypeVideoCapture, TPFNum: uint32(o.FPSDen), TPFDen: uint32(o.FPSNum)}
	_ = ioctl(fd, vidiocSParm, unsafe.Pointer(&p))

	rb := requestBuffers{Count: uint32(o.Buffers), Type: bufTypeVideoCapture, Memory: memoryMMAP}
	if err := ioctl(fd, vidiocReqBufs, unsafe.Pointer(&rb)); err != nil {
		return nil, fmt.Errorf("v4l2: %s: request %d buffers: %w", path, o.Buffers, err)
	}
	if rb.Count == 0 {
		return nil, fmt.Errorf("v4l2: %s: the driver granted no buffers", path)
	}
	for i := uint32(0); i < rb.Count; i++ {
		b := buffer{Index: i, Type: bufTypeVideoCapture, Memory: memoryMMAP}
		if err := ioctl(fd, vidiocQueryBuf, unsafe.Pointer(&b)); err != nil {
			return nil, fmt.Errorf("v4l2: %s: query buffer %d: %w", path, i, err)
		}
		m, err := unix.Mmap(fd, int64(b.offset()), int(b.Length), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
		if err != nil {
			return nil, fmt.Errorf("v4l2: %s: map buffer %d: %w", path, i, err)
		}
		d.bufs = append(d.bufs, m)
		if err := ioctl(fd, vidiocQBuf, unsafe.Pointer(&b)); err != nil {
			return nil, fmt.Errorf("v4l2: %s: queue buffer %d: %w", path, i, err)
		}
	}
	typ := int32(bufTypeVideoCapture)
	if err := ioctl(fd, vidiocStreamOn, unsafe.Pointer(&typ)); err != nil {
		return nil, fmt.Errorf("v4l2: %s: start streaming: %w", path, err)
	}
	return d, nil
}

func (d *device) close() {
	typ := int32(bufTypeVideoCapture)
	_ = ioctl(d.fd, vidiocStreamOff, unsafe.Pointer(&typ))
	for _, m := range d.bufs {
		_ = unix.Munmap(m)
	}
	d.bufs = nil
	_ = unix.Close(d.fd)
}

// Run captures until ctx is done (then returns nil) or the device fails.
func (s *Source) Run(ctx context.Context, sink source.Sink) error {
	d, err := openDevice(s.device, s.opts)
	if err != nil {
		return err
	}
	defer d.close()
	s.log.Info("streaming", "format", fourccString(d.pixfmt), "width", d.width, "height", d.height)

	start := time.Now()
	lastFrame := start
	var lastPTS time.Duration
	splitter := h264.NewSplitter(0)
	bad := 0
	var lastBad error
	fds := []unix.PollFd{{Fd: int32(d.fd), Events: unix.POLLIN}}
	for {
		if ctx.Err() != nil {
			return nil
		}
		n, err := unix.Poll(fds, int(pollInterval/time.Millisecond))
		if err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("v4l2: %s: poll: %w", s.device, err)
		}
		if n <= 0 {
			if time.Since(lastFrame) > noFrameTimeout {
				return fmt.Errorf("v4l2: %s: no frame for %v", s.device, noFrameTimeout)
			}
			continue
		}
		b := buffer{Type: bufTypeVideoCapture, Memory: memoryMMAP}
		if err := ioctl(d.fd, vidiocDQBuf, unsafe.Pointer(&b)); err != nil {
			if errors.Is(err, unix.EAGAIN) {
				continue
			}
			return fmt.Errorf("v4l2: %s: dequeue buffer: %w", s.device, err)
		}
		now := time.Now()
		lastFrame = now
		pts := now.Sub(start)
		if pts <= lastPTS {
			pts = lastPTS + time.Microsecond
		}
		lastPTS = pts
		var data []byte
		if int(b.Index) < len(d.bufs) {
			data = d.bufs[b.Index]
			data = data[:min(int(b.BytesUsed), len(data))]
		}
		ferr := s.deliver(d, data, pts, now, splitter, sink)
		if err := ioctl(d.fd, vidiocQBuf, unsafe.Pointer(&b)); err != nil {
			return fmt.Errorf("v4l2: %s: queue buffer: %w", s.device, err)
		}
		if ferr != nil {
			bad++
			lastBad = ferr
			if bad >= maxBadFrames {
				return fmt.Errorf("v4l2: %s: %d bad frames in a row, last: %w", s.device, bad, lastBad)
			}
			continue
		}
		bad = 0
	}
}

// deliver converts one captured buffer and hands it to the sink. data is the mapped buffer and
// must not be retained.
func (s *Source) deliver(d *device, data []byte, pts time.Duration, now time.Time, sp *h264.Splitter, sink source.Sink) error {
	switch d.pixfmt {
	case pixYUYV:
		f := media.NewRawFrame(d.width&^1, d.height&^1)
		if err := YUYVToI420(f, data, d.stride); err != nil {
			return err
		}
		f.PTS, f.Time = pts, now
		sink.WriteRaw(f)
	case pixMJPEG, pixJPEG:
		f, err := DecodeMJPEG(data)
		if err != nil {
			return err
		}
		f.PTS, f.Time = pts, now
		sink.WriteRaw(f)
	case pixH264:
		// One buffer is one picture: flush at its end so it goes out without waiting.
		var werr error
		emit := func(au h264.AccessUnit) {
			sink.WriteEncoded(&media.Frame{Codec: media.CodecH264, PTS: pts, Time: now, Key: au.Key, NALUs: au.NALUs})
		}
		if werr = sp.Write(data, emit); werr == nil {
			werr = sp.Flush(emit)
		}
		if werr != nil {
			sp.Reset()
			return werr
		}
	}
	return nil
}

func cstr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func fourccString(v uint32) string {
	return string([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)})
}
