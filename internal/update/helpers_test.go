package update

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"
)

const testPlatform = "linux/testarch"

// tinySource is a stand-in for freecam: `version` prints the version linked in with -X, and
// `version --json` prints it as freecam's JSON (unless json is "no": an older freecam).
const tinySource = `package main

import (
	"fmt"
	"os"
)

var version = "unset"
var json = "yes"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		if len(os.Args) > 2 {
			if os.Args[2] != "--json" || json != "yes" {
				fmt.Fprintln(os.Stderr, "flag provided but not defined:", os.Args[2])
				os.Exit(2)
			}
			fmt.Printf("{\n  \"version\": %q,\n  \"commit\": \"\"\n}\n", version)
			return
		}
		fmt.Println("freecam", version)
		fmt.Println("  commit: unknown")
		return
	}
	fmt.Println("running", version)
}
`

var tinyBuilds = struct {
	sync.Mutex
	bins map[string][]byte
}{bins: map[string][]byte{}}

// tinyBinary builds (once per version per test run) a program that prints "freecam VERSION".
func tinyBinary(t *testing.T, version string) []byte {
	t.Helper()
	return buildTiny(t, version, "yes")
}

// tinyOldBinary is tinyBinary without `version --json`, as an older freecam.
func tinyOldBinary(t *testing.T, version string) []byte {
	t.Helper()
	return buildTiny(t, version, "no")
}

func buildTiny(t *testing.T, version, json string) []byte {
	t.Helper()
	tinyBuilds.Lock()
	defer tinyBuilds.Unlock()
	if b, ok := tinyBuilds.bins[version+"|"+json]; ok {
		return b
	}
	dir, err := os.MkdirTemp("", "freecam-update-tiny-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module tiny\n\ngo 1.22\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte(tinySource), 0o644)
	out := filepath.Join(dir, "tiny")
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(gobin, "build", "-trimpath", "-ldflags", "-s -w -X main.version="+version+" -X main.json="+json, "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the test program: %v\n%s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	tinyBuilds.bins[version+"|"+json] = b
	return b
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func newKey(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

// entry makes a correctly signed manifest entry for data.
func entry(t *testing.T, key ed25519.PrivateKey, version, platform, url string, data []byte) Binary {
	t.Helper()
	sig, err := Sign(key, version, platform, hexSum(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return Binary{URL: url, SHA256: hexSum(data), Size: int64(len(data)), Signature: sig}
}

// server is an HTTPS update server: files by path, a handler override per path.
type server struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string][]byte
	handlers map[string]http.HandlerFunc
}

func newServer(t *testing.T) *server {
	s := &server{files: map[string][]byte{}, handlers: map[string]http.HandlerFunc{}}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.handlers[r.URL.Path]
		data, ok := s.files[r.URL.Path]
		s.mu.Unlock()
		switch {
		case h != nil:
			h(w, r)
		case ok:
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) put(path string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = data
}

func (s *server) handle(path string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[path] = h
}

func (s *server) putManifest(t *testing.T, m Manifest) {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	s.put("/manifest.json", data)
}

// installed writes data as the "running" binary in a fresh directory and returns its path.
func installed(t *testing.T, data []byte) string {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "freecam")
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

// dirNames lists the files in exe's directory.
func dirNames(t *testing.T, exe string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(exe))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func runVersion(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command(path, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("run %s version: %v (%s)", path, err, out)
	}
	first, _, _ := bytes.Cut(out, []byte("\n"))
	return string(bytes.TrimSpace(first))
}
