package sdnotify

import (
	"net"
	"path/filepath"
	"testing"
	"time"
)

// listen opens a unixgram socket as systemd does and returns what arrives on it.
func listen(t *testing.T, name string) <-chan string {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listen %s: %v", name, err)
	}
	t.Cleanup(func() { conn.Close() })
	got := make(chan string, 16)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				close(got)
				return
			}
			got <- string(buf[:n])
		}
	}()
	return got
}

func receive(t *testing.T, got <-chan string) string {
	t.Helper()
	select {
	case m := <-got:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("got no datagram in 5 s, want one")
		return ""
	}
}

func TestNotifySendsDatagrams(t *testing.T) {
	for _, tt := range []struct{ name, socket string }{
		{"path", filepath.Join(t.TempDir(), "notify")},
		{"abstract", "@freecam-sdnotify-test-" + time.Now().Format("150405.000000000")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := listen(t, tt.socket)
			n := New(tt.socket)
			if err := n.Notify(Ready, "STATUS=camera running"); err != nil {
				t.Fatal(err)
			}
			if m, want := receive(t, got), "READY=1\nSTATUS=camera running"; m != want {
				t.Errorf("got %q, want %q", m, want)
			}
			if err := n.Notify(Watchdog); err != nil {
				t.Fatal(err)
			}
			if m := receive(t, got); m != Watchdog {
				t.Errorf("got %q, want %q", m, Watchdog)
			}
		})
	}
}

func TestNotifyWithoutSystemd(t *testing.T) {
	var n *Notifier = New("")
	if n != nil {
		t.Fatalf("got %v for an empty NOTIFY_SOCKET, want nil", n)
	}
	if err := n.Notify(Ready); err != nil {
		t.Errorf("got %v from a nil Notifier, want nil", err)
	}
}

func TestNotifyToAMissingSocketFails(t *testing.T) {
	n := New(filepath.Join(t.TempDir(), "absent"))
	if err := n.Notify(Ready); err == nil {
		t.Errorf("got no error sending to a socket nobody listens on, want one")
	}
}

func TestWatchdogInterval(t *testing.T) {
	tests := []struct {
		name, usec, pid string
		want            time.Duration
	}{
		{"half", "10000000", "", 5 * time.Second},
		{"our pid", "2000000", "42", time.Second},
		{"another pid", "2000000", "43", 0},
		{"unset", "", "", 0},
		{"zero", "0", "", 0},
		{"garbage", "ten", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WatchdogInterval(tt.usec, tt.pid, 42); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
