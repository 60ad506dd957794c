package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
)

// NetnsPair is two network namespaces made for a test, a camera and a peer, joined by a veth
// pair: what crosses a real network (static addresses, DHCP, mDNS) without touching this
// machine's own. Both ends are up with multicast on and a route for 224.0.0.0/4; neither has an
// address. The namespaces go at cleanup.
type NetnsPair struct {
	Cam, Peer     string // namespace names, for ip -n and ip netns exec
	CamIf, PeerIf string // the veth ends
}

var netnsSeq atomic.Int32

// NewNetnsPair makes the pair, or skips the test with the reason when this machine does not
// permit it (not root, iproute2 missing, ip netns add refused). tag (a few letters) tells the
// tests' namespaces apart in `ip netns list`.
func NewNetnsPair(t testing.TB, tag string) NetnsPair {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("ip is not installed (Debian package iproute2)")
	}
	n := netnsSeq.Add(1)
	p := NetnsPair{
		Cam: fmt.Sprintf("fc-%s-%d-%d-cam", tag, os.Getpid(), n), Peer: fmt.Sprintf("fc-%s-%d-%d-peer", tag, os.Getpid(), n),
		// Interface names have at most 15 bytes.
		CamIf: fmt.Sprintf("c%d%s", os.Getpid()%100000, suffix(n)), PeerIf: fmt.Sprintf("p%d%s", os.Getpid()%100000, suffix(n)),
	}
	for _, ns := range []string{p.Cam, p.Peer} {
		if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
			t.Skipf("ip netns add refused here: %v: %s", err, out)
		}
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
		MustRun(t, "ip", "-n", ns, "link", "set", "lo", "up")
	}
	// Made inside the namespaces: nothing appears on this machine's network, even for a moment.
	MustRun(t, "ip", "-n", p.Cam, "link", "add", p.CamIf, "type", "veth", "peer", "name", p.PeerIf, "netns", p.Peer)
	for _, end := range [][2]string{{p.Cam, p.CamIf}, {p.Peer, p.PeerIf}} {
		MustRun(t, "ip", "-n", end[0], "link", "set", end[1], "multicast", "on", "up")
		MustRun(t, "ip", "-n", end[0], "route", "add", "224.0.0.0/4", "dev", end[1])
	}
	return p
}

func suffix(n int32) string { return string(rune('a'+(n-1)%26)) + fmt.Sprint((n-1)/26) }

// MustRun runs a command and returns its output, failing the test with the output on an error.
func MustRun(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
