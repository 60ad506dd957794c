package rtsp

import (
	"bytes"
	"net"
	"sync"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/description"
	"github.com/bluenviron/gortsplib/v5/pkg/format"
)

// multicastGroup is the one shared stream on path "multicast": every multicast session reads the
// same packets, sent once to MULTICASTDEST by one feeder with one hub Reader. The feeder runs
// while at least one session plays; a viewer that joins mid-GOP waits for the next keyframe.
type multicastGroup struct {
	s    *Server
	ip   net.IP
	port int

	mu      sync.Mutex
	stream  *gortsplib.ServerStream
	medi    *description.Media
	forma   format.Format
	fd      *feeder
	players int
	run     *feedRun
}

// ensureStream returns the shared stream, creating it on first use (the SDP needs the hub's
// parameters) and refreshing its H.264 parameters for later DESCRIBEs.
func (g *multicastGroup) ensureStream() (*gortsplib.ServerStream, *description.Media, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stream != nil {
		if h, ok := g.forma.(*format.H264); ok {
			sps, pps := g.s.opts.Hub.H264Params()
			if !bytes.Equal(sps, h.SPS) || !bytes.Equal(pps, h.PPS) {
				h.SafeSetParams(sps, pps) //nolint:staticcheck // the lock keeps gortsplib's readers safe
				g.stream.ReloadDesc()
			}
		}
		return g.stream, g.medi, nil
	}
	forma := g.s.format()
	medi := &description.Media{Type: description.MediaTypeVideo, Formats: []format.Format{forma}}
	st := &gortsplib.ServerStream{
		Server: g.s.gs,
		Desc:   &description.Session{Medias: []*description.Media{medi}},
		MulticastParams: map[*description.Media]gortsplib.StreamMediaMulticastParams{
			medi: {IP: g.ip, RTPPort: g.port, RTCPPort: g.port + 1},
		},
	}
	if err := st.Initialize(); err != nil {
		return nil, nil, err
	}
	pk, err := newPacketizer(forma)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	g.stream, g.medi, g.forma = st, medi, forma
	g.fd = &feeder{pk: pk, medi: medi, w: st}
	return st, medi, nil
}

// addPlayer counts a playing session and starts the feeder for the first.
func (g *multicastGroup) addPlayer() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.players++
	if g.run == nil && g.fd != nil {
		g.run = g.s.startFeed("rtsp multicast "+g.ip.String(), g.fd)
	}
}

// removePlayer uncounts a session and stops the feeder after the last.
func (g *multicastGroup) removePlayer() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.players--
	if g.players <= 0 && g.run != nil {
		g.players = 0
		g.run.stop()
		g.run = nil
	}
}

// close stops the feeder and closes the stream. Called by Server.Close after gortsplib closed.
func (g *multicastGroup) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.run != nil {
		g.run.stop()
		g.run = nil
	}
	if g.stream != nil {
		g.stream.Close()
	}
}
