package rtsp

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"
)

// countingConn is a net.Conn that records every Write and the last write deadline.
type countingConn struct {
	net.Conn // nil: only the methods below are used
	writes   [][]byte
	deadline time.Time
	err      error
}

func (c *countingConn) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

func (c *countingConn) SetWriteDeadline(t time.Time) error {
	c.deadline = t
	return nil
}

// interleaved frames an RTP packet (or anything) the way gortsplib does: '$', channel, length.
func interleaved(ch byte, payload []byte) []byte {
	return append([]byte{'$', ch, byte(len(payload) >> 8), byte(len(payload))}, payload...)
}

func rtpPacket(marker bool, size int) []byte {
	p := make([]byte, 12+size)
	p[0] = 0x80 // version 2
	p[1] = 96
	if marker {
		p[1] |= 0x80
	}
	return p
}

func rtcpSenderReport() []byte {
	p := make([]byte, 28)
	p[0], p[1] = 0x80, 200
	return p
}

func TestCoalescingConn(t *testing.T) {
	response := []byte("RTSP/1.0 200 OK\r\nCSeq: 5\r\n\r\n")
	tests := []struct {
		name   string
		max    int
		writes [][]byte
		want   []int // sizes of the underlying writes
	}{
		{
			name:   "access unit leaves in one write",
			writes: [][]byte{interleaved(0, rtpPacket(false, 100)), interleaved(0, rtpPacket(false, 100)), interleaved(0, rtpPacket(true, 50))},
			want:   []int{116 + 116 + 66},
		},
		{
			name:   "single-packet frames are written at once",
			writes: [][]byte{interleaved(0, rtpPacket(true, 10)), interleaved(0, rtpPacket(true, 10))},
			want:   []int{26, 26},
		},
		{
			name:   "a response flushes held packets first",
			writes: [][]byte{interleaved(0, rtpPacket(false, 100)), response},
			want:   []int{116, len(response)},
		},
		{
			name:   "RTCP flushes held packets first",
			writes: [][]byte{interleaved(0, rtpPacket(false, 100)), interleaved(1, rtcpSenderReport()), interleaved(0, rtpPacket(true, 1))},
			want:   []int{116, 32, 17},
		},
		{
			name:   "RTCP on the RTP channel is not held",
			writes: [][]byte{interleaved(0, rtcpSenderReport())},
			want:   []int{32},
		},
		{
			name:   "an unknown channel passes through",
			writes: [][]byte{interleaved(0, rtpPacket(false, 10)), interleaved(4, rtpPacket(false, 10))},
			want:   []int{26, 26},
		},
		{
			name:   "a write that is not exactly one frame passes through",
			writes: [][]byte{append(interleaved(0, rtpPacket(false, 10)), interleaved(0, rtpPacket(false, 10))...)},
			want:   []int{52},
		},
		{
			name:   "the buffer is bounded",
			max:    200,
			writes: [][]byte{interleaved(0, rtpPacket(false, 100)), interleaved(0, rtpPacket(false, 100)), interleaved(0, rtpPacket(false, 100)), interleaved(0, rtpPacket(true, 100))},
			want:   []int{232, 232},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &countingConn{}
			maxHeld := tt.max
			if maxHeld == 0 {
				maxHeld = 1 << 20
			}
			c := newCoalescingConn(fake, maxHeld)
			c.addRTPChannel(0)
			var sent []byte
			for _, w := range tt.writes {
				n, err := c.Write(w)
				if err != nil || n != len(w) {
					t.Fatalf("Write: got (%d, %v), want (%d, nil)", n, err, len(w))
				}
				sent = append(sent, w...)
			}
			if err := c.Flush(); err != nil {
				t.Fatal(err)
			}
			var got []int
			var out []byte
			for _, w := range fake.writes {
				got = append(got, len(w))
				out = append(out, w...)
			}
			if !equalInts(got, tt.want) {
				t.Errorf("underlying writes: got sizes %v, want %v", got, tt.want)
			}
			if !bytes.Equal(out, sent) {
				t.Errorf("bytes on the wire differ from bytes written (got %d, want %d bytes)", len(out), len(sent))
			}
			if s := c.stats(); s.Writes != uint64(len(tt.want)) {
				t.Errorf("stats: got %d writes, want %d", s.Writes, len(tt.want))
			}
		})
	}
}

func TestCoalescingConnPassesDeadlineAndErrors(t *testing.T) {
	fake := &countingConn{}
	c := newCoalescingConn(fake, 1<<20)
	c.addRTPChannel(2)
	d := time.Now().Add(time.Second)
	if err := c.SetWriteDeadline(d); err != nil {
		t.Fatal(err)
	}
	if !fake.deadline.Equal(d) {
		t.Errorf("deadline: got %v, want %v", fake.deadline, d)
	}

	if _, err := c.Write(interleaved(2, rtpPacket(false, 10))); err != nil {
		t.Fatalf("held write: got %v, want nil", err)
	}
	broken := errors.New("broken pipe")
	fake.err = broken
	if _, err := c.Write(interleaved(2, rtpPacket(true, 10))); !errors.Is(err, broken) {
		t.Fatalf("flushing write: got %v, want %v", err, broken)
	}
	fake.err = nil
	if _, err := c.Write([]byte("RTSP/1.0 200 OK\r\n\r\n")); !errors.Is(err, broken) {
		t.Errorf("write after a failure: got %v, want the first error %v", err, broken)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRTPClockIsMonotonic(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		pts  []time.Duration
		want []int64 // ticks after the offset
	}{
		{"25 fps", []time.Duration{0, 40 * ms, 80 * ms}, []int64{0, 3600, 7200}},
		{"restart on an older GOP keeps the spacing", []time.Duration{0, 40 * ms, 80 * ms, 0, 40 * ms}, []int64{0, 3600, 7200, 7201, 10801}},
		{"repeated pts", []time.Duration{40 * ms, 40 * ms}, []int64{3600, 3601}},
		{"long uptime does not overflow", []time.Duration{1000 * time.Hour, 1000*time.Hour + 40*ms}, []int64{324000000000, 324000003600}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := rtpClock{offset: 1000}
			for i, pts := range tt.pts {
				got := c.timestamp(pts)
				if want := 1000 + uint32(tt.want[i]); got != want {
					t.Errorf("frame %d (pts %v): got %d, want %d", i, pts, got, want)
				}
			}
		})
	}
}
