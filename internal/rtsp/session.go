package rtsp

import (
	"sync"
	"sync/atomic"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/description"
	"github.com/bluenviron/gortsplib/v5/pkg/headers"
)

// session is freecam's state for one RTSP session that has been SETUP. For unicast it owns a
// ServerStream and a feeder; for multicast it shares the group's.
//
// Lifecycle: SETUP creates it (and, for unicast, its stream); the response to a successful PLAY
// starts its feeder goroutine with a new hub Reader; PAUSE stops the goroutine and closes the
// Reader, keeping the stream's sequence numbers and clock for the next PLAY; TEARDOWN, a lost
// connection, a timeout or Close end the gortsplib session, and OnSessionClose stops the feeder
// and closes the stream.
type session struct {
	s         *Server
	ss        *gortsplib.ServerSession
	remote    string
	multicast bool
	transport string
	stream    *gortsplib.ServerStream
	medi      *description.Media
	fd        *feeder // unicast only

	overflow atomic.Bool // the session's write queue was full (see feeder.overflow)

	mu          sync.Mutex
	pendingPlay bool     // PLAY accepted; the feeder starts when its response goes out
	playing     bool     // counted in the multicast group, or run != nil
	run         *feedRun // unicast feeder goroutine while playing
	lastRun     *feedRun // for Stats after a PAUSE
}

// sessionOf returns the state attached to ss at SETUP, or nil.
func sessionOf(ss *gortsplib.ServerSession) *session {
	if ss == nil {
		return nil
	}
	sess, _ := ss.UserData().(*session)
	return sess
}

// startIfPending starts playing after the PLAY response has been produced: gortsplib has then
// marked the session active on its stream, so no packet is written into the void.
func (sess *session) startIfPending() {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if !sess.pendingPlay {
		return
	}
	sess.pendingPlay = false
	if sess.playing {
		return // a second PLAY while playing
	}
	if sess.multicast {
		sess.s.mcast.addPlayer()
		sess.playing = true
		return
	}
	run := sess.s.startFeed("rtsp "+sess.remote, sess.fd)
	if run == nil {
		return // closing
	}
	sess.run, sess.lastRun, sess.playing = run, run, true
}

// stopPlaying stops the feeder (unicast) or leaves the group's players (multicast). It waits
// for the feeder goroutine to end, which frees its hub Reader.
func (sess *session) stopPlaying() {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	sess.pendingPlay = false
	if !sess.playing {
		return
	}
	sess.playing = false
	if sess.multicast {
		sess.s.mcast.removePlayer()
		return
	}
	sess.run.stop()
	sess.run = nil
}

// setInterleaved records the interleaved channels of a TCP session from its SETUP response.
func (sess *session) setInterleaved(rtp, rtcp int) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.fd == nil || sess.fd.tcp == nil || sess.playing || rtp < 0 || rtp > 255 || rtcp < 0 || rtcp > 255 {
		return
	}
	sess.fd.tcp.channel, sess.fd.tcp.rtcpChannel = uint8(rtp), uint8(rtcp)
}

// prepareTCPPlay readies the fast path of a TCP session whose PLAY response res is about to be
// written on sc: the feeder will write on sc's connection once the response is out, and RTP-Info
// announces the sequence number it continues with (gortsplib knows none, it sends no RTP here).
// A connection that is not ours (an HTTP tunnel) falls back to gortsplib's path.
func (sess *session) prepareTCPPlay(sc *gortsplib.ServerConn, res *base.Response) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if !sess.pendingPlay || sess.playing || sess.fd == nil || sess.fd.tcp == nil {
		return
	}
	cc, ok := sc.NetConn().(*coalescingConn)
	if !ok {
		sess.fd.tcp = nil
		return
	}
	sess.fd.tcp.conn = cc
	sess.fd.ready = cc.notifyAfterNextWrite()
	if v, ok := res.Header["RTP-Info"]; ok {
		var info headers.RTPInfo
		if info.Unmarshal(v) == nil && len(info) == 1 {
			seq := sess.fd.tcp.seq
			info[0].SequenceNumber = &seq
			info[0].Timestamp = nil // the clock continues from the next frame's PTS
			res.Header["RTP-Info"] = info.Marshal()
		}
	}
}
