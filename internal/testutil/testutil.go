// Package testutil holds helpers shared by freecam's end-to-end tests: free loopback ports, a log
// buffer safe for concurrent writers, and skipping when a real peer (ffmpeg, qemu) is missing.
// Only tests import it.
package testutil

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// FreePort returns a TCP port that was free a moment ago, for a server the test starts that
// listens on every interface. It is taken below the kernel's ephemeral range, so that a listener
// another test opens on port 0 meanwhile (an HTTPS server on 127.0.0.1:0) cannot be given it.
func FreePort(t testing.TB) int {
	t.Helper()
	return lowPort(t, "TCP port", func(port int) bool {
		ln, err := net.Listen("tcp", fmt.Sprintf(":%d", port))
		if err != nil {
			return false
		}
		ln.Close()
		return true
	})
}

// FreeUDPPair returns an even UDP port whose successor was free too a moment ago: an RTP/RTCP
// pair, below the ephemeral range like FreePort.
func FreeUDPPair(t testing.TB) int {
	t.Helper()
	return lowPort(t, "UDP port pair", func(port int) bool {
		if port%2 != 0 {
			return false
		}
		a, err1 := net.ListenPacket("udp", fmt.Sprintf(":%d", port))
		b, err2 := net.ListenPacket("udp", fmt.Sprintf(":%d", port+1))
		if a != nil {
			a.Close()
		}
		if b != nil {
			b.Close()
		}
		return err1 == nil && err2 == nil
	})
}

// lowPort tries random ports between 20000 and the start of the ephemeral range until free says
// one is free.
func lowPort(t testing.TB, what string, free func(port int) bool) int {
	t.Helper()
	top := 32768 // Linux's default start of ip_local_port_range
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if lo, err := strconv.Atoi(f[0]); err == nil && lo > 21000 {
				top = lo
			}
		}
	}
	for range 200 {
		port := 20000 + rand.IntN(top-20000-1)
		if free(port) {
			return port
		}
	}
	t.Fatalf("no free %s below %d", what, top)
	return 0
}

// Need skips the test when a program the test talks to is not installed.
func Need(t testing.TB, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed (scripts/install-deps.sh test installs it)", p)
		}
	}
}

// SyncBuffer is a bytes.Buffer that many goroutines (a logger, a child process) may write to while
// the test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Run runs a program the test talks to (ffprobe, ffmpeg …) and returns its combined output; it
// fails the test if the program fails.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// MP4TopBoxes lists the types of an MP4 file's top-level boxes in order, to check for example
// that moov comes before mdat (fast start).
func MP4TopBoxes(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for len(b) >= 8 {
		size := int(binary.BigEndian.Uint32(b))
		if size < 8 || size > len(b) {
			t.Fatalf("%s: bad box size %d", path, size)
		}
		types = append(types, string(b[4:8]))
		b = b[size:]
	}
	return types
}

// Files lists every file under dir, as sorted slash-separated paths relative to dir.
func Files(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// OnvifClient returns the node binary and the node_modules directory holding the npm onvif
// client that `scripts/install-deps.sh test` installs in testdata/onvif-client. A missing one
// fails the test: the ONVIF tests' peer is part of the test set-up, not optional.
func OnvifClient(t testing.TB) (node, modules string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: run scripts/install-deps.sh test")
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	modules = filepath.Join(dir, "testdata", "onvif-client", "node_modules")
	if _, err := os.Stat(filepath.Join(modules, "onvif", "package.json")); err != nil {
		t.Fatalf("the npm onvif client is not installed in %s: run scripts/install-deps.sh test", modules)
	}
	return node, modules
}

// WaitFor polls cond until it holds, and fails the test if it does not within 10 s.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	WaitWithin(t, 10*time.Second, what, cond)
}

// WaitWithin polls cond until it holds, and fails the test if it does not within the given
// time. The polls start a millisecond apart and space out to 50 ms, so a quick condition is seen
// at once and a slow or costly one (a command run in a namespace) is not hammered.
func WaitWithin(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for pause := time.Millisecond; !cond(); pause = min(2*pause, 50*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(pause)
	}
}
