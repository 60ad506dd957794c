package rtsp

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/format/rtph264"
	"github.com/bluenviron/gortsplib/v5/pkg/format/rtpmjpeg"
	"github.com/bluenviron/gortsplib/v5/pkg/headers"
	"github.com/bluenviron/gortsplib/v5/pkg/ntp"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"github.com/freecam/freecam/internal/media"

	"github.com/freecam/freecam/internal/testutil"
)

// payloads returns the RTP payloads and markers fp describes for fr.
func payloads(fp *framePackets, fr *media.Frame) (pls [][]byte, markers []bool) {
	for _, c := range fp.chunks {
		p := append([]byte(nil), fp.heads[c.headOff:c.headOff+c.headLen]...)
		p = append(p, fr.NALUs[c.nalu][c.off:c.end]...)
		pls = append(pls, p)
		markers = append(markers, c.marker)
	}
	return pls, markers
}

// TestPacketizeH264RoundTrips checks the shared H.264 packetization with gortsplib's RFC 6184
// decoder: every access unit comes back whole (without its delimiter), no payload is over the
// limit, and only the last packet has the marker bit.
func TestPacketizeH264RoundTrips(t *testing.T) {
	aus := makeClip(t, noisyClip)
	big := make([]byte, 3*maxRTPPayload+7) // exactly-fitting and odd-sized FU-A fragments
	big[0] = 0x65
	for i := range big[1:] {
		big[i+1] = byte(i)
	}
	exact := append([]byte{0x41}, make([]byte, maxRTPPayload-1)...) // fits one packet exactly
	tests := []struct {
		name  string
		nalus [][]byte
	}{
		{"keyframe of the clip", aus[0].NALUs},
		{"P frame of the clip", aus[1].NALUs},
		{"delimiter is dropped", append([][]byte{{0x09, 0xf0}}, aus[2].NALUs...)},
		{"large NAL unit", [][]byte{{0x67, 1, 2}, {0x68, 3}, big}},
		{"NAL unit of exactly the payload size", [][]byte{exact}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fr := &media.Frame{Codec: media.CodecH264, Seq: 1, NALUs: tt.nalus}
			fp := packetizeFrame(media.CodecH264, fr, maxRTPPayload)
			if fp.err != nil {
				t.Fatal(fp.err)
			}
			pls, markers := payloads(fp, fr)
			dec := &rtph264.Decoder{PacketizationMode: 1}
			if err := dec.Init(); err != nil {
				t.Fatal(err)
			}
			var got [][]byte
			total := 0
			for i, pl := range pls {
				if len(pl) > maxRTPPayload {
					t.Errorf("packet %d: got %d bytes of payload, want <= %d", i, len(pl), maxRTPPayload)
				}
				if markers[i] != (i == len(pls)-1) {
					t.Errorf("packet %d of %d: got marker %v", i, len(pls), markers[i])
				}
				total += len(pl)
				au, err := dec.Decode(&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96,
					SequenceNumber: uint16(i), Marker: markers[i]}, Payload: pl})
				if err == nil {
					got = au
				} else if !errors.Is(err, rtph264.ErrMorePacketsNeeded) {
					t.Fatalf("decoding packet %d: %v", i, err)
				}
			}
			var want [][]byte
			for _, n := range tt.nalus {
				if n[0]&0x1f != naluAUD {
					want = append(want, n)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("got %d NAL units back, want %d", len(got), len(want))
			}
			for i := range want {
				if !bytes.Equal(got[i], want[i]) {
					t.Errorf("NAL unit %d: got %d bytes, want the %d sent", i, len(got[i]), len(want[i]))
				}
			}
			if total != fp.payload {
				t.Errorf("payload: got %d bytes in packets, framePackets says %d", total, fp.payload)
			}
		})
	}
}

// TestPacketizeMJPEGMatchesGortsplib compares the shared RFC 2435 packetization with gortsplib's
// encoder, byte for byte.
func TestPacketizeMJPEGMatchesGortsplib(t *testing.T) {
	for n := range 3 {
		fr := jpegFrame(t, n*40, time.Now())
		fr.Seq = uint64(n + 1)
		fp := packetizeFrame(media.CodecMJPEG, fr, maxRTPPayload)
		if fp.err != nil {
			t.Fatal(fp.err)
		}
		got, markers := payloads(fp, fr)
		enc := &rtpmjpeg.Encoder{PayloadMaxSize: maxRTPPayload}
		if err := enc.Init(); err != nil {
			t.Fatal(err)
		}
		want, err := enc.Encode(fr.NALUs[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("frame %d: got %d packets, want %d", n, len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i].Payload) || markers[i] != want[i].Marker {
				t.Errorf("frame %d packet %d: payloads or markers differ (marker got %v, want %v)",
					n, i, markers[i], want[i].Marker)
			}
		}
	}
}

func TestPacketizeRejectsBadFrames(t *testing.T) {
	good := jpegFrame(t, 0, time.Now()).NALUs[0]
	progressive := bytes.Clone(good)
	if i := bytes.Index(progressive, []byte{0xff, 0xc0}); i > 0 {
		progressive[i+1] = 0xc2
	}
	tests := []struct {
		name  string
		codec media.Codec
		nalus [][]byte
	}{
		{"empty H.264", media.CodecH264, nil},
		{"only a delimiter", media.CodecH264, [][]byte{{0x09, 0xf0}}},
		{"empty JPEG", media.CodecMJPEG, nil},
		{"not a JPEG", media.CodecMJPEG, [][]byte{[]byte("hello")}},
		{"truncated JPEG", media.CodecMJPEG, [][]byte{good[:100]}},
		{"progressive JPEG", media.CodecMJPEG, [][]byte{progressive}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp := packetizeFrame(tt.codec, &media.Frame{Codec: tt.codec, NALUs: tt.nalus}, maxRTPPayload)
			if fp.err == nil {
				t.Errorf("got %d packets, want an error", len(fp.chunks))
			}
		})
	}
}

func TestPacketCacheSharesFrames(t *testing.T) {
	c := newPacketCache(media.CodecH264)
	fr := &media.Frame{Codec: media.CodecH264, Seq: 7, NALUs: [][]byte{{0x65, 1, 2, 3}}}
	a, b := c.get(fr), c.get(fr)
	if a != b {
		t.Error("the same frame was packetized twice")
	}
	later := &media.Frame{Codec: media.CodecH264, Seq: 7 + packetCacheSlots, NALUs: [][]byte{{0x41, 1}}}
	if got := c.get(later); got == a || got.seq != later.Seq {
		t.Errorf("a frame in the same slot: got packets of seq %d, want %d", got.seq, later.Seq)
	}
	// An old frame does not evict the newer one in its slot.
	if got := c.get(fr); got == a || got.seq != fr.Seq {
		t.Errorf("an evicted frame: got packets of seq %d, want new ones of %d", got.seq, fr.Seq)
	}
	if got := c.get(later); got.seq != later.Seq {
		t.Errorf("after an old frame: slot holds seq %d, want %d", got.seq, later.Seq)
	}
}

// interleavedFrame is one '$' frame read back from the wire.
type interleavedFrame struct {
	channel byte
	data    []byte
}

func readInterleaved(br *bufio.Reader) (interleavedFrame, error) {
	var h [4]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return interleavedFrame{}, err
	}
	if h[0] != '$' {
		return interleavedFrame{}, fmt.Errorf("got %q, want an interleaved frame", h[:])
	}
	data := make([]byte, binary.BigEndian.Uint16(h[2:]))
	if _, err := io.ReadFull(br, data); err != nil {
		return interleavedFrame{}, err
	}
	return interleavedFrame{channel: h[1], data: data}, nil
}

// TestTCPSenderWire checks the bytes of the fast path: interleaved framing on the session's
// channels, RTP headers with its SSRC and payload type, gap-free sequence numbers, one timestamp
// per frame, one Write per frame, and a sender report that matches what was sent.
func TestTCPSenderWire(t *testing.T) {
	aus := makeClip(t, noisyClip)
	fake := &countingConn{}
	cc := newCoalescingConn(fake, 1<<20)
	var bufs sync.Pool
	bufs.New = func() any { return new([]byte) }
	ts, err := newTCPSender(newPacketCache(media.CodecH264), &bufs, 0xdeadbeef, 96)
	if err != nil {
		t.Fatal(err)
	}
	ts.conn, ts.timeout, ts.channel, ts.rtcpChannel = cc, time.Second, 4, 5
	firstSeq := ts.seq
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	const frames = 3
	var wantPackets int
	for n := range frames {
		fr := clipFrame(aus, n, start)
		fr.Seq = uint64(n + 1)
		sent, err := ts.writeFrame(fr)
		if err != nil {
			t.Fatal(err)
		}
		fp := packetizeFrame(media.CodecH264, fr, maxRTPPayload)
		if sent != len(fp.chunks) {
			t.Fatalf("frame %d: got %d packets sent, want %d", n, sent, len(fp.chunks))
		}
		wantPackets += sent
	}
	if len(fake.writes) != frames {
		t.Fatalf("got %d writes, want one per frame (%d)", len(fake.writes), frames)
	}

	var all []byte
	for _, w := range fake.writes {
		all = append(all, w...)
	}
	br := bufio.NewReader(bytes.NewReader(all))
	seq := firstSeq
	var lastTS uint32
	var srs []*rtcp.SenderReport
	frame := 0
	for {
		f, err := readInterleaved(br)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch f.channel {
		case 4:
			var pkt rtp.Packet
			if err := pkt.Unmarshal(f.data); err != nil {
				t.Fatal(err)
			}
			if pkt.SSRC != 0xdeadbeef || pkt.PayloadType != 96 || pkt.SequenceNumber != seq {
				t.Fatalf("packet: got ssrc %#x pt %d seq %d, want 0xdeadbeef 96 %d",
					pkt.SSRC, pkt.PayloadType, pkt.SequenceNumber, seq)
			}
			if frame > 0 && pkt.Timestamp-lastTS != 3600 && pkt.Timestamp != lastTS {
				t.Errorf("timestamp: got %d after %d, want the same or +3600", pkt.Timestamp, lastTS)
			}
			lastTS = pkt.Timestamp
			seq++
			if pkt.Marker {
				frame++
			}
		case 5:
			var sr rtcp.SenderReport
			if err := sr.Unmarshal(f.data); err != nil {
				t.Fatal(err)
			}
			srs = append(srs, &sr)
			if frame != 1 {
				t.Errorf("sender report after frame %d, want it behind the first frame", frame)
			}
			if sr.RTPTime != lastTS {
				t.Errorf("sender report RTP time: got %d, want the frame's %d", sr.RTPTime, lastTS)
			}
		default:
			t.Fatalf("got a frame on channel %d, want 4 or 5", f.channel)
		}
	}
	if frame != frames {
		t.Errorf("got %d marker bits, want %d", frame, frames)
	}
	if len(srs) != 1 {
		t.Fatalf("got %d sender reports, want 1 (the next is due in %v)", len(srs), senderReportPeriod)
	}
	sr := srs[0]
	fr0 := packetizeFrame(media.CodecH264, clipFrame(aus, 0, start), maxRTPPayload)
	if sr.SSRC != 0xdeadbeef || int(sr.PacketCount) != len(fr0.chunks) || int(sr.OctetCount) != fr0.payload {
		t.Errorf("sender report: got ssrc %#x, %d packets, %d octets, want 0xdeadbeef, %d, %d",
			sr.SSRC, sr.PacketCount, sr.OctetCount, len(fr0.chunks), fr0.payload)
	}
	if got := ntp.Decode(sr.NTPTime); got.Sub(start).Abs() > time.Millisecond {
		t.Errorf("sender report NTP time: got %v, want the frame's %v", got.UTC(), start)
	}
	if s := cc.stats(); s.Packets != uint64(wantPackets) {
		t.Errorf("conn stats: got %d packets, want %d", s.Packets, wantPackets)
	}
}

// rawPlay SETUPs the unicast stream over TCP on interleaved channels ch, ch+1 and PLAYs. It
// returns the SSRC of the SETUP response and the reader positioned after the PLAY response; it
// fails if anything but the response arrives first.
func rawPlay(t *testing.T, c net.Conn, addr string, ch int) (ssrc uint32, br *bufio.Reader) {
	t.Helper()
	br = bufio.NewReader(c)
	do := func(req string) *base.Response {
		if _, err := c.Write([]byte(req)); err != nil {
			t.Fatal(err)
		}
		var res base.Response
		if err := res.Unmarshal(br); err != nil {
			t.Fatalf("reading the response to %s: %v (RTP before the response?)", strings.Fields(req)[0], err)
		}
		if res.StatusCode != base.StatusOK {
			t.Fatalf("%s: got %d, want 200", strings.Fields(req)[0], res.StatusCode)
		}
		return &res
	}
	res := do(fmt.Sprintf("SETUP rtsp://%s/unicast/trackID=0 RTSP/1.0\r\nCSeq: 1\r\n"+
		"Transport: RTP/AVP/TCP;unicast;interleaved=%d-%d\r\n\r\n", addr, ch, ch+1))
	var th headers.Transport
	if err := th.Unmarshal(res.Header["Transport"]); err != nil || th.SSRC == nil {
		t.Fatalf("SETUP Transport %q: %v, want an ssrc", res.Header["Transport"], err)
	}
	var sess headers.Session
	if err := sess.Unmarshal(res.Header["Session"]); err != nil {
		t.Fatal(err)
	}
	do(fmt.Sprintf("PLAY rtsp://%s/unicast RTSP/1.0\r\nCSeq: 2\r\nSession: %s\r\n\r\n", addr, sess.Session))
	return *th.SSRC, br
}

// TestTCPFastPathOnTheWire plays with a raw client on channels 6-7: the PLAY response comes
// before any RTP, packets carry the SSRC of the SETUP response and continuous sequence numbers,
// the first frame is a keyframe, and a sender report with the same SSRC arrives.
func TestTCPFastPathOnTheWire(t *testing.T) {
	s, _ := startServer(t, Options{Hub: clipHub(t, noisyClip)})
	addr := s.Addr().String()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	ssrc, br := rawPlay(t, c, addr, 6)

	var seq uint16
	packets, frames, srs := 0, 0, 0
	for frames < 30 {
		f, err := readInterleaved(br)
		if err != nil {
			t.Fatalf("after %d packets: %v", packets, err)
		}
		switch f.channel {
		case 6:
			var pkt rtp.Packet
			if err := pkt.Unmarshal(f.data); err != nil {
				t.Fatal(err)
			}
			if pkt.SSRC != ssrc {
				t.Fatalf("got SSRC %#x, want the SETUP response's %#x", pkt.SSRC, ssrc)
			}
			if packets == 0 {
				if typ := pkt.Payload[0] & 0x1f; typ != 7 && typ != 5 && !(typ == 28 && pkt.Payload[1]&0x1f == 5) {
					t.Errorf("first packet: NAL type %d, want SPS or IDR", typ)
				}
			} else if pkt.SequenceNumber != seq+1 {
				t.Fatalf("packet %d: got seq %d, want %d", packets, pkt.SequenceNumber, seq+1)
			}
			seq = pkt.SequenceNumber
			packets++
			if pkt.Marker {
				frames++
			}
		case 7:
			var sr rtcp.SenderReport
			if err := sr.Unmarshal(f.data); err != nil {
				t.Fatalf("RTCP: %v", err)
			}
			if sr.SSRC != ssrc || sr.PacketCount == 0 {
				t.Errorf("sender report: got SSRC %#x, %d packets, want %#x and > 0", sr.SSRC, sr.PacketCount, ssrc)
			}
			srs++
		default:
			t.Fatalf("got a frame on channel %d, want 6 or 7", f.channel)
		}
	}
	if srs == 0 {
		t.Error("got no sender report, want one with the first frame")
	}
	// The feeder counts a frame after its write returned, which may be after the client read it.
	testutil.WaitWithin(t, 5*time.Second, "the stats to count 30 frames", func() bool { return s.Stats().Readers[0].Frames >= 30 })
	if r := s.Stats().Readers[0]; r.Overflows != 0 || r.Packets < uint64(packets) {
		t.Errorf("stats: got %d packets, %d overflows, want >= %d and 0", r.Packets, r.Overflows, packets)
	}
}

// TestTCPSessionOutlivesIdleTimeout plays over TCP for more than twice IdleTimeout: gortsplib must
// not end the session although no RTP passes through it (the client's keepalives keep it).
func TestTCPSessionOutlivesIdleTimeout(t *testing.T) {
	const idle = 2 * time.Second
	s, url := startServer(t, Options{Hub: h264Hub(t), IdleTimeout: idle})
	gc, err := dialClient(t, url+"/unicast")
	if err != nil {
		t.Fatal(err)
	}
	gc.timeToKeyframe(t)
	begin := time.Now()
	var before int
	check := time.NewTicker(250 * time.Millisecond)
	defer check.Stop()
	for time.Since(begin) < 2*idle+500*time.Millisecond {
		<-check.C
		aus, _, _ := gc.received()
		if st := s.Stats(); st.Playing != 1 {
			t.Fatalf("after %v: got %d playing sessions, want 1", time.Since(begin).Round(time.Millisecond), st.Playing)
		}
		if aus <= before {
			t.Fatalf("after %v: no new frames (%d)", time.Since(begin).Round(time.Millisecond), aus)
		}
		before = aus
	}
	if _, gaps, back := gc.received(); gaps != 0 || back != 0 {
		t.Errorf("got %d sequence gaps and %d timestamps going back, want 0 and 0", gaps, back)
	}
}

// pipeConnListener hands out the server ends of net.Pipe connections, which honour deadlines and
// block a write until the other end reads.
type pipeConnListener struct {
	*pipeListener
}

func (l *pipeConnListener) dial() net.Conn {
	server, client := net.Pipe()
	l.conns <- &addrConn{Conn: server}
	return client
}

// addrConn gives a pipe TCP addresses, which gortsplib expects.
type addrConn struct{ net.Conn }

func (c *addrConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}
func (c *addrConn) LocalAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8554} }

// TestStalledTCPReaderEndsSession: a client that stops reading blocks the fast path's write until
// WriteTimeout; the session then ends and frees its hub Reader.
func TestStalledTCPReaderEndsSession(t *testing.T) {
	hub := h264Hub(t)
	ln := &pipeConnListener{pipeListener: newPipeListener()}
	s, err := New(Options{Hub: hub, DisableUDP: true, Logger: discardLogger(), WriteTimeout: 200 * time.Millisecond,
		Listen: func(string, string) (net.Listener, error) { return ln, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := ln.dial()
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	rawPlay(t, c, "cam", 0)
	// Read nothing more.
	testutil.WaitWithin(t, 5*time.Second, "the hub reader to be taken", func() bool { return len(hub.Stats().Readers) == 1 })
	testutil.WaitWithin(t, 5*time.Second, "the stalled session to end", func() bool {
		return s.Stats().Sessions == 0 && len(hub.Stats().Readers) == 0
	})
}
