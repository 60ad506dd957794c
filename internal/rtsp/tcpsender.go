package rtsp

import (
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/bluenviron/gortsplib/v5/pkg/ntp"
	"github.com/pion/rtcp"

	"github.com/freecam/freecam/internal/media"
)

// The TCP fast path. For a session whose RTP goes over its RTSP connection (interleaved), the
// feeder does not hand packets to gortsplib, which would allocate a packet buffer and queue a
// closure per packet per reader. It takes the frame's shared packetization from the packetCache,
// writes '$', channel, length, the 12-byte RTP header and the payload of every packet into one
// buffer and writes that with one Write, under the coalescingConn's mutex so it never interleaves
// with gortsplib's own writes (RTSP responses). gortsplib then sees no RTP for the session: its
// RTCP sender for it never starts (it waits for a first packet), so tcpSender sends the sender
// reports itself, behind a frame's packets in the same Write. A TCP session in PLAY is kept alive
// by the client's requests and RTCP on the connection (gortsplib's read deadline), not by
// outgoing packets, so it does not time out.

// senderReportPeriod is how often a TCP session gets an RTCP sender report.
const senderReportPeriod = 5 * time.Second

// srSize is an RTCP sender report without report blocks, interleaved.
const srSize = 4 + 28

// tcpSender is the RTP state of one TCP session: sequence numbers, clock, SSRC, counters for
// the sender reports. Its methods are called by one feeder goroutine at a time; the session
// reads nextSeq only while no feeder runs.
type tcpSender struct {
	conn    *coalescingConn
	timeout time.Duration
	cache   *packetCache
	// bufs holds *[]byte output buffers, shared by the server's senders. A buffer is only held
	// while one frame is built and written, so the memory scales with the readers writing at the
	// same moment, not with the readers connected.
	bufs        *sync.Pool
	ssrc        uint32
	pt          uint8
	channel     uint8 // interleaved RTP channel
	rtcpChannel uint8

	seq   uint16 // of the next packet
	clock rtpClock

	packets   uint32 // sent, for the sender reports
	octets    uint32 // payload bytes sent
	lastSR    time.Time
	srPending bool // send a report with the next frame
}

func newTCPSender(cache *packetCache, bufs *sync.Pool, ssrc uint32, pt uint8) (*tcpSender, error) {
	offset, err := randUint32()
	if err != nil {
		return nil, fmt.Errorf("rtsp: tcp sender: %w", err)
	}
	seq, err := randUint32()
	if err != nil {
		return nil, fmt.Errorf("rtsp: tcp sender: %w", err)
	}
	return &tcpSender{cache: cache, bufs: bufs, ssrc: ssrc, pt: pt, seq: uint16(seq),
		clock: rtpClock{offset: offset}, channel: 0, rtcpChannel: 1, srPending: true}, nil
}

// writeFrame sends fr with one Write. It returns the number of RTP packets sent, 0 with a nil
// error when fr cannot be sent (then nothing was written and no sequence number used), or the
// write error, after which the connection is unusable.
func (t *tcpSender) writeFrame(fr *media.Frame) (int, error) {
	fp := t.cache.get(fr)
	if fp.err != nil || fp.nalus != len(fr.NALUs) {
		return 0, nil
	}
	ts := t.clock.timestamp(fr.PTS)
	need := fp.wireSize()
	now := time.Now()
	sr := t.srPending || now.Sub(t.lastSR) >= senderReportPeriod
	if sr {
		need += srSize
	}

	bp := t.bufs.Get().(*[]byte)
	defer t.bufs.Put(bp)
	if cap(*bp) < need {
		*bp = make([]byte, need+need/4)
	}
	buf := (*bp)[:need]
	p := 0
	seq := t.seq
	for i := range fp.chunks {
		c := &fp.chunks[i]
		body := fr.NALUs[c.nalu][c.off:c.end]
		size := rtpHeaderSize + int(c.headLen) + len(body)
		buf[p] = interleavedMagic
		buf[p+1] = t.channel
		binary.BigEndian.PutUint16(buf[p+2:], uint16(size))
		h := buf[p+4 : p+4+rtpHeaderSize]
		h[0] = 0x80 // version 2, no padding, extension or CSRC
		h[1] = t.pt
		if c.marker {
			h[1] |= 0x80
		}
		binary.BigEndian.PutUint16(h[2:], seq)
		binary.BigEndian.PutUint32(h[4:], ts)
		binary.BigEndian.PutUint32(h[8:], t.ssrc)
		p += 4 + rtpHeaderSize
		p += copy(buf[p:], fp.heads[c.headOff:c.headOff+c.headLen])
		p += copy(buf[p:], body)
		seq++
	}
	packets := uint32(len(fp.chunks))
	octets := uint32(fp.payload)
	if sr {
		wall := fr.Time
		if wall.IsZero() {
			wall = now
		}
		if err := t.putSenderReport(buf[p:], wall, ts, t.packets+packets, t.octets+octets); err != nil {
			return 0, err
		}
		p += srSize
	}

	if err := t.conn.writeFrames(buf[:p], len(fp.chunks), t.timeout); err != nil {
		return 0, err
	}
	t.seq = seq
	t.packets += packets
	t.octets += octets
	if sr {
		t.lastSR, t.srPending = now, false
	}
	return len(fp.chunks), nil
}

// putSenderReport writes an interleaved RTCP sender report into b: the NTP time wall matches the
// RTP time ts of the frame it follows.
func (t *tcpSender) putSenderReport(b []byte, wall time.Time, ts, packets, octets uint32) error {
	pkt, err := rtcp.SenderReport{
		SSRC:        t.ssrc,
		NTPTime:     ntp.Encode(wall),
		RTPTime:     ts,
		PacketCount: packets,
		OctetCount:  octets,
	}.Marshal()
	if err != nil {
		return fmt.Errorf("rtsp: sender report: %w", err)
	}
	if len(pkt)+4 != srSize {
		return fmt.Errorf("rtsp: sender report: got %d bytes, want %d", len(pkt), srSize-4)
	}
	b[0], b[1] = interleavedMagic, t.rtcpChannel
	binary.BigEndian.PutUint16(b[2:], uint16(len(pkt)))
	copy(b[4:], pkt)
	return nil
}
