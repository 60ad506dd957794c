package rtsp

import (
	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/base"
	"github.com/bluenviron/gortsplib/v5/pkg/description"
	"github.com/bluenviron/gortsplib/v5/pkg/format"
	"github.com/bluenviron/gortsplib/v5/pkg/headers"
	"github.com/bluenviron/gortsplib/v5/pkg/liberrors"
)

// handler receives gortsplib's callbacks. It is a separate type so they stay out of Server's API.
// gortsplib calls them from its connection and session goroutines.
type handler struct {
	s *Server
}

var (
	_ gortsplib.ServerHandlerOnConnOpen         = (*handler)(nil)
	_ gortsplib.ServerHandlerOnConnClose        = (*handler)(nil)
	_ gortsplib.ServerHandlerOnSessionClose     = (*handler)(nil)
	_ gortsplib.ServerHandlerOnDescribe         = (*handler)(nil)
	_ gortsplib.ServerHandlerOnSetup            = (*handler)(nil)
	_ gortsplib.ServerHandlerOnPlay             = (*handler)(nil)
	_ gortsplib.ServerHandlerOnPause            = (*handler)(nil)
	_ gortsplib.ServerHandlerOnResponse         = (*handler)(nil)
	_ gortsplib.ServerHandlerOnStreamWriteError = (*handler)(nil)
)

func status(code base.StatusCode) *base.Response {
	return &base.Response{StatusCode: code}
}

func (h *handler) OnConnOpen(ctx *gortsplib.ServerHandlerOnConnOpenCtx) {
	if cc, ok := ctx.Conn.NetConn().(*coalescingConn); ok {
		h.s.mu.Lock()
		h.s.conns[ctx.Conn] = cc
		h.s.mu.Unlock()
	}
	h.s.opts.Logger.Debug("rtsp conn opened", "remote", ctx.Conn.NetConn().RemoteAddr().String())
}

func (h *handler) OnConnClose(ctx *gortsplib.ServerHandlerOnConnCloseCtx) {
	h.s.mu.Lock()
	delete(h.s.conns, ctx.Conn)
	h.s.mu.Unlock()
	h.s.opts.Logger.Debug("rtsp conn closed", "remote", ctx.Conn.NetConn().RemoteAddr().String(),
		"reason", ctx.Error)
}

func (h *handler) OnSessionClose(ctx *gortsplib.ServerHandlerOnSessionCloseCtx) {
	sess := sessionOf(ctx.Session)
	if sess == nil {
		return
	}
	h.s.mu.Lock()
	delete(h.s.sessions, ctx.Session)
	h.s.mu.Unlock()
	sess.stopPlaying()
	if !sess.multicast {
		sess.stream.Close()
	}
	h.s.opts.Logger.Info("rtsp session closed", "remote", sess.remote, "transport", sess.transport,
		"reason", ctx.Error)
}

func (h *handler) OnDescribe(ctx *gortsplib.ServerHandlerOnDescribeCtx) (*base.Response, *gortsplib.ServerStream, error) {
	if !h.s.authorize(ctx.Conn, ctx.Request) {
		return status(base.StatusUnauthorized), nil, liberrors.ErrServerAuth{}
	}
	rt := h.s.route(ctx.Path)
	if rt == routeNone {
		return status(base.StatusNotFound), nil, nil
	}
	if !h.s.waitReady() {
		return status(base.StatusServiceUnavailable), nil, nil
	}
	if rt == routeMulticast {
		st, _, err := h.s.mcast.ensureStream()
		if err != nil {
			return status(base.StatusInternalServerError), nil, err
		}
		return status(base.StatusOK), st, nil
	}
	body, err := h.s.sdp()
	if err != nil {
		return status(base.StatusInternalServerError), nil, err
	}
	return &base.Response{StatusCode: base.StatusOK, Body: body}, nil, nil
}

func (h *handler) OnSetup(ctx *gortsplib.ServerHandlerOnSetupCtx) (*base.Response, *gortsplib.ServerStream, error) {
	if ctx.Session.State() == gortsplib.ServerSessionStatePreRecord {
		return status(base.StatusBadRequest), nil, nil // nobody publishes to a camera
	}
	if !h.s.authorize(ctx.Conn, ctx.Request) {
		return status(base.StatusUnauthorized), nil, liberrors.ErrServerAuth{}
	}
	rt := h.s.route(ctx.Path)
	if rt == routeNone {
		return status(base.StatusNotFound), nil, nil
	}
	isMulticast := ctx.Transport.Protocol == gortsplib.ProtocolUDPMulticast
	if isMulticast != (rt == routeMulticast) {
		return status(base.StatusUnsupportedTransport), nil, nil
	}
	if sess := sessionOf(ctx.Session); sess != nil {
		return status(base.StatusOK), sess.stream, nil // a further SETUP of the same session
	}
	if !h.s.waitReady() {
		return status(base.StatusServiceUnavailable), nil, nil
	}

	sess := &session{
		s:         h.s,
		ss:        ctx.Session,
		remote:    ctx.Conn.NetConn().RemoteAddr().String(),
		multicast: isMulticast,
		transport: ctx.Transport.Protocol.String(),
	}
	if isMulticast {
		st, medi, err := h.s.mcast.ensureStream()
		if err != nil {
			return status(base.StatusInternalServerError), nil, err
		}
		sess.stream, sess.medi = st, medi
	} else {
		_, coalescing := ctx.Conn.NetConn().(*coalescingConn)
		fast := ctx.Transport.Protocol == gortsplib.ProtocolTCP &&
			ctx.Transport.Profile == headers.TransportProfileAVP && coalescing
		if err := h.s.newUnicastStream(sess, fast); err != nil {
			return status(base.StatusInternalServerError), nil, err
		}
	}

	h.s.mu.Lock()
	closed := h.s.closed
	if !closed {
		h.s.sessions[ctx.Session] = sess
	}
	h.s.mu.Unlock()
	if closed {
		if !isMulticast {
			sess.stream.Close()
		}
		return status(base.StatusServiceUnavailable), nil, nil
	}
	ctx.Session.SetUserData(sess)
	h.s.opts.Logger.Info("rtsp session setup", "remote", sess.remote, "transport", sess.transport,
		"path", ctx.Path)
	return status(base.StatusOK), sess.stream, nil
}

// newUnicastStream gives sess its own ServerStream and feeder. With tcp, the feeder takes the
// TCP fast path (see tcpsender.go); gortsplib still needs the stream for SETUP and PLAY, and its
// SSRC, which the SETUP response announces, is the one the fast path sends.
func (s *Server) newUnicastStream(sess *session, tcp bool) error {
	forma := s.format()
	medi := &description.Media{Type: description.MediaTypeVideo, Formats: []format.Format{forma}}
	st := &gortsplib.ServerStream{Server: s.gs, Desc: &description.Session{Medias: []*description.Media{medi}}}
	if err := st.Initialize(); err != nil {
		return err
	}
	pk, err := newPacketizer(forma)
	if err != nil {
		st.Close()
		return err
	}
	fd := &feeder{pk: pk, medi: medi, w: st, overflow: &sess.overflow}
	if tcp {
		ssrc := st.Stats().Medias[medi].Formats[forma].LocalSSRC
		fd.tcp, err = newTCPSender(s.packets, &s.frameBufs, ssrc, forma.PayloadType())
		if err != nil {
			st.Close()
			return err
		}
		fd.tcp.timeout = s.opts.WriteTimeout
		ss := sess.ss
		fd.onWriteError = func(error) { ss.Close() }
	}
	sess.stream, sess.medi, sess.fd = st, medi, fd
	return nil
}

func (h *handler) OnPlay(ctx *gortsplib.ServerHandlerOnPlayCtx) (*base.Response, error) {
	if !h.s.authorize(ctx.Conn, ctx.Request) {
		return status(base.StatusUnauthorized), liberrors.ErrServerAuth{}
	}
	sess := sessionOf(ctx.Session)
	if sess == nil {
		return status(base.StatusSessionNotFound), nil
	}
	sess.mu.Lock()
	sess.pendingPlay = true
	sess.mu.Unlock()
	return status(base.StatusOK), nil
}

func (h *handler) OnPause(ctx *gortsplib.ServerHandlerOnPauseCtx) (*base.Response, error) {
	if sess := sessionOf(ctx.Session); sess != nil {
		sess.stopPlaying()
	}
	return status(base.StatusOK), nil
}

// OnResponse is called on the connection goroutine after a request was handled and before its
// response is written. It learns the interleaved RTP channel from SETUP responses, and starts
// playing after a successful PLAY.
func (h *handler) OnResponse(sc *gortsplib.ServerConn, res *base.Response) {
	if v, ok := res.Header["Transport"]; ok && res.StatusCode == base.StatusOK {
		var th headers.Transport
		if th.Unmarshal(v) == nil && th.InterleavedIDs != nil {
			if cc, ok := sc.NetConn().(*coalescingConn); ok {
				cc.addRTPChannel(th.InterleavedIDs[0])
			}
			if sess := sessionOf(sc.Session()); sess != nil {
				sess.setInterleaved(th.InterleavedIDs[0], th.InterleavedIDs[1])
			}
		}
	}
	if res.StatusCode == base.StatusOK {
		if ss := sc.Session(); ss != nil && ss.State() == gortsplib.ServerSessionStatePlay {
			if sess := sessionOf(ss); sess != nil {
				sess.prepareTCPPlay(sc, res)
				sess.startIfPending()
			}
		}
	}
}

// OnStreamWriteError is called on the feeder's goroutine, inside WritePacketRTP, when a packet
// did not fit the session's write queue. It only raises a flag: nothing per packet is logged.
func (h *handler) OnStreamWriteError(ctx *gortsplib.ServerHandlerOnStreamWriteErrorCtx) {
	if sess := sessionOf(ctx.Session); sess != nil {
		sess.overflow.Store(true)
	}
}
