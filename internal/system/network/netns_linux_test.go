package network

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/testutil"
)

// These tests configure real links inside network namespaces they create: a camera namespace and
// a peer namespace joined by a veth pair. The code under test runs in a re-executed test binary
// inside the camera namespace and a new UTS namespace (ip netns exec CAM unshare --uts), so its
// sethostname, addresses and routes never touch this machine's; resolv.conf goes to a temp dir.
// Checks read the kernel's state with ip -j and reach the camera from the peer.

const (
	envCase = "FREECAM_NETNS_CASE"
	envPeer = "FREECAM_NETNS_PEER"
	envIf   = "FREECAM_NETNS_IF"
	envPIf  = "FREECAM_NETNS_PEERIF"
	envDir  = "FREECAM_NETNS_DIR"
)

type pair struct {
	cam, peer     string // namespace names
	camIf, peerIf string
	dir           string // shared temp dir (config files, resolv.conf, dnsmasq files)
}

// newPair makes the two namespaces and the veth pair, or skips when the machine refuses, with
// peerAddr on the peer's end.
func newPair(t *testing.T, peerAddr string) pair {
	t.Helper()
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare is not installed (Debian: util-linux)")
	}
	np := testutil.NewNetnsPair(t, "net")
	p := pair{cam: np.Cam, peer: np.Peer, camIf: np.CamIf, peerIf: np.PeerIf, dir: t.TempDir()}
	mustRun(t, "ip", "-n", p.peer, "addr", "add", peerAddr, "dev", p.peerIf)
	return p
}

func mustRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// runChild runs TestNetnsChild's case inside the camera namespace and a new UTS namespace, and
// fails unless the case ran to its end.
func runChild(t *testing.T, p pair, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", p.cam, "unshare", "--uts", "--",
		os.Args[0], "-test.run=^TestNetnsChild$", "-test.v", "-test.count=1", "-test.timeout=45s")
	cmd.Env = append(os.Environ(), envCase+"="+name, envPeer+"="+p.peer, envIf+"="+p.camIf, envPIf+"="+p.peerIf, envDir+"="+p.dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "CHILD-DONE "+name) {
		t.Fatalf("case %s in namespace %s: %v\n%s", name, p.cam, err, out)
	}
	t.Logf("case %s in namespace %s:\n%s", name, p.cam, out)
}

// TestNetnsChild is the part that runs inside the namespaces; it is skipped in a normal run.
func TestNetnsChild(t *testing.T) {
	name := os.Getenv(envCase)
	if name == "" {
		t.Skip("runs only inside the namespaces the netns tests create")
	}
	c := child{
		t: t, peer: os.Getenv(envPeer), ifname: os.Getenv(envIf), peerIf: os.Getenv(envPIf), dir: os.Getenv(envDir),
	}
	c.resolv = filepath.Join(c.dir, "resolv.conf")
	switch name {
	case "static":
		c.static()
	case "dhcp":
		c.dhcp()
	case "wpa":
		c.wpa()
	default:
		t.Fatalf("unknown case %q", name)
	}
	if !t.Failed() {
		fmt.Println("CHILD-DONE " + name)
	}
}

type child struct {
	t                         *testing.T
	peer, ifname, peerIf, dir string
	resolv                    string
}

func (c child) write(name, data string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(data), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

func (c child) load() Config {
	c.t.Helper()
	cfg, err := Load(c.dir)
	if err != nil {
		c.t.Fatalf("Load: %v", err)
	}
	return cfg
}

// addrs reads the IPv4 addresses of the link from the kernel.
func (c child) addrs() []string {
	c.t.Helper()
	out := mustRun(c.t, "ip", "-j", "-4", "addr", "show", "dev", c.ifname)
	var links []struct {
		AddrInfo []struct {
			Local     string `json:"local"`
			PrefixLen int    `json:"prefixlen"`
		} `json:"addr_info"`
	}
	if err := json.Unmarshal([]byte(out), &links); err != nil {
		c.t.Fatalf("ip -j addr: %v: %s", err, out)
	}
	var got []string
	for _, l := range links {
		for _, a := range l.AddrInfo {
			got = append(got, fmt.Sprintf("%s/%d", a.Local, a.PrefixLen))
		}
	}
	return got
}

// defaultVia reads the default route's gateway and device from the kernel.
func (c child) defaultVia() string {
	c.t.Helper()
	out := mustRun(c.t, "ip", "-j", "-4", "route", "show", "default")
	var rs []struct {
		Gateway string `json:"gateway"`
		Dev     string `json:"dev"`
	}
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		c.t.Fatalf("ip -j route: %v: %s", err, out)
	}
	if len(rs) != 1 {
		return fmt.Sprintf("%d default routes", len(rs))
	}
	return rs[0].Gateway + " dev " + rs[0].Dev
}

// pingFromPeer checks that addr is reachable from the peer namespace: a TCP connection from a
// copy of the test binary running there to a listener bound to addr here.
func (c child) pingFromPeer(addr string) {
	c.t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		c.t.Errorf("listen on %s: %v", addr, err)
		return
	}
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		if conn, err := ln.Accept(); err == nil {
			conn.Close()
		}
	}()
	defer func() { ln.Close(); <-accepted }()
	cmd := exec.Command("ip", "netns", "exec", c.peer, os.Args[0], "-test.run=^TestNetnsDial$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), envDial+"="+ln.Addr().String())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "DIAL-OK") {
		c.t.Errorf("connect to %s from the peer: %v: %s", ln.Addr(), err, out)
	}
}

const envDial = "FREECAM_NETNS_DIAL"

// TestNetnsDial runs in the peer namespace: it connects to the camera.
func TestNetnsDial(t *testing.T) {
	addr := os.Getenv(envDial)
	if addr == "" {
		t.Skip("runs only inside the peer namespace the netns tests create")
	}
	conn, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	conn.Close()
	fmt.Println("DIAL-OK")
}

func (c child) readResolv() string {
	data, _ := os.ReadFile(c.resolv)
	return string(data)
}

func TestStaticAddress(t *testing.T) {
	p := newPair(t, "10.77.0.1/24")
	runChild(t, p, "static")
}

func (c child) static() {
	t := c.t
	c.write("hostname.conf", "fc-static-cam\n")
	c.write("staticip.conf", "# the camera\n10.77.0.2 netmask 255.255.255.0\n")
	c.write("defaultgw.conf", "10.77.0.1\n")
	c.write("resolv.conf", "nameserver 10.77.0.1\nsearch cams.lan\n")
	cfg := c.load()
	if cfg.Interface != c.ifname {
		t.Errorf("got Interface %q chosen by Load, want the only Ethernet link %q", cfg.Interface, c.ifname)
	}
	resolvPath := filepath.Join(c.dir, "etc-resolv.conf")
	m := New(Options{ResolvPath: resolvPath, SysClassNet: filepath.Join(c.dir, "no-sys")})
	defer m.Close()
	if err := m.Apply(context.Background(), cfg); err != nil {
		t.Fatalf("Apply: %v", err)
	}

	t.Run("applied and reachable", func(t *testing.T) {
		if got := strings.Join(c.addrs(), " "); got != "10.77.0.2/24" {
			t.Errorf("got addresses %q, want 10.77.0.2/24", got)
		}
		if got, want := c.defaultVia(), "10.77.0.1 dev "+c.ifname; got != want {
			t.Errorf("got default route %q, want %q", got, want)
		}
		data, err := os.ReadFile(resolvPath)
		if err != nil || string(data) != "nameserver 10.77.0.1\nsearch cams.lan\n" {
			t.Errorf("got resolv.conf %q %v, want the config's copied", data, err)
		}
		if fi, err := os.Stat(resolvPath); err == nil && fi.Mode().Perm() != 0o644 {
			t.Errorf("got resolv.conf mode %v, want 0644", fi.Mode().Perm())
		}
		c.pingFromPeer("10.77.0.2")
	})
	t.Run("host name set in this UTS namespace", func(t *testing.T) {
		out, err := exec.Command("hostname").Output()
		if got := strings.TrimSpace(string(out)); err != nil || got != "fc-static-cam" {
			t.Errorf("got hostname %q %v, want fc-static-cam", got, err)
		}
	})
	t.Run("a new address replaces the old one", func(t *testing.T) {
		c.write("staticip.conf", "10.77.0.3 netmask 255.255.255.0\n")
		if err := m.Apply(context.Background(), c.load()); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		if got := strings.Join(c.addrs(), " "); got != "10.77.0.3/24" {
			t.Errorf("got addresses %q, want only 10.77.0.3/24", got)
		}
		if got, want := c.defaultVia(), "10.77.0.1 dev "+c.ifname; got != want {
			t.Errorf("got default route %q, want %q", got, want)
		}
		c.pingFromPeer("10.77.0.3")
	})
	t.Run("an address freecam did not set is kept", func(t *testing.T) {
		mustRun(t, "ip", "addr", "add", "10.99.0.5/24", "dev", c.ifname)
		c.write("staticip.conf", "10.77.0.4 netmask 255.255.255.0\n")
		if err := m.Apply(context.Background(), c.load()); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		if got := strings.Join(c.addrs(), " "); got != "10.99.0.5/24 10.77.0.4/24" {
			t.Errorf("got addresses %q, want 10.99.0.5/24 (not ours) and 10.77.0.4/24", got)
		}
	})
	t.Run("a bad staticip.conf changes nothing", func(t *testing.T) {
		before, route := c.addrs(), c.defaultVia()
		c.write("staticip.conf", "10.77.0.9 netmask\n")
		_, err := Load(c.dir)
		if err == nil || !strings.Contains(err.Error(), "staticip.conf line 1: want ADDRESS netmask MASK") {
			t.Fatalf("got %v, want an error naming staticip.conf line 1", err)
		}
		// The caller keeps the applied config: nothing in the kernel moved.
		if got := c.addrs(); strings.Join(got, " ") != strings.Join(before, " ") {
			t.Errorf("got addresses %q, want %q unchanged", got, before)
		}
		if got := c.defaultVia(); got != route {
			t.Errorf("got route %q, want %q unchanged", got, route)
		}
	})
	t.Run("errors name the interface and the step", func(t *testing.T) {
		bad := New(Options{Interface: "nosuch0", ResolvPath: resolvPath})
		defer bad.Close()
		cfg := Config{Address: netip4("10.77.0.8/24")}
		err := bad.Apply(context.Background(), cfg)
		if err == nil || !strings.HasPrefix(err.Error(), "network: nosuch0: find link:") {
			t.Errorf("got %v, want \"network: nosuch0: find link: …\"", err)
		}
		cfg = Config{Address: netip4("10.77.0.8/24"), Gateway: mustAddr("10.50.0.1")}
		err = New(Options{Interface: c.ifname, ResolvPath: resolvPath}).Apply(context.Background(), cfg)
		if want := "network: " + c.ifname + ": set default route via 10.50.0.1:"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
	})
}

func TestDHCP(t *testing.T) {
	if _, err := exec.LookPath("dnsmasq"); err != nil {
		t.Skip("dnsmasq is not installed (Debian: dnsmasq-base)")
	}
	p := newPair(t, "10.78.0.1/24")
	leases := filepath.Join(p.dir, "dnsmasq.leases")
	logf, err := os.Create(filepath.Join(p.dir, "dnsmasq.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	// A 2-minute lease (dnsmasq's minimum) with T1 3 s and T2 6 s, so a renewal happens.
	d := exec.Command("ip", "netns", "exec", p.peer, "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
		"--port=0", "--bind-interfaces", "--interface="+p.peerIf, "--except-interface=lo",
		"--dhcp-range=10.78.0.50,10.78.0.60,255.255.255.0,2m",
		"--dhcp-option=option:router,10.78.0.1", "--dhcp-option=option:dns-server,10.78.0.1",
		"--dhcp-option=option:domain-name,cams.lan",
		"--dhcp-option=option:T1,3", "--dhcp-option=option:T2,6",
		"--dhcp-leasefile="+leases, "--pid-file="+filepath.Join(p.dir, "dnsmasq.pid"),
		"--log-dhcp", "--log-facility=-")
	d.Stdout, d.Stderr = logf, logf
	if err := d.Start(); err != nil {
		t.Fatalf("start dnsmasq: %v", err)
	}
	t.Cleanup(func() {
		d.Process.Kill()
		d.Wait()
		if t.Failed() {
			out, _ := os.ReadFile(logf.Name())
			t.Logf("dnsmasq log:\n%s", out)
		}
	})
	runChild(t, p, "dhcp")
	data, _ := os.ReadFile(leases)
	if !strings.Contains(string(data), " fc-dhcp-cam ") {
		t.Errorf("got dnsmasq leases %q, want the host name fc-dhcp-cam freecam sent", data)
	}
	out, _ := os.ReadFile(logf.Name())
	if n := strings.Count(string(out), "DHCPACK("+p.peerIf+")"); n < 3 {
		t.Errorf("got %d DHCPACKs in dnsmasq's log, want at least 3 (lease, renewal, after link loss)", n)
	}
}

func (c child) dhcp() {
	t := c.t
	c.write("hostname.conf", "fc-dhcp-cam\n")
	cfg := c.load()
	base := runtime.NumGoroutine()
	m := New(Options{ResolvPath: c.resolv, DHCPTimeout: 2 * time.Second, RetryMin: 300 * time.Millisecond, LinkPoll: 100 * time.Millisecond})
	if err := m.Apply(context.Background(), cfg); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	wait := func(what string, ok func(State) bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !ok(m.State()) {
			if time.Now().After(deadline) {
				t.Fatalf("waited 20 s for %s; state %+v", what, m.State())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	wait("a lease", func(s State) bool { return s.Acquisitions >= 1 })
	s := m.State()
	addr := s.Address.Addr().String()
	t.Run("lease applied", func(t *testing.T) {
		if s.Address.Bits() != 24 || !strings.HasPrefix(addr, "10.78.0.") {
			t.Fatalf("got lease %v, want an address of 10.78.0.50-60/24", s.Address)
		}
		if got := strings.Join(c.addrs(), " "); got != s.Address.String() {
			t.Errorf("got kernel addresses %q, want %q", got, s.Address)
		}
		if got, want := c.defaultVia(), "10.78.0.1 dev "+c.ifname; got != want {
			t.Errorf("got default route %q, want %q", got, want)
		}
		if got := c.readResolv(); !strings.Contains(got, "nameserver 10.78.0.1\n") || !strings.Contains(got, "domain cams.lan\n") {
			t.Errorf("got resolv.conf %q, want nameserver 10.78.0.1 and domain cams.lan", got)
		}
		c.pingFromPeer(addr)
	})
	t.Run("renewed at T1", func(t *testing.T) {
		wait("a renewal", func(s State) bool { return s.Renewals >= 1 })
		if got := m.State().Address; got != s.Address {
			t.Errorf("got %v after renewal, want %v", got, s.Address)
		}
	})
	t.Run("asks again after link loss", func(t *testing.T) {
		mustRun(t, "ip", "-n", c.peer, "link", "set", c.peerIf, "down")
		wait("the link loss", func(s State) bool { return !s.LinkUp })
		mustRun(t, "ip", "-n", c.peer, "link", "set", c.peerIf, "up")
		wait("a new lease", func(s State) bool { return s.Acquisitions >= 2 })
		if got := m.State().Address; got != s.Address {
			t.Errorf("got %v after link loss, want the same %v (asked for it)", got, s.Address)
		}
		c.pingFromPeer(addr)
	})
	if out := mustRun(t, "ip", "-j", "-4", "addr", "show", "dev", c.ifname); !strings.Contains(out, `"valid_life_time":`) || strings.Contains(out, `"valid_life_time":4294967295`) {
		t.Errorf("got %s while the lease is held, want the lease's lifetime on the address", out)
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	// Nothing renews the lease any more: the address is kept without expiry, so the camera
	// stays reachable while freecam is stopped.
	if out := mustRun(t, "ip", "-j", "-4", "addr", "show", "dev", c.ifname); !strings.Contains(out, `"local":"`+s.Address.Addr().String()+`"`) || !strings.Contains(out, `"valid_life_time":4294967295`) {
		t.Errorf("got %s after Close, want %v kept with valid_life_time forever", out, s.Address)
	}
	waitGoroutines(t, base)

	// freecam starts again with a static address: the address the last run kept goes (it is
	// found by its label), and only the static one is left; the lease must not stay for ever.
	c.write("staticip.conf", "10.78.0.2 netmask 255.255.255.0\n")
	m2 := New(Options{ResolvPath: c.resolv})
	defer m2.Close()
	if err := m2.Apply(context.Background(), c.load()); err != nil {
		t.Fatalf("Apply (static, after a restart): %v", err)
	}
	if got := c.addrs(); len(got) != 1 || got[0] != "10.78.0.2/24" {
		t.Errorf("got %v after a restart into a static address, want only 10.78.0.2/24 (the kept lease %v removed)", got, s.Address)
	}
}

func TestWPAInNamespace(t *testing.T) {
	p := newPair(t, "10.79.0.1/24")
	runChild(t, p, "wpa")
}

// There is no Wi-Fi hardware here: the link is marked wireless in a fake /sys/class/net and
// wpa_supplicant is either missing or a stand-in script.
func (c child) wpa() {
	t := c.t
	c.write("staticip.conf", "10.79.0.2 netmask 255.255.255.0\n")
	c.write("wpa_supplicant.conf", "network={\n\tssid=\"SSID\"\n\tpsk=\"PW\"\n}\n")
	sys := filepath.Join(c.dir, "sys")
	if err := os.MkdirAll(filepath.Join(sys, c.ifname, "wireless"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := c.load()
	t.Run("not installed", func(t *testing.T) {
		m := New(Options{ResolvPath: c.resolv, SysClassNet: sys, WPASupplicant: filepath.Join(c.dir, "missing", "wpa_supplicant")})
		defer m.Close()
		err := m.Apply(context.Background(), cfg)
		want := "network: " + c.ifname + ": wpa_supplicant is not installed: Wi-Fi is left as the system set it up"
		if !errors.Is(err, ErrWPANotInstalled) || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
		if got := strings.Join(c.addrs(), " "); got != "10.79.0.2/24" {
			t.Errorf("got addresses %q, want 10.79.0.2/24 applied all the same", got)
		}
	})
	t.Run("supervised with the argument list", func(t *testing.T) {
		record := filepath.Join(c.dir, "wpa-args")
		bin := filepath.Join(c.dir, "wpa_supplicant")
		// Stays in the foreground like the real one until SIGTERM.
		script := "#!/bin/sh\necho \"$@\" > " + record + "\nexec sleep 60\n"
		if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		m := New(Options{ResolvPath: c.resolv, SysClassNet: sys, WPASupplicant: bin})
		if err := m.Apply(context.Background(), cfg); err != nil {
			t.Fatalf("Apply: %v", err)
		}
		deadline := time.Now().Add(10 * time.Second)
		var got []byte
		for len(got) == 0 && time.Now().Before(deadline) {
			got, _ = os.ReadFile(record)
			time.Sleep(10 * time.Millisecond)
		}
		if want := "-i " + c.ifname + " -c " + filepath.Join(c.dir, "wpa_supplicant.conf") + "\n"; string(got) != want {
			t.Errorf("got arguments %q, want %q", got, want)
		}
		start := time.Now()
		m.Close()
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("Close took %v, want wpa_supplicant stopped by SIGTERM at once", d)
		}
	})
	t.Run("real wpa_supplicant", func(t *testing.T) {
		t.Skip("no Wi-Fi hardware here: a real wpa_supplicant cannot associate")
	})
}

func netip4(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
