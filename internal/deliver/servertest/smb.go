package servertest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/testutil"
)

// Where Debian installs Samba's server and its password tool.
const (
	SmbdBinary      = "/usr/sbin/smbd"
	SmbpasswdBinary = "/usr/bin/smbpasswd"
)

// SMBServer is a running smbd with one share, [cam], writable by one local user. Its methods are
// not safe for concurrent use with each other (tests drive it from one goroutine).
type SMBServer struct {
	Host  string // 127.0.0.1
	Port  int
	Addr  string // host:port
	Share string // "cam"
	User  string
	Pass  string

	t    testing.TB
	dir  string // the share's directory
	proc proc
}

// StartSMB starts smbd for a temporary local user with the given password (named as in StartFTP;
// log in as SMBServer.User) and one share "cam", and waits until it accepts connections. Its
// state (passdb, locks, pid, cache) lives in the test's temp dir. The test's cleanup stops it and
// deletes the user. It skips the test when Samba is missing or the test does not run as root.
func StartSMB(t testing.TB, user, pass string) *SMBServer {
	t.Helper()
	needRoot(t, "smbd", SmbdBinary, SmbpasswdBinary)
	u := newUser(t, user, pass)
	dir := t.TempDir()
	share := filepath.Join(u.Home, "share")
	if err := os.Mkdir(share, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(share, u.UID, u.GID); err != nil {
		t.Fatal(err)
	}
	s := &SMBServer{t: t, Host: "127.0.0.1", Port: testutil.FreePort(t), Share: "cam", User: u.Name, Pass: pass, dir: share}
	s.Addr = net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	state := filepath.Join(dir, "state")
	for _, d := range []string{"private", "lock", "state", "cache", "pid", "ncalrpc", "logs"} {
		if err := os.MkdirAll(filepath.Join(state, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	conf := fmt.Sprintf(`[global]
	server role = standalone server
	workgroup = FREECAM
	netbios name = FREECAMTEST
	smb ports = %d
	interfaces = 127.0.0.1
	bind interfaces only = yes
	disable netbios = yes
	server min protocol = SMB2
	map to guest = never
	passdb backend = tdbsam:%s
	private dir = %s
	lock directory = %s
	state directory = %s
	cache directory = %s
	pid directory = %s
	ncalrpc dir = %s
	log file = %s
	log level = 1
	max log size = 0
	load printers = no
	printing = bsd
	printcap name = /dev/null
	disable spoolss = yes
	rpc start on demand helpers = no

[cam]
	path = %s
	read only = no
	valid users = %s
	create mask = 0644
	directory mask = 0755
`, s.Port, filepath.Join(state, "private", "passdb.tdb"), filepath.Join(state, "private"),
		filepath.Join(state, "lock"), filepath.Join(state, "state"), filepath.Join(state, "cache"),
		filepath.Join(state, "pid"), filepath.Join(state, "ncalrpc"), filepath.Join(state, "logs", "log.%m"),
		share, u.Name)
	cfg := filepath.Join(dir, "smb.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(SmbpasswdBinary, "-c", cfg, "-a", "-s", u.Name)
	cmd.Stdin = strings.NewReader(pass + "\n" + pass + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("servertest: smbpasswd -a %s: %v: %s", u.Name, err, out)
	}
	s.proc = proc{bin: SmbdBinary, args: []string{"--foreground", "--no-process-group", "--debug-stdout", "-s", cfg}, addr: s.Addr, logPath: filepath.Join(dir, "smbd.log")}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("smbd log:\n%s", s.proc.log())
		}
	})
	s.Start()
	return s
}

// Dir is the share's directory: a path p inside the share lands at Dir()/p.
func (s *SMBServer) Dir() string { return s.dir }

// Stop ends smbd and every connection's process. Stopping a stopped server does nothing.
func (s *SMBServer) Stop() { s.proc.stop() }

// Start starts smbd again (after Stop) on the same port with the same user and share, and waits
// until it accepts connections. Starting a running server stops it first.
func (s *SMBServer) Start() {
	s.t.Helper()
	s.Stop()
	if err := s.proc.start(10 * time.Second); err != nil {
		s.t.Fatalf("%v\nsmbd log:\n%s", err, s.proc.log())
	}
}
