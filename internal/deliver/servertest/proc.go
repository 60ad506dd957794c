package servertest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// proc is a server process in its own process group (so Stop also ends the per-connection
// children vsftpd and smbd fork), logging to a file that survives restarts.
type proc struct {
	bin     string
	args    []string
	addr    string // host:port it listens on
	logPath string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd exits
}

var errExited = errors.New("exited")

// start runs the server until it accepts connections, retrying while it exits early (the port of
// a previous run still held).
func (p *proc) start(within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		err := p.startOnce(deadline)
		if err == nil {
			return nil
		}
		if !errors.Is(err, errExited) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond) // the port is not free yet: try the bind again
	}
}

func (p *proc) startOnce(deadline time.Time) error {
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("servertest: %w", err)
	}
	cmd := exec.Command(p.bin, p.args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("servertest: start %s: %w", p.bin, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(done)
	}()
	for {
		select {
		case <-done:
			return fmt.Errorf("servertest: %s %w before listening on %s", p.bin, errExited, p.addr)
		default:
		}
		c, err := net.DialTimeout("tcp", p.addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			return fmt.Errorf("servertest: %s not listening on %s: %w", p.bin, p.addr, err)
		}
		time.Sleep(20 * time.Millisecond) // polling the listener, not waiting for a goroutine
	}
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
	return nil
}

// stop ends the server's process group (SIGTERM, SIGKILL after 5 s) and waits for the server to
// exit, then until its port refuses connections. Stopping a stopped server does nothing.
func (p *proc) stop() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd, p.done = nil, nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	pgid := cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	// Children (one per connection) may outlive the listener; end them all.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-done
}

// log returns what the server logged so far.
func (p *proc) log() string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return err.Error()
	}
	return string(data)
}
