// Package mosquittotest starts a real mosquitto broker for tests: free loopback ports, a
// generated config in the test's temp dir, optional users, TLS (a generated CA) and persistence,
// and an in-process subscriber that plays Home Assistant. Only tests import it; it never touches
// the system broker or port 1883.
package mosquittotest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/testutil"
)

// Options choose the broker's set-up. The zero value is an anonymous plain-TCP broker without
// persistence.
type Options struct {
	// Users are user → password; empty means allow_anonymous true.
	Users map[string]string
	// TLS adds a second listener with a generated server certificate (127.0.0.1, localhost)
	// signed by a generated CA (Broker.CAFile).
	TLS bool
	// Persistence keeps retained messages and sessions across Restart.
	Persistence bool
}

// Broker is a running mosquitto. Its methods are not safe for concurrent use with each other
// (tests drive it from one goroutine).
type Broker struct {
	Addr    string // plain listener, host:port
	TLSAddr string // TLS listener, host:port; empty without Options.TLS
	Host    string // 127.0.0.1
	Port    int
	TLSPort int
	// CAFile is the PEM path of the CA that signed the TLS listener's certificate.
	CAFile string
	// CA signs further certificates (client certificates for tests); nil without TLS.
	CA *CA

	t       testing.TB
	dir     string
	conf    string
	logPath string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd exits
}

// Binary returns the mosquitto executable's path, or "" when it is not installed.
func Binary() string {
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// Start starts mosquitto and waits until it accepts connections; the test's cleanup stops it.
// It skips the test when mosquitto is not installed.
func Start(t testing.TB, opts Options) *Broker {
	t.Helper()
	bin := Binary()
	if bin == "" {
		t.Skip("mosquitto is not installed (scripts/install-deps.sh test installs it)")
	}
	dir := t.TempDir()
	b := &Broker{t: t, dir: dir, Host: "127.0.0.1", Port: testutil.FreePort(t), logPath: filepath.Join(dir, "mosquitto.log")}
	b.Addr = net.JoinHostPort(b.Host, strconv.Itoa(b.Port))

	var conf strings.Builder
	conf.WriteString("per_listener_settings false\n")
	if os.Geteuid() == 0 {
		// mosquitto drops root for the "mosquitto" user, which cannot read the temp dir.
		if u, err := user.Current(); err == nil {
			fmt.Fprintf(&conf, "user %s\n", u.Username)
		}
	}
	conf.WriteString("log_dest stderr\nlog_type all\nconnection_messages true\n")
	fmt.Fprintf(&conf, "listener %d %s\n", b.Port, b.Host)
	if len(opts.Users) == 0 {
		conf.WriteString("allow_anonymous true\n")
	} else {
		conf.WriteString("allow_anonymous false\n")
		pw := filepath.Join(dir, "passwd")
		if err := os.WriteFile(pw, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		for u, p := range opts.Users {
			out, err := exec.Command("mosquitto_passwd", "-b", pw, u, p).CombinedOutput()
			if err != nil {
				t.Fatalf("mosquitto_passwd: %v: %s", err, out)
			}
		}
		fmt.Fprintf(&conf, "password_file %s\n", pw)
	}
	if opts.TLS {
		ca, err := NewCA(dir, "ca")
		if err != nil {
			t.Fatal(err)
		}
		cert, key, err := ca.Issue(dir, "server")
		if err != nil {
			t.Fatal(err)
		}
		b.CA, b.CAFile = ca, ca.File
		b.TLSPort = testutil.FreePort(t)
		b.TLSAddr = net.JoinHostPort(b.Host, strconv.Itoa(b.TLSPort))
		fmt.Fprintf(&conf, "listener %d %s\ncafile %s\ncertfile %s\nkeyfile %s\n", b.TLSPort, b.Host, ca.File, cert, key)
	}
	if opts.Persistence {
		pdir := filepath.Join(dir, "persist") + "/"
		if err := os.Mkdir(pdir, 0o700); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&conf, "persistence true\npersistence_location %s\nautosave_interval 1\n", pdir)
	} else {
		conf.WriteString("persistence false\n")
	}
	b.conf = filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(b.conf, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		b.Stop()
		if t.Failed() {
			t.Logf("mosquitto log:\n%s", b.Log())
		}
	})
	if err := b.start(bin, 5*time.Second); err != nil {
		t.Fatalf("%v\nmosquitto log:\n%s", err, b.Log())
	}
	return b
}

// Stop terminates the broker (SIGTERM) and waits for it to exit. Stopping a stopped broker does
// nothing.
func (b *Broker) Stop() {
	b.mu.Lock()
	cmd, done := b.cmd, b.done
	b.cmd, b.done = nil, nil
	b.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// Restart stops the broker if it runs and starts it again on the same ports with the same users,
// certificates and persistence directory.
func (b *Broker) Restart() {
	b.t.Helper()
	b.Stop()
	if err := b.start(Binary(), 10*time.Second); err != nil {
		b.t.Fatalf("%v\nmosquitto log:\n%s", err, b.Log())
	}
}

// Log returns what the broker logged so far (across restarts).
func (b *Broker) Log() string {
	data, err := os.ReadFile(b.logPath)
	if err != nil {
		return err.Error()
	}
	return string(data)
}

// start runs mosquitto until both listeners accept connections, retrying while the bind fails
// (a port in TIME_WAIT after Restart).
func (b *Broker) start(bin string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		err := b.startOnce(bin, deadline)
		if err == nil {
			return nil
		}
		if !errors.Is(err, errExited) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond) // the port is not free yet: try the bind again
	}
}

var errExited = errors.New("mosquitto exited")

func (b *Broker) startOnce(bin string, deadline time.Time) error {
	logf, err := os.OpenFile(b.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("mosquittotest: %w", err)
	}
	cmd := exec.Command(bin, "-c", b.conf)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("mosquittotest: start %s: %w", bin, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(done)
	}()
	addrs := []string{b.Addr}
	if b.TLSAddr != "" {
		addrs = append(addrs, b.TLSAddr)
	}
	for _, a := range addrs {
		for {
			select {
			case <-done:
				return fmt.Errorf("mosquittotest: %w before listening on %s", errExited, a)
			default:
			}
			c, err := net.DialTimeout("tcp", a, time.Second)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				<-done
				return fmt.Errorf("mosquittotest: broker not listening on %s: %w", a, err)
			}
			time.Sleep(20 * time.Millisecond) // polling the listener, not waiting for a goroutine
		}
	}
	b.mu.Lock()
	b.cmd, b.done = cmd, done
	b.mu.Unlock()
	return nil
}
