package rtsp

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/bluenviron/gortsplib/v5/pkg/description"
	"github.com/bluenviron/gortsplib/v5/pkg/liberrors"
	"github.com/pion/rtp"

	"github.com/freecam/freecam/internal/media"
	"github.com/freecam/freecam/internal/stream"
)

// packetWriter is where a feeder's packets go: a *gortsplib.ServerStream.
type packetWriter interface {
	WritePacketRTPWithNTP(medi *description.Media, pkt *rtp.Packet, ntp time.Time) error
}

// feeder moves frames from one hub Reader into one outgoing RTP stream: through gortsplib (pk,
// w: UDP, multicast) or, for a TCP session, straight into its connection (tcp). It keeps the
// stream's sequence numbers and clock, so a session that pauses and plays again continues both.
// run is used by one goroutine at a time; the counters may be read from any.
type feeder struct {
	pk   *packetizer
	medi *description.Media
	w    packetWriter

	// tcp, when set, is the fast path; ready (set before each run) is closed when the PLAY
	// response is out, and onWriteError ends the session after a failed write.
	tcp          *tcpSender
	ready        <-chan struct{}
	onWriteError func(error)
	// overflow is raised (by OnStreamWriteError, on the feeder's own goroutine, inside
	// WritePacketRTP) when the session's write queue was full and the packet was not queued.
	overflow *atomic.Bool
	waitKey  bool

	frames    atomic.Uint64 // access units written
	packets   atomic.Uint64 // RTP packets written
	overflows atomic.Uint64 // times a packet did not fit the write queue (then resync)
	skipped   atomic.Uint64 // frames not sent: waiting for a keyframe, or not packetizable
}

// run writes frames from r until ctx ends, r is closed or the stream is closed.
func (f *feeder) run(ctx context.Context, r *stream.Reader) {
	f.waitKey = true // a stream must start on a keyframe, whatever came before
	if f.tcp != nil {
		f.tcp.srPending = true // a fresh sender report for the player at every PLAY
		if f.ready != nil {
			select {
			case <-f.ready:
			case <-ctx.Done():
				return
			}
		}
	}
	for {
		fr, err := r.Read(ctx)
		if err != nil {
			return
		}
		if f.tcp != nil {
			err = f.writeFrameTCP(fr)
		} else {
			err = f.writeFrame(fr)
		}
		if err != nil {
			return
		}
	}
}

// writeFrameTCP sends one access unit on the fast path. A write error ends the session: the
// connection is unusable (a frame may have been cut), so it returns the error after telling the
// session.
func (f *feeder) writeFrameTCP(fr *media.Frame) error {
	if f.waitKey {
		if !fr.Key {
			f.skipped.Add(1)
			return nil
		}
		f.waitKey = false
	}
	n, err := f.tcp.writeFrame(fr)
	if err != nil {
		if f.onWriteError != nil {
			f.onWriteError(err)
		}
		return err
	}
	if n == 0 {
		f.skipped.Add(1)
		return nil
	}
	f.frames.Add(1)
	f.packets.Add(uint64(n))
	return nil
}

// writeFrame sends one access unit. It returns an error only when the stream is gone.
func (f *feeder) writeFrame(fr *media.Frame) error {
	if f.waitKey {
		if !fr.Key {
			f.skipped.Add(1)
			return nil
		}
		f.waitKey = false
	}
	pkts, err := f.pk.packetize(fr)
	if err != nil {
		f.skipped.Add(1)
		return nil
	}
	ntp := fr.Time
	if ntp.IsZero() {
		ntp = time.Now()
	}
	for i, pkt := range pkts {
		err := f.w.WritePacketRTPWithNTP(f.medi, pkt, ntp)
		if err == nil && f.overflow != nil && f.overflow.Swap(false) {
			err = liberrors.ErrServerWriteQueueFull{}
		}
		if err != nil {
			if errors.As(err, new(liberrors.ErrServerStreamClosed)) {
				return err
			}
			// The packet was not queued. Continue the sequence from it so the player sees no
			// gap, and skip to the next keyframe: the rest of this picture is lost anyway.
			f.packets.Add(uint64(i))
			f.overflows.Add(1)
			f.waitKey = true
			if rerr := f.pk.restart(pkt.SequenceNumber); rerr != nil {
				return rerr
			}
			return nil
		}
	}
	f.frames.Add(1)
	f.packets.Add(uint64(len(pkts)))
	return nil
}
