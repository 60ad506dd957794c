package rtsp

import (
	"sync"
	"sync/atomic"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/description"
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
