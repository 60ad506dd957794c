package discovery

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/ipv4"
)

// maxDatagram is the largest datagram looked at; a longer one is dropped unread.
const maxDatagram = 64 << 10

// writeTimeout bounds every send.
const writeTimeout = time.Second

// Run answers WS-Discovery on o.Port until ctx ends. It binds the port (with SO_REUSEADDR) and
// returns the bind error at once if it cannot; then it joins o.Group on the interfaces, sends
// Hello on each, answers matching Probes (and Resolves for o.EndpointUUID) with a unicast
// ProbeMatches/ResolveMatches after a random delay up to o.MaxDelay, re-scans the interfaces
// every 30 s (joining and announcing new ones), and when ctx ends sends Bye on every joined
// interface and returns nil. It blocks; every goroutine it starts has ended when it returns.
func Run(ctx context.Context, o Options) error {
	o, err := o.withDefaults()
	if err != nil {
		return err
	}
	lc := net.ListenConfig{Control: reuseAddr}
	pc, err := lc.ListenPacket(ctx, "udp4", net.JoinHostPort("0.0.0.0", strconv.Itoa(o.Port)))
	if err != nil {
		return fmt.Errorf("discovery: listen on udp port %d: %w", o.Port, err)
	}
	s := newServer(&o, pc.(*net.UDPConn))
	return s.run(ctx)
}

// server is one Run.
type server struct {
	o     *Options
	log   *slog.Logger
	conn  *net.UDPConn
	p     *ipv4.PacketConn
	w     *writer
	seq   atomic.Uint64 // AppSequence/@MessageNumber of the last message
	group *net.UDPAddr

	mu     sync.Mutex
	joined []iface // interfaces joined, guarded by mu (written by the scanner, read by the reader)

	replies chan reply // reader → sender
}

// reply is a unicast answer due at a time.
type reply struct {
	due time.Time
	dst netip.AddrPort
	b   []byte
}

func newServer(o *Options, conn *net.UDPConn) *server {
	s := &server{
		o:       o,
		log:     o.Log,
		conn:    conn,
		w:       newWriter(o, uint64(time.Now().Unix())),
		group:   &net.UDPAddr{IP: o.Group.AsSlice(), Port: o.Port},
		replies: make(chan reply, 64),
	}
	if conn != nil {
		s.p = ipv4.NewPacketConn(conn)
	}
	return s
}

func (s *server) run(ctx context.Context) error {
	if err := s.p.SetControlMessage(ipv4.FlagDst|ipv4.FlagInterface, true); err != nil {
		s.log.Debug("no packet info; replies will advertise the address of the sender's subnet", "err", err)
	}
	_ = s.p.SetMulticastLoopback(true) // another listener on this host (a client, a test) hears our Hello
	_ = s.p.SetMulticastTTL(1)

	s.rescan() // join and Hello before answering anything
	s.log.Info("WS-Discovery started", "port", s.o.Port, "endpoint", s.o.EndpointUUID)

	var wg sync.WaitGroup
	loopCtx, stop := context.WithCancel(ctx)
	wg.Go(func() { s.send(loopCtx) })
	wg.Go(func() { s.scan(loopCtx) })
	readDone := make(chan error, 1)
	go func() { readDone <- s.read() }()

	var readErr error
	select {
	case <-ctx.Done():
	case readErr = <-readDone:
		readDone = nil
	}
	stop()
	wg.Wait()
	s.bye()
	_ = s.conn.Close()
	if readDone != nil {
		<-readDone
	}
	s.mu.Lock()
	for _, i := range s.joined {
		_ = s.p.LeaveGroup(&net.Interface{Index: i.index, Name: i.name}, s.group)
	}
	s.joined = nil
	s.mu.Unlock()
	if readErr != nil {
		return fmt.Errorf("discovery: read: %w", readErr)
	}
	return nil
}

// read is the read loop: one buffer, one datagram at a time, until the socket is closed.
func (s *server) read() error {
	buf := make([]byte, maxDatagram+1)
	lim := newLimiter(maxRepliesPerSecond)
	for {
		n, cm, src, err := s.p.ReadFrom(buf)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			if isClosed(err) {
				return nil
			}
			return err
		}
		if n > maxDatagram {
			continue
		}
		ua, ok := src.(*net.UDPAddr)
		if !ok {
			continue
		}
		from := ua.AddrPort()
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		ifindex, dst := 0, netip.Addr{}
		if cm != nil {
			ifindex = cm.IfIndex
			if a, ok := netip.AddrFromSlice(cm.Dst); ok {
				dst = a.Unmap()
			}
		}
		if s.fromUs(from) {
			continue
		}
		local := dst
		if !local.IsValid() || local.IsMulticast() || local.IsUnspecified() {
			s.mu.Lock()
			local = localFor(s.joined, ifindex, from.Addr())
			if !local.IsValid() {
				local = localFor(s.joined, 0, from.Addr())
			}
			s.mu.Unlock()
		}
		b := s.handle(buf[:n], local)
		if b == nil || !lim.allow(time.Now()) {
			continue
		}
		var delay time.Duration
		if s.o.MaxDelay > 0 {
			delay = rand.N(s.o.MaxDelay)
		}
		select {
		case s.replies <- reply{due: time.Now().Add(delay), dst: from, b: b}:
		default: // the sender is behind: drop
		}
	}
}

// fromUs reports whether src is this socket: our own multicast looped back.
func (s *server) fromUs(src netip.AddrPort) bool {
	if int(src.Port()) != s.o.Port {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, i := range s.joined {
		for _, p := range i.addrs {
			if p.Addr() == src.Addr() {
				return true
			}
		}
	}
	return false
}

// handle answers one datagram: the ProbeMatches or ResolveMatches to send back, or nil. It never
// panics on any input.
func (s *server) handle(b []byte, local netip.Addr) []byte {
	if len(b) > maxDatagram {
		return nil
	}
	m, err := parse(b)
	if err != nil || m.messageID == "" || len(m.messageID) > maxMessageID {
		return nil
	}
	var out bytes.Buffer
	switch m.kind {
	case kindProbe:
		if m.typesBad || !matchTypes(m.types, s.o.Types) {
			return nil
		}
		if len(m.scopes) > 0 || m.matchBy != "" {
			var ours []string
			if s.o.Scopes != nil {
				ours = s.o.Scopes()
			}
			if !matchScopes(m.scopes, m.matchBy, ours) {
				return nil
			}
		}
		if !s.reachable(local) {
			return nil
		}
		out.Grow(1536)
		s.w.probeMatches(&out, m.messageID, local, s.seq.Add(1))
	case kindResolve:
		if m.address != s.o.EndpointUUID {
			return nil
		}
		if !s.reachable(local) {
			return nil
		}
		out.Grow(1536)
		s.w.resolveMatches(&out, m.messageID, local, s.seq.Add(1))
	default:
		return nil
	}
	return out.Bytes()
}

// reachable reports whether the device can be reached from local: an announcement without
// XAddrs would list a camera an NVR can never add (XAddrs nil means the caller gives none by
// design, which is allowed).
func (s *server) reachable(local netip.Addr) bool {
	return s.o.XAddrs == nil || len(s.o.XAddrs(local)) > 0
}

// send writes the replies when they are due, earliest first, until ctx ends (pending ones are
// dropped).
func (s *server) send(ctx context.Context) {
	var q replyHeap
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		if len(q) > 0 {
			t.Reset(time.Until(q[0].due))
		}
		select {
		case <-ctx.Done():
			return
		case r := <-s.replies:
			if len(q) < 2*maxRepliesPerSecond {
				heap.Push(&q, r)
			}
		case <-t.C:
		}
		for len(q) > 0 && !time.Now().Before(q[0].due) {
			r := heap.Pop(&q).(reply)
			_ = s.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
			if _, err := s.conn.WriteToUDPAddrPort(r.b, r.dst); err != nil {
				s.log.Debug("reply not sent", "to", r.dst, "err", err)
			}
		}
	}
}

// scan re-scans the interfaces every rescanEvery until ctx ends.
func (s *server) scan(ctx context.Context) {
	tk := time.NewTicker(rescanEvery)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
			s.rescan()
		}
	}
}

// rescan lists the interfaces, joins new ones, leaves gone ones and sends Hello for every new
// address. Only one goroutine at a time calls it (run, then scan), and bye after scan ended:
// they alone set the multicast interface.
func (s *server) rescan() {
	cur, err := listInterfaces(s.o.Interfaces)
	if err != nil {
		s.log.Warn("cannot list the network interfaces", "err", err)
		return
	}
	s.mu.Lock()
	old := s.joined
	s.mu.Unlock()
	join, leave, hello := diffInterfaces(old, cur)
	var failed []int
	for _, i := range join {
		if err := s.p.JoinGroup(&net.Interface{Index: i.index, Name: i.name}, s.group); err != nil {
			s.log.Warn("cannot join the WS-Discovery group", "interface", i.name, "group", s.group, "err", err)
			failed = append(failed, i.index)
			continue
		}
		s.log.Info("WS-Discovery joined", "interface", i.name, "addr", i.addrs[0].Addr())
	}
	for _, i := range leave {
		_ = s.p.LeaveGroup(&net.Interface{Index: i.index, Name: i.name}, s.group)
		s.log.Info("WS-Discovery left", "interface", i.name)
	}
	kept := cur[:0:0]
	for _, i := range cur {
		if !containsInt(failed, i.index) {
			kept = append(kept, i)
		}
	}
	s.mu.Lock()
	s.joined = kept
	s.mu.Unlock()
	for _, h := range hello {
		if containsInt(failed, h.ifi.index) || !s.reachable(h.addr) {
			continue
		}
		var b bytes.Buffer
		s.w.hello(&b, h.addr, s.seq.Add(1))
		s.multicast(h.ifi, b.Bytes())
	}
}

// bye sends Bye on every joined interface.
func (s *server) bye() {
	s.mu.Lock()
	joined := s.joined
	s.mu.Unlock()
	if len(joined) == 0 {
		return
	}
	var b bytes.Buffer
	s.w.bye(&b, s.seq.Add(1))
	for _, i := range joined {
		s.multicast(i, b.Bytes())
	}
}

// multicast sends b to the group by interface i.
func (s *server) multicast(i iface, b []byte) {
	if err := s.p.SetMulticastInterface(&net.Interface{Index: i.index, Name: i.name}); err != nil {
		s.log.Warn("cannot send by interface", "interface", i.name, "err", err)
		return
	}
	_ = s.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := s.conn.WriteTo(b, s.group); err != nil {
		s.log.Warn("WS-Discovery announce not sent", "interface", i.name, "err", err)
	}
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func isClosed(err error) bool {
	return errors.Is(err, net.ErrClosed)
}

// replyHeap orders replies by due time.
type replyHeap []reply

func (h replyHeap) Len() int           { return len(h) }
func (h replyHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h replyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *replyHeap) Push(x any)        { *h = append(*h, x.(reply)) }
func (h *replyHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}
