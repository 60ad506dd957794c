package mdns

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	hmdns "github.com/hashicorp/mdns"

	"github.com/freecam/freecam/internal/testutil"
)

// The namespace tests run the responder in a child process (this test binary re-executed under
// `ip netns exec CAM`) and query it from a second namespace with drill and hashicorp/mdns's client
// (another child under `ip netns exec PEER`), over a veth pair. Nothing touches the host's own
// network.

const helperEnv = "FREECAM_MDNS_HELPER"

const (
	camIP  = "10.77.0.1"
	peerIP = "10.77.0.2"
)

// netns is a pair of namespaces joined by a veth pair, removed at cleanup.
type netns struct {
	cam, peer     string // namespace names
	camIf, peerIf string // veth ends
}

func run(t testing.TB, args ...string) error {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

func must(t testing.TB, args ...string) {
	t.Helper()
	if err := run(t, args...); err != nil {
		t.Fatal(err)
	}
}

// newNS makes namespace name (skipping the test when that is refused) and removes it at cleanup.
func newNS(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("ip is not installed (Debian package iproute2)")
	}
	if os.Geteuid() != 0 {
		t.Skip("ip netns add needs root")
	}
	if err := run(t, "ip", "netns", "add", name); err != nil {
		t.Skipf("ip netns add refused: %v", err)
	}
	t.Cleanup(func() { _ = run(t, "ip", "netns", "del", name) })
	must(t, "ip", "-n", name, "link", "set", "lo", "up")
}

// newPair makes CAM and PEER joined by a veth pair with 10.77.0.1/24 and 10.77.0.2/24 and a
// multicast route on each side.
func newPair(t testing.TB, tag string) netns {
	t.Helper()
	np := testutil.NewNetnsPair(t, "mdns"+tag)
	n := netns{cam: np.Cam, peer: np.Peer, camIf: np.CamIf, peerIf: np.PeerIf}
	must(t, "ip", "-n", n.cam, "addr", "add", camIP+"/24", "dev", n.camIf)
	must(t, "ip", "-n", n.peer, "addr", "add", peerIP+"/24", "dev", n.peerIf)
	return n
}

// helper is a child process of this test binary running one TestHelper* function in a namespace.
type helper struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	done  chan struct{}
}

func startHelper(t *testing.T, ns, fn string, env ...string) *helper {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run=^"+fn+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), append([]string{helperEnv + "=1"}, env...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &testWriter{t: t, prefix: fn + ": "}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helper{cmd: cmd, stdin: stdin, lines: make(chan string, 64), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			h.lines <- sc.Text()
		}
		close(h.lines)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-h.done
		_ = cmd.Wait()
	})
	return h
}

// expect waits for a line starting with prefix and returns it; other lines are logged.
func (h *helper) expect(t *testing.T, prefix string, d time.Duration) string {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case l, ok := <-h.lines:
			if !ok {
				t.Fatalf("helper ended before printing %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
			t.Logf("helper: %s", l)
		case <-timeout:
			t.Fatalf("no %q from the helper within %v", prefix, d)
		}
	}
}

func (h *helper) send(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(h.stdin, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

type testWriter struct {
	t      *testing.T
	prefix string
}

func (w *testWriter) Write(p []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.t.Log(w.prefix + l)
	}
	return len(p), nil
}

// TestHelperResponder runs a Responder when started by startHelper: FREECAM_MDNS_HOST and
// FREECAM_MDNS_SERVICES (JSON) configure it; stdin lines are a JSON service list (Update) or
// "stop". It prints "running", "updated <err>", then "stopped" or "leak …" after checking that no
// goroutine is left, or "run-error [nointerface] <err>" if Run ends by itself.
func TestHelperResponder(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("run by the namespace tests")
	}
	base := runtime.NumGoroutine()
	var svcs []Service
	if err := json.Unmarshal([]byte(os.Getenv("FREECAM_MDNS_SERVICES")), &svcs); err != nil {
		fmt.Println("bad services:", err)
		return
	}
	r, err := New(Options{
		Host:     os.Getenv("FREECAM_MDNS_HOST"),
		Services: svcs,
		Log:      slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	if err != nil {
		fmt.Println("run-error", err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- r.Run(ctx) }()
	fmt.Println("running")
	cmds := make(chan string)
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			cmds <- sc.Text()
		}
		close(cmds)
	}()
	for {
		select {
		case err := <-ran:
			tag := ""
			if errors.Is(err, ErrNoInterface) {
				tag = "nointerface "
			}
			fmt.Printf("run-error %s%v\n", tag, err)
			cancel()
			return
		case c, ok := <-cmds:
			if !ok || c == "stop" {
				cancel()
				if err := <-ran; err != nil {
					fmt.Println("run-error", err)
					return
				}
				fmt.Println(leftGoroutines(base+1, 5*time.Second)) // +1: the stdin reader
				return
			}
			if c == "host" {
				fmt.Println("host", r.Host())
				continue
			}
			var next []Service
			if err := json.Unmarshal([]byte(c), &next); err != nil {
				fmt.Println("updated", err)
				continue
			}
			fmt.Println("updated", r.Update(next))
		}
	}
}

// leftGoroutines waits until at most want goroutines run and says "stopped", or "leak" with the
// stacks.
func leftGoroutines(want int, d time.Duration) string {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if runtime.NumGoroutine() <= want {
			return "stopped"
		}
		time.Sleep(20 * time.Millisecond)
	}
	var b strings.Builder
	_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
	return fmt.Sprintf("leak: %d goroutines, want at most %d: %q", runtime.NumGoroutine(), want, b.String())
}

// browseEntry is what the browse helper prints for each instance found.
type browseEntry struct {
	Name, Host, IP string
	Port           int
	Text           []string
}

// TestHelperBrowse browses FREECAM_MDNS_TYPE on FREECAM_MDNS_IFACE with hashicorp/mdns's client
// and prints one JSON line per instance, then "done".
func TestHelperBrowse(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("run by the namespace tests")
	}
	ifi, err := net.InterfaceByName(os.Getenv("FREECAM_MDNS_IFACE"))
	if err != nil {
		fmt.Println("done", err)
		return
	}
	entries := make(chan *hmdns.ServiceEntry, 16)
	p := hmdns.DefaultParams(os.Getenv("FREECAM_MDNS_TYPE"))
	p.Entries = entries
	p.Interface = ifi
	p.DisableIPv6 = true
	p.Timeout = 1500 * time.Millisecond
	p.Logger = nil
	queryErr := make(chan error, 1)
	go func() { queryErr <- hmdns.Query(p); close(entries) }()
	// The client keeps filling an entry after it sent it: read the fields once Query returned.
	var got []*hmdns.ServiceEntry
	for e := range entries {
		got = append(got, e)
	}
	err = <-queryErr
	for _, e := range got {
		b, _ := json.Marshal(browseEntry{Name: e.Name, Host: e.Host, IP: e.AddrV4.String(), Port: e.Port, Text: e.InfoFields})
		fmt.Println(string(b))
	}
	fmt.Println("done", err)
}

// browse runs the browse helper in ns and returns the instances found.
func browse(t *testing.T, ns, iface, typ string) []browseEntry {
	t.Helper()
	h := startHelper(t, ns, "TestHelperBrowse", "FREECAM_MDNS_IFACE="+iface, "FREECAM_MDNS_TYPE="+typ)
	var out []browseEntry
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-h.lines:
			if !ok {
				t.Fatal("browse helper ended without done")
			}
			if strings.HasPrefix(l, "done") {
				if l != "done <nil>" {
					t.Fatalf("browse %s: %s", typ, l)
				}
				return out
			}
			var e browseEntry
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Logf("browse helper: %s", l)
				continue
			}
			if strings.HasSuffix(e.Name, "."+typ+".local.") { // it also hears the others' announcements
				out = append(out, e)
			}
		case <-timeout:
			t.Fatalf("browse %s did not end", typ)
		}
	}
}

// drill asks 224.0.0.251:5353 from ns with ldns's drill, an ordinary (legacy unicast) DNS client,
// and returns its output. dig is not used: BIND 9.18's dig connects its UDP socket to the server
// address, so the kernel drops the answer, which RFC 6762 §6.7 has come from the responder's own
// address (any responder's, avahi's too).
func drill(t *testing.T, ns, name, typ string) string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "exec", ns, "drill", "-p", "5353", name, "@224.0.0.251", typ).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("drill error %v: %s", err, out)
	}
	return string(out)
}

// answers returns the distinct rdata of the answer section's records of type typ in drill's output.
func answers(out, typ string) string {
	var rs []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, ";; ANSWER SECTION"):
			in = true
		case strings.HasPrefix(l, ";;"):
			in = false
		case in:
			f := strings.Fields(l)
			if len(f) >= 5 && f[3] == typ {
				rs = append(rs, strings.Join(f[4:], " "))
			}
		}
	}
	if len(rs) == 0 {
		return "no " + typ + " answer in:\n" + out
	}
	// dnssd answers a host question once per service, repeating the same A record: compare the
	// distinct records.
	slices.Sort(rs)
	return strings.Join(slices.Compact(rs), "; ")
}

func servicesJSON(t *testing.T, s []Service) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func needDrill(t *testing.T) {
	if _, err := exec.LookPath("drill"); err != nil {
		t.Skip("drill is not installed (Debian package ldnsutils)")
	}
}

func TestNamespaces(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	needDrill(t)
	n := newPair(t, "a")
	all := []Service{RTSP(8554), HTTPS(443), ONVIF(80)}
	h := startHelper(t, n.cam, "TestHelperResponder", "FREECAM_MDNS_HOST=dafangtest", "FREECAM_MDNS_SERVICES="+servicesJSON(t, all))
	h.expect(t, "running", 5*time.Second)

	t.Run("host A by legacy unicast (drill)", func(t *testing.T) {
		// Poll: the responder probes for about a second per service before it answers.
		deadline := time.Now().Add(15 * time.Second)
		var got string
		for time.Now().Before(deadline) {
			if got = answers(drill(t, n.peer, "dafangtest.local", "A"), "A"); got == camIP {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if got != camIP {
			t.Fatalf("drill dafangtest.local A: got %q, want %q", got, camIP)
		}
		// A legacy unicast answer is an ordinary DNS answer: from the responder's address, with
		// the query's ID and question.
		full := drill(t, n.peer, "dafangtest.local", "A")
		for _, want := range []string{"rcode: NOERROR", "flags: qr aa", "QUERY: 1,", ";; QUESTION SECTION:\n;; dafangtest.local.\tIN\tA"} {
			if !strings.Contains(full, want) {
				t.Errorf("drill dafangtest.local A: %q missing in\n%s", want, full)
			}
		}
	})

	t.Run("PTR SRV TXT (drill)", func(t *testing.T) {
		for _, c := range []struct{ typ, port, path string }{
			{TypeRTSP, "8554", "/unicast"},
			{TypeHTTPS, "443", "/"},
			{TypeONVIF, "80", "/onvif/device_service"},
		} {
			instance := "dafangtest." + c.typ + ".local."
			if got := answers(drill(t, n.peer, c.typ+".local", "PTR"), "PTR"); got != instance {
				t.Fatalf("PTR %s: got %q, want %q", c.typ, got, instance)
			}
			if got, want := answers(drill(t, n.peer, instance, "SRV"), "SRV"), "0 0 "+c.port+" dafangtest.local."; got != want {
				t.Errorf("SRV %s: got %q, want %q", c.typ, got, want)
			}
			if got, want := answers(drill(t, n.peer, instance, "TXT"), "TXT"), `"path=`+c.path+`"`; got != want {
				t.Errorf("TXT %s: got %q, want %q", c.typ, got, want)
			}
		}
	})

	t.Run("browse with hashicorp/mdns", func(t *testing.T) {
		for _, c := range []struct {
			typ  string
			port int
			txt  string
		}{{TypeRTSP, 8554, "path=/unicast"}, {TypeHTTPS, 443, "path=/"}} {
			es := browse(t, n.peer, n.peerIf, c.typ)
			if len(es) != 1 {
				t.Fatalf("browse %s: got %d instances %+v, want 1", c.typ, len(es), es)
			}
			e := es[0]
			if e.Host != "dafangtest.local." || e.Port != c.port || e.IP != camIP || !slices.Equal(e.Text, []string{c.txt}) {
				t.Errorf("browse %s: got %+v, want host dafangtest.local. port %d ip %s text [%s]", c.typ, e, c.port, camIP, c.txt)
			}
		}
	})

	t.Run("Update withdraws HTTPS", func(t *testing.T) {
		h.send(t, servicesJSON(t, []Service{RTSP(8554), ONVIF(80)}))
		if l := h.expect(t, "updated", 10*time.Second); l != "updated <nil>" {
			t.Fatal(l)
		}
		if es := browse(t, n.peer, n.peerIf, TypeHTTPS); len(es) != 0 {
			t.Errorf("browse %s after withdrawal: got %+v, want nothing", TypeHTTPS, es)
		}
		if got := answers(drill(t, n.peer, "dafangtest.local", "A"), "A"); got != camIP {
			t.Errorf("host record after withdrawal: got %q, want %q", got, camIP)
		}
		if es := browse(t, n.peer, n.peerIf, TypeRTSP); len(es) != 1 || es[0].Port != 8554 {
			t.Errorf("browse %s after withdrawing HTTPS: got %+v, want the RTSP instance", TypeRTSP, es)
		}
		// And back, on another port.
		h.send(t, servicesJSON(t, []Service{RTSP(8554), HTTPS(8443), ONVIF(80)}))
		if l := h.expect(t, "updated", 10*time.Second); l != "updated <nil>" {
			t.Fatal(l)
		}
		if es := browse(t, n.peer, n.peerIf, TypeHTTPS); len(es) != 1 || es[0].Port != 8443 {
			t.Errorf("browse %s after adding it again: got %+v, want port 8443", TypeHTTPS, es)
		}
	})

	t.Run("stop leaves no goroutine", func(t *testing.T) {
		h.send(t, "stop")
		if l := h.expect(t, "", 15*time.Second); l != "stopped" {
			t.Fatal(l)
		}
	})
}

func TestNoMulticastInterface(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ns := fmt.Sprintf("fcmdns%dlo", os.Getpid())
	newNS(t, ns)
	h := startHelper(t, ns, "TestHelperResponder", "FREECAM_MDNS_HOST=lonely", "FREECAM_MDNS_SERVICES="+servicesJSON(t, []Service{RTSP(8554)}))
	h.expect(t, "running", 5*time.Second)
	l := h.expect(t, "run-error", 5*time.Second)
	if want := "run-error nointerface " + ErrNoInterface.Error(); l != want {
		t.Fatalf("got %q, want %q", l, want)
	}
}
