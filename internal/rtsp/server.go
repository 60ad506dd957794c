// Package rtsp serves the hub's stream over RTSP with gortsplib: the firmware's
// rtsp://HOST:8554/unicast (and /multicast when MULTICASTDEST is set), with Basic/Digest
// authentication.
//
// Every playing unicast session is fed by its own hub Reader on its own goroutine, with its own
// RTP sequence numbers and 90 kHz clock. A new reader therefore starts at once on the hub's cached
// GOP, and a slow one skips to the next keyframe without a gap in its sequence numbers. Sessions
// with RTP over the RTSP connection (TCP, what NVRs and Home Assistant use) take a fast path
// (tcpsender.go): each frame is packetized once for all of them, and each writes its frame with
// one write() straight into its connection. UDP sessions go through their own gortsplib
// ServerStream, and connections are wrapped so that gortsplib's RTP packets of one access unit
// also leave with one write() when it writes interleaved.
//
// The package does not encode, read configuration files or decide who may log in beyond the two
// hooks in Options.
package rtsp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/bluenviron/gortsplib/v5"
	"github.com/bluenviron/gortsplib/v5/pkg/auth"

	"github.com/freecam/freecam/internal/stream"
)

// Server is an RTSP server for one hub. Start, Close and Stats are safe for concurrent use.
type Server struct {
	opts Options

	gs     *gortsplib.Server
	ctx    context.Context // ends at Close: stops feeders and pending DESCRIBE waits
	cancel context.CancelFunc
	wg     sync.WaitGroup // feeder goroutines
	mcast  *multicastGroup

	// The TCP fast path's shared state: each frame's packets, made once, and output buffers.
	packets   *packetCache
	frameBufs sync.Pool // *[]byte

	mu       sync.Mutex
	started  bool
	closed   bool
	sessions map[*gortsplib.ServerSession]*session
	conns    map[*gortsplib.ServerConn]*coalescingConn
}

// New validates opts and returns a Server. It starts nothing.
func New(opts Options) (*Server, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:     o,
		sessions: make(map[*gortsplib.ServerSession]*session),
		conns:    make(map[*gortsplib.ServerConn]*coalescingConn),
		packets:  newPacketCache(o.Codec),
	}
	s.frameBufs.New = func() any { return new([]byte) }
	if o.MulticastDest != "" {
		ip, port, _ := parseMulticastDest(o.MulticastDest) // validated above
		s.mcast = &multicastGroup{s: s, ip: ip, port: port}
	}
	return s, nil
}

// Start listens and serves until Close. It fails if a port is taken, e.g.
// "rtsp: listen :8554: address already in use". A Server is started at most once.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closed {
		return errors.New("rtsp: server already started")
	}
	o := &s.opts
	s.ctx, s.cancel = context.WithCancel(context.Background())

	tcpTried := false
	gs := &gortsplib.Server{
		Handler:        &handler{s: s},
		RTSPAddress:    o.Address,
		WriteQueueSize: o.WriteQueueSize,
		WriteTimeout:   o.WriteTimeout,
		IdleTimeout:    o.IdleTimeout,
		AuthMethods:    []auth.VerifyMethod{auth.VerifyMethodBasic},
		Listen: func(network, address string) (net.Listener, error) {
			tcpTried = true
			ln, err := o.Listen(network, address)
			if err != nil {
				return nil, err
			}
			return &coalescingListener{Listener: ln, max: o.MaxCoalesce}, nil
		},
	}
	if o.Username != "" {
		// Digest needs the plain password, which only the rtspserver.conf account has.
		gs.AuthMethods = append(gs.AuthMethods, auth.VerifyMethodDigestMD5)
	}
	if !o.DisableUDP {
		host, _, err := net.SplitHostPort(o.Address)
		if err != nil {
			s.cancel()
			return fmt.Errorf("rtsp: address %q: %w", o.Address, err)
		}
		gs.UDPRTPAddress = net.JoinHostPort(host, strconv.Itoa(o.UDPRTPPort))
		gs.UDPRTCPAddress = net.JoinHostPort(host, strconv.Itoa(o.UDPRTCPPort))
	}
	if s.mcast != nil {
		gs.MulticastIPRange = s.mcast.ip.String() + "/32"
		gs.MulticastRTPPort = s.mcast.port
		gs.MulticastRTCPPort = s.mcast.port + 1
	}
	if err := gs.Start(); err != nil {
		s.cancel()
		switch {
		case !tcpTried && !o.DisableUDP:
			return fmt.Errorf("rtsp: listen UDP %d/%d: %w", o.UDPRTPPort, o.UDPRTCPPort, err)
		case errors.Is(err, syscall.EADDRINUSE):
			return fmt.Errorf("rtsp: listen %s: %w", o.Address, syscall.EADDRINUSE)
		default:
			return fmt.Errorf("rtsp: listen %s: %w", o.Address, err)
		}
	}
	s.gs = gs
	s.started = true
	o.Logger.Info("rtsp server listening", "addr", gs.NetListener().Addr().String(),
		"path", "/"+o.Path, "codec", o.Codec.String(), "udp", !o.DisableUDP,
		"multicast", o.MulticastDest, "auth", o.authEnabled())
	return nil
}

// Addr is the address the RTSP listener is bound to, or nil before Start.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gs == nil {
		return nil
	}
	return s.gs.NetListener().Addr()
}

// Close disconnects every client, stops every goroutine the server started and waits for them.
// It is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	gs := s.gs
	s.mu.Unlock()
	if gs == nil {
		return // never started
	}
	s.cancel()
	gs.Close() // closes sessions; OnSessionClose stops their feeders
	if s.mcast != nil {
		s.mcast.close()
	}
	s.wg.Wait()
}

// feedRun is one feeder goroutine with its hub Reader.
type feedRun struct {
	reader *stream.Reader
	cancel context.CancelFunc
	done   chan struct{}
}

// startFeed starts a goroutine that moves frames from a new hub Reader into fd. It returns nil
// when the server is closing.
func (s *Server) startFeed(name string, fd *feeder) *feedRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	ctx, cancel := context.WithCancel(s.ctx)
	run := &feedRun{reader: s.opts.Hub.NewReader(name), cancel: cancel, done: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(run.done)
		defer run.reader.Close()
		fd.run(ctx, run.reader)
	}()
	return run
}

// stop ends the goroutine and waits for it; the hub Reader is closed on its way out.
func (r *feedRun) stop() {
	r.cancel()
	<-r.done
}

// route tells which stream a request path names.
type route int

const (
	routeNone route = iota
	routeUnicast
	routeMulticast
)

func (s *Server) route(path string) route {
	switch p := strings.Trim(path, "/"); {
	case p == s.opts.Path:
		return routeUnicast
	case p == multicastPath && s.mcast != nil:
		return routeMulticast
	}
	return routeNone
}
