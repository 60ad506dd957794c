// Package sdnotify tells systemd how freecam is doing when it runs as a Type=notify service:
// READY=1 once the camera runs, WATCHDOG=1 pings while pictures arrive, STOPPING=1 when it
// stops. It writes datagrams to the unix socket named by NOTIFY_SOCKET and does nothing when
// there is none (not under systemd). It only writes; it never reads the environment itself:
// the caller passes NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID in.
package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// The states freecam sends.
const (
	Ready    = "READY=1"
	Stopping = "STOPPING=1"
	Watchdog = "WATCHDOG=1"
)

// Notifier sends state lines to systemd. A nil *Notifier is valid and sends nothing. It is
// goroutine-safe (each Notify is one datagram on its own connection).
type Notifier struct {
	addr *net.UnixAddr
}

// New returns a Notifier for NOTIFY_SOCKET's value: a path, or an abstract socket written with
// a leading @. An empty socket gives nil (not under systemd).
func New(socket string) *Notifier {
	if socket == "" {
		return nil
	}
	return &Notifier{addr: &net.UnixAddr{Name: socket, Net: "unixgram"}}
}

// writeTimeout bounds one datagram: systemd reads its socket at once, and a notification must
// never hold the camera up.
const writeTimeout = time.Second

// Notify sends one or more state lines (Ready, "STATUS=…" …) in one datagram.
func (n *Notifier) Notify(states ...string) error {
	if n == nil {
		return nil
	}
	if len(states) == 0 {
		return errors.New("sdnotify: nothing to send")
	}
	msg := make([]byte, 0, 64)
	for i, s := range states {
		if i > 0 {
			msg = append(msg, '\n')
		}
		msg = append(msg, s...)
	}
	conn, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sdnotify: %s: %w", n.addr.Name, err)
	}
	defer conn.Close()
	_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := conn.Write(msg); err != nil {
		return fmt.Errorf("sdnotify: %s: %w", n.addr.Name, err)
	}
	return nil
}

// WatchdogInterval is how often to send Watchdog: half of WATCHDOG_USEC, as sd_watchdog_enabled
// advises. It is 0 (no watchdog) when usec is empty or not a positive number, or when pid is set
// and is not this process's (the watchdog is meant for another process).
func WatchdogInterval(usec, pid string, self int) time.Duration {
	us, err := strconv.ParseUint(usec, 10, 63)
	if err != nil || us == 0 {
		return 0
	}
	if pid != "" {
		if p, err := strconv.Atoi(pid); err != nil || p != self {
			return 0
		}
	}
	return time.Duration(us) * time.Microsecond / 2
}
