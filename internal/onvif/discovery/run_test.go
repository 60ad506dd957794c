package discovery

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"testing"
	"time"

	"golang.org/x/net/ipv4"
)

// testIface is the interface the end-to-end tests join on: the first up, multicast-capable,
// non-loopback interface with an IPv4 address (eth0 192.0.2.2 here).
func testIface(t *testing.T) iface {
	t.Helper()
	ifs, err := listInterfaces(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ifs) == 0 {
		t.Skip("no multicast-capable IPv4 interface on this machine")
	}
	return ifs[0]
}

// freeUDPPort returns a UDP port free on every address a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// groupListener is a socket on the discovery port joined to the group on ifi: it hears Hello and
// Bye (and the probes sent to the group).
func groupListener(t *testing.T, ifi iface, port int) *net.UDPConn {
	t.Helper()
	lc := net.ListenConfig{Control: reuseAddr}
	pc, err := lc.ListenPacket(context.Background(), "udp4", "0.0.0.0:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	c := pc.(*net.UDPConn)
	t.Cleanup(func() { c.Close() })
	if err := ipv4.NewPacketConn(c).JoinGroup(&net.Interface{Index: ifi.index, Name: ifi.name}, &net.UDPAddr{IP: DefaultGroup.AsSlice()}); err != nil {
		t.Fatalf("listener cannot join the group on %s: %v", ifi.name, err)
	}
	return c
}

// client is a prober's socket that sends to the group by ifi and hears its own group traffic.
func client(t *testing.T, ifi iface) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	p := ipv4.NewPacketConn(c)
	if err := p.SetMulticastInterface(&net.Interface{Index: ifi.index, Name: ifi.name}); err != nil {
		t.Fatal(err)
	}
	if err := p.SetMulticastLoopback(true); err != nil {
		t.Fatal(err)
	}
	return c
}

// readUntil reads datagrams from c until one parses as a message whose Body is body, or the
// deadline passes (then it returns ok false).
func readUntil(t *testing.T, c *net.UDPConn, body string, within time.Duration) (replyMsg, netip.AddrPort, bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	buf := make([]byte, 65536)
	for {
		_ = c.SetReadDeadline(deadline)
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return replyMsg{}, netip.AddrPort{}, false
			}
			t.Fatal(err)
		}
		m, err := parse(buf[:n])
		if err != nil || m.kind != kindOther {
			continue // a probe on the group, or noise
		}
		if r := parseReply(t, buf[:n]); r.Body == body {
			return r, from, true
		}
	}
}

// startRun runs Run in the background and returns a stop function that cancels it and returns
// its error.
func startRun(t *testing.T, o Options) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, o) }()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return within 5 s of its context ending")
			return nil
		}
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// waitUp probes dst until Run answers (it binds in its own goroutine, so a first probe may
// arrive before it listens).
func waitUp(t *testing.T, c *net.UDPConn, dst *net.UDPAddr) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		if _, err := c.WriteTo(haProbe("urn:uuid:up"+strconv.Itoa(i)), dst); err != nil {
			t.Fatal(err)
		}
		if _, _, ok := readUntil(t, c, "ProbeMatches", 200*time.Millisecond); ok {
			return
		}
	}
	t.Fatalf("Run did not answer on %v within 5 s", dst)
}

// waitGoroutines waits until the goroutine count is back to at most n.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: got %d, want at most %d\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestEndToEnd: Run on a test port joined on a real interface; Hello at start, a Home Assistant
// Probe multicast to the group answered unicast with every field, a Probe for other Types not
// answered, a Resolve answered, Bye at stop, and no goroutine left.
func TestEndToEnd(t *testing.T) {
	ifi := testIface(t)
	local := ifi.addrs[0].Addr()
	port := freeUDPPort(t)
	base := runtime.NumGoroutine()

	listener := groupListener(t, ifi, port)
	o := testOptions(port)
	o.Interfaces = []string{ifi.name}
	start := time.Now().Unix()
	stop := startRun(t, o)

	hello, _, ok := readUntil(t, listener, "Hello", 5*time.Second)
	if !ok {
		t.Fatalf("no Hello on the group %s:%d by %s within 5 s", DefaultGroup, port, ifi.name)
	}
	if hello.Action != actionHello || hello.To != toDiscovery {
		t.Errorf("Hello: got Action %q To %q", hello.Action, hello.To)
	}
	checkDescription(t, hello, local)

	c := client(t, ifi)
	group := &net.UDPAddr{IP: DefaultGroup.AsSlice(), Port: port}
	const id = "urn:uuid:0b7a1d9e-8a7b-4c1e-9a1f-3d2c1b0a9f8e"
	if _, err := c.WriteTo(haProbe(id), group); err != nil {
		t.Fatal(err)
	}
	pm, from, ok := readUntil(t, c, "ProbeMatches", 3*time.Second)
	if !ok {
		t.Fatalf("no ProbeMatches within 3 s for a Probe multicast to %s:%d by %s", DefaultGroup, port, ifi.name)
	}
	if from.Port() != uint16(port) {
		t.Errorf("ProbeMatches from port %d, want %d", from.Port(), port)
	}
	checkMessageID(t, pm.MessageID)
	if pm.MessageID == hello.MessageID {
		t.Error("ProbeMatches reuses the Hello's MessageID")
	}
	if pm.RelatesTo != id || pm.To != toAnonymous || pm.Action != actionProbeMatches || pm.Body != "ProbeMatches" {
		t.Errorf("got RelatesTo %q To %q Action %q Body %q, want %q %q %q ProbeMatches", pm.RelatesTo, pm.To, pm.Action, pm.Body, id, toAnonymous, actionProbeMatches)
	}
	if pm.InstanceID < uint64(start)-1 || pm.InstanceID > uint64(time.Now().Unix()) || pm.InstanceID != hello.InstanceID {
		t.Errorf("InstanceId: got %d (Hello %d), want the start time %d", pm.InstanceID, hello.InstanceID, start)
	}
	if pm.MessageNumber <= hello.MessageNumber {
		t.Errorf("MessageNumber: got %d after the Hello's %d, want it incrementing", pm.MessageNumber, hello.MessageNumber)
	}
	checkDescription(t, pm, local)

	// A probe for other types is not answered; the matching one sent after it is, so the
	// silence is the server's decision, not a dead socket.
	other := probe("urn:uuid:other", ` xmlns:p="http://example.com/printers"`, "<d:Types>p:Printer</d:Types>")
	if _, err := c.WriteTo(other, group); err != nil {
		t.Fatal(err)
	}
	if r, _, ok := readUntil(t, c, "ProbeMatches", time.Second); ok {
		t.Fatalf("got a ProbeMatches (RelatesTo %q) for a Probe of other Types, want none", r.RelatesTo)
	}
	// Garbage does not stop it either.
	for _, junk := range [][]byte{[]byte("\x00\x01garbage"), []byte("<e:Envelope"), npmProbe("urn:uuid:x")[:100]} {
		if _, err := c.WriteTo(junk, group); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.WriteTo(npmProbe("urn:uuid:npm"), group); err != nil {
		t.Fatal(err)
	}
	if r, _, ok := readUntil(t, c, "ProbeMatches", 3*time.Second); !ok || r.RelatesTo != "urn:uuid:npm" {
		t.Fatalf("after junk: got ok %v RelatesTo %q, want the answer to urn:uuid:npm", ok, r.RelatesTo)
	}

	// A Resolve sent unicast to the port.
	if _, err := c.WriteTo(resolveMsg("urn:uuid:res", testUUID), &net.UDPAddr{IP: local.AsSlice(), Port: port}); err != nil {
		t.Fatal(err)
	}
	if r, _, ok := readUntil(t, c, "ResolveMatches", 3*time.Second); !ok || r.RelatesTo != "urn:uuid:res" {
		t.Fatalf("Resolve: got ok %v RelatesTo %q, want the ResolveMatches for urn:uuid:res", ok, r.RelatesTo)
	} else {
		checkDescription(t, r, local)
	}

	if err := stop(); err != nil {
		t.Fatalf("Run returned %v, want nil", err)
	}
	bye, _, ok := readUntil(t, listener, "Bye", 3*time.Second)
	if !ok {
		t.Fatal("no Bye on the group within 3 s of stopping")
	}
	if bye.Action != actionBye || bye.Address != testUUID || bye.MessageNumber <= pm.MessageNumber {
		t.Errorf("Bye: got Action %q Address %q MessageNumber %d, want %q %q > %d", bye.Action, bye.Address, bye.MessageNumber, actionBye, testUUID, pm.MessageNumber)
	}
	listener.Close()
	c.Close()
	waitGoroutines(t, base)
}

// TestDelay: with a MaxDelay the answer still comes, within that delay (plus slack).
func TestDelay(t *testing.T) {
	ifi := testIface(t)
	port := freeUDPPort(t)
	o := testOptions(port)
	o.Interfaces = []string{ifi.name}
	o.MaxDelay = 200 * time.Millisecond
	startRun(t, o)
	c := client(t, ifi)
	dst := &net.UDPAddr{IP: ifi.addrs[0].Addr().AsSlice(), Port: port}
	waitUp(t, c, dst)
	for {
		if _, _, ok := readUntil(t, c, "ProbeMatches", 300*time.Millisecond); !ok {
			break // late answers to waitUp's probes
		}
	}
	sent := time.Now()
	if _, err := c.WriteTo(haProbe("urn:uuid:d"), dst); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := readUntil(t, c, "ProbeMatches", 3*time.Second); !ok {
		t.Fatal("no ProbeMatches within 3 s")
	}
	if d := time.Since(sent); d > 2*time.Second {
		t.Errorf("answer after %v, want within about 200 ms", d)
	}
}

// TestFloodLimited: a burst of unicast probes gets at most the bucket's worth of answers.
func TestFloodLimited(t *testing.T) {
	ifi := testIface(t)
	port := freeUDPPort(t)
	o := testOptions(port)
	o.Interfaces = []string{ifi.name}
	startRun(t, o)
	c := client(t, ifi)
	_ = c.SetReadBuffer(1 << 20)
	dst := &net.UDPAddr{IP: ifi.addrs[0].Addr().AsSlice(), Port: port}
	waitUp(t, c, dst)
	time.Sleep(time.Second) // not a wait for a goroutine: lets the bucket refill to its size
	start := time.Now()
	const sent = 150
	for i := range sent {
		if _, err := c.WriteTo(haProbe("urn:uuid:f"+strconv.Itoa(i)), dst); err != nil {
			t.Fatal(err)
		}
	}
	got := 0
	for {
		if _, _, ok := readUntil(t, c, "ProbeMatches", 300*time.Millisecond); !ok {
			break
		}
		got++
	}
	elapsed := time.Since(start).Seconds()
	t.Logf("%d answers to %d probes in %.2f s", got, sent, elapsed)
	limit := int(maxRepliesPerSecond + maxRepliesPerSecond*elapsed + 1)
	if got > limit || got < maxRepliesPerSecond/2 {
		t.Errorf("got %d answers to %d probes in %.2f s, want between %d and %d", got, sent, elapsed, maxRepliesPerSecond/2, limit)
	}
}

func TestBindError(t *testing.T) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{}) // no SO_REUSEADDR: nobody may share it
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	port := c.LocalAddr().(*net.UDPAddr).Port
	done := make(chan error, 1)
	go func() { done <- Run(context.Background(), testOptions(port)) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("got nil, want the bind error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return the bind error within 5 s")
	}
}

func TestInterfacesDefaultJoinsUsable(t *testing.T) {
	ifs, err := listInterfaces(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range ifs {
		ni, err := net.InterfaceByIndex(i.index)
		if err != nil {
			t.Fatal(err)
		}
		if ni.Flags&net.FlagLoopback != 0 || ni.Flags&net.FlagMulticast == 0 || ni.Flags&net.FlagUp == 0 || len(i.addrs) == 0 {
			t.Errorf("%s: got flags %v with %d IPv4 addresses, want up multicast non-loopback with one", i.name, ni.Flags, len(i.addrs))
		}
	}
	if lo, err := listInterfaces([]string{"lo"}); err == nil && len(lo) != 0 {
		t.Errorf("named loopback: got %v, want it refused", lo)
	}
	if named, err := listInterfaces([]string{"no-such-if0"}); err != nil || len(named) != 0 {
		t.Errorf("unknown name: got %v %v, want nothing", named, err)
	}
}
