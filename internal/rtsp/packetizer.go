package rtsp

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/bluenviron/gortsplib/v5/pkg/format"
	"github.com/bluenviron/gortsplib/v5/pkg/format/rtph264"
	"github.com/bluenviron/gortsplib/v5/pkg/format/rtpmjpeg"
	"github.com/pion/rtp"

	"github.com/freecam/freecam/internal/media"
)

// rtpClockRate is the clock of both H.264 and JPEG over RTP.
const rtpClockRate = 90000

// newFormat returns the RTP format for codec; for H.264 with the given parameter sets.
func newFormat(codec media.Codec, sps, pps []byte) format.Format {
	if codec == media.CodecMJPEG {
		return &format.MJPEG{}
	}
	return &format.H264{PayloadTyp: 96, SPS: sps, PPS: pps, PacketizationMode: 1}
}

// packetizer turns frames into the RTP packets of one outgoing stream: one sequence-number space
// and one monotonic 90 kHz clock that starts at a random offset. It is used by one goroutine.
type packetizer struct {
	codec media.Codec
	pt    uint8
	h264  *rtph264.Encoder
	mjpeg *rtpmjpeg.Encoder
	clock rtpClock
	nalus [][]byte // scratch: the NAL units that are sent
}

func newPacketizer(forma format.Format) (*packetizer, error) {
	offset, err := randUint32()
	if err != nil {
		return nil, fmt.Errorf("rtsp: packetizer: %w", err)
	}
	seq, err := randUint32()
	if err != nil {
		return nil, fmt.Errorf("rtsp: packetizer: %w", err)
	}
	p := &packetizer{pt: forma.PayloadType(), clock: rtpClock{offset: offset}}
	switch forma.(type) {
	case *format.H264:
		p.codec = media.CodecH264
	case *format.MJPEG:
		p.codec = media.CodecMJPEG
	default:
		return nil, fmt.Errorf("rtsp: packetizer: unsupported format %T", forma)
	}
	if err := p.restart(uint16(seq)); err != nil {
		return nil, err
	}
	return p, nil
}

// restart makes the next packet carry sequence number seq. After a packet could not be queued,
// restarting at its number keeps the sequence free of gaps, which players would report as loss.
func (p *packetizer) restart(seq uint16) error {
	// The SSRC in the encoders is a placeholder: gortsplib writes the stream's own.
	ssrc := uint32(0)
	if p.codec == media.CodecMJPEG {
		p.mjpeg = &rtpmjpeg.Encoder{SSRC: &ssrc, InitialSequenceNumber: &seq}
		return p.mjpeg.Init()
	}
	p.h264 = &rtph264.Encoder{
		PayloadType:           p.pt,
		SSRC:                  &ssrc,
		InitialSequenceNumber: &seq,
		PacketizationMode:     1,
	}
	return p.h264.Init()
}

var errEmptyFrame = errors.New("rtsp: frame has no payload")

// packetize returns the RTP packets of f; the last one has the marker bit. All carry the same
// timestamp: f.PTS on the stream's clock.
func (p *packetizer) packetize(f *media.Frame) ([]*rtp.Packet, error) {
	var pkts []*rtp.Packet
	var err error
	switch p.codec {
	case media.CodecH264:
		p.nalus = p.nalus[:0]
		for _, n := range f.NALUs {
			if len(n) == 0 || n[0]&0x1f == naluAUD {
				continue // access unit delimiters carry nothing over RTP (RFC 6184 §5.1)
			}
			p.nalus = append(p.nalus, n)
		}
		if len(p.nalus) == 0 {
			return nil, errEmptyFrame
		}
		pkts, err = p.h264.Encode(p.nalus)
		clear(p.nalus)
	case media.CodecMJPEG:
		if len(f.NALUs) == 0 || len(f.NALUs[0]) < 4 || f.NALUs[0][0] != 0xff || f.NALUs[0][1] != 0xd8 {
			return nil, errEmptyFrame
		}
		pkts, err = p.mjpeg.Encode(f.NALUs[0])
	}
	if err != nil {
		return nil, err
	}
	ts := p.clock.timestamp(f.PTS)
	for _, pkt := range pkts {
		pkt.Timestamp = ts
	}
	return pkts, nil
}

const naluAUD = 9

// rtpClock maps presentation times to a 90 kHz RTP clock that never goes back: when a frame
// would not be later than the last one (a reader that paused and restarted on an older cached
// GOP), the whole clock shifts forward so the spacing between frames is kept.
type rtpClock struct {
	offset  uint32 // random start (RFC 3550 §5.1)
	shift   int64  // ticks added to keep the clock monotonic
	last    int64
	started bool
}

func (c *rtpClock) timestamp(pts time.Duration) uint32 {
	t := durationToTicks(pts) + c.shift
	if c.started && t <= c.last {
		c.shift += c.last + 1 - t
		t = c.last + 1
	}
	c.last, c.started = t, true
	return c.offset + uint32(t)
}

// durationToTicks converts d to 90 kHz ticks without overflowing for long uptimes.
func durationToTicks(d time.Duration) int64 {
	sec := int64(d / time.Second)
	rem := int64(d % time.Second)
	return sec*rtpClockRate + rem*rtpClockRate/int64(time.Second)
}

func randUint32() (uint32, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(b[:]), nil
}
