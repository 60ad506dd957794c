package rtsp

import (
	"github.com/freecam/freecam/internal/stream"
)

// Stats is a snapshot of the server's sessions and connections.
type Stats struct {
	Sessions int           // RTSP sessions that have been SETUP
	Playing  int           // of which are playing
	Readers  []ReaderStats // one per session
	Conns    []ConnStats   // one per TCP connection
}

// ReaderStats are one session's counters.
type ReaderStats struct {
	Remote    string // client address
	Transport string // "TCP", "UDP" or "UDP-multicast"
	Playing   bool
	// Hub is the session's current (or last) hub Reader: delivered, dropped, resyncs. Multicast
	// sessions share one Reader, which is not repeated here.
	Hub     stream.ReaderStats
	Frames  uint64 // access units sent
	Packets uint64 // RTP packets sent
	// Overflows counts the times gortsplib's write queue (UDP) was full and the session skipped
	// to a keyframe. A slow TCP reader shows up in Hub instead: its Reader drops and resyncs.
	Overflows uint64
	Skipped   uint64 // frames not sent while waiting for a keyframe
}

// ConnStats are one connection's write counters: Writes is the number of write calls on the
// socket, Packets the RTP packets that went through the coalescing buffer.
type ConnStats struct {
	Remote  string
	Writes  uint64
	Packets uint64
}

// Stats returns the current counters. It is safe to call from any goroutine.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	sessions := make([]*session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		sessions = append(sessions, sess)
	}
	var st Stats
	for sc, cc := range s.conns {
		cs := cc.stats()
		st.Conns = append(st.Conns, ConnStats{
			Remote:  sc.NetConn().RemoteAddr().String(),
			Writes:  cs.Writes,
			Packets: cs.Packets,
		})
	}
	s.mu.Unlock()

	st.Sessions = len(sessions)
	for _, sess := range sessions {
		rs := ReaderStats{Remote: sess.remote, Transport: sess.transport}
		sess.mu.Lock()
		rs.Playing = sess.playing
		if sess.lastRun != nil {
			rs.Hub = sess.lastRun.reader.Stats()
		}
		sess.mu.Unlock()
		if rs.Playing {
			st.Playing++
		}
		if fd := sess.fd; fd != nil {
			rs.Frames = fd.frames.Load()
			rs.Packets = fd.packets.Load()
			rs.Overflows = fd.overflows.Load()
			rs.Skipped = fd.skipped.Load()
		}
		st.Readers = append(st.Readers, rs)
	}
	return st
}
