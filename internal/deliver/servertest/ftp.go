package servertest

import (
	"crypto/x509"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/testutil"
)

// VsftpdBinary is where Debian installs vsftpd.
const VsftpdBinary = "/usr/sbin/vsftpd"

// FTPServer is a running vsftpd with one local user, chrooted to the user's home. Its methods
// are not safe for concurrent use with each other (tests drive it from one goroutine).
type FTPServer struct {
	Host string // 127.0.0.1
	Port int
	Addr string // host:port of the control connection
	User string
	Pass string
	// RootCAs trusts the server's self-signed certificate (127.0.0.1); nil without TLS.
	RootCAs *x509.CertPool

	t    testing.TB
	root string
	proc proc
}

// StartFTP starts vsftpd for a temporary local user with the given password and waits until it accepts connections. Passive mode only,
// data ports from a free range on 127.0.0.1. The test's cleanup stops it and deletes the user.
// It skips the test when vsftpd is missing or the test does not run as root.
// The user's name is user (letters and digits, "cam" if empty) plus a random suffix, so parallel
// tests never share an account: log in as FTPServer.User.
func StartFTP(t testing.TB, user, pass string) *FTPServer {
	t.Helper()
	return startFTP(t, user, pass, false)
}

// StartFTPTLS is StartFTP with explicit TLS required for logins and data (AUTH TLS, PROT P,
// the data connection resuming the control's TLS session) and a self-signed certificate for
// 127.0.0.1 that FTPServer.RootCAs trusts.
func StartFTPTLS(t testing.TB, user, pass string) *FTPServer {
	t.Helper()
	return startFTP(t, user, pass, true)
}

func startFTP(t testing.TB, user, pass string, withTLS bool) *FTPServer {
	t.Helper()
	needRoot(t, "vsftpd", VsftpdBinary)
	u := newUser(t, user, pass)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty") // secure_chroot_dir: empty, root-owned, not writable
	if err := os.Mkdir(empty, 0o555); err != nil {
		t.Fatal(err)
	}
	s := &FTPServer{t: t, Host: "127.0.0.1", Port: testutil.FreePort(t), User: u.Name, Pass: pass, root: u.Home}
	s.Addr = net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	lo, hi := freeRange(t, 16)
	conf := strings.Join([]string{
		"listen=YES",
		"listen_ipv6=NO",
		"listen_address=" + s.Host,
		"listen_port=" + strconv.Itoa(s.Port),
		"background=NO",
		"anonymous_enable=NO",
		"local_enable=YES",
		"write_enable=YES",
		"local_umask=022",
		"chroot_local_user=YES",
		"allow_writeable_chroot=YES",
		"userlist_enable=NO",
		"pam_service_name=vsftpd",
		"secure_chroot_dir=" + empty,
		"seccomp_sandbox=NO", // containers refuse vsftpd's seccomp filter
		"isolate=NO",
		"isolate_network=NO",
		"connect_from_port_20=NO",
		"port_enable=NO",
		"pasv_enable=YES",
		"pasv_address=" + s.Host,
		"pasv_min_port=" + strconv.Itoa(lo),
		"pasv_max_port=" + strconv.Itoa(hi),
		"xferlog_enable=YES",
		"log_ftp_protocol=YES",
		"vsftpd_log_file=" + filepath.Join(dir, "vsftpd.log"),
		"",
	}, "\n")
	if withTLS {
		cert, key, pool := selfSigned(t, dir)
		s.RootCAs = pool
		conf += strings.Join([]string{
			"ssl_enable=YES",
			"rsa_cert_file=" + cert,
			"rsa_private_key_file=" + key,
			"force_local_logins_ssl=YES",
			"force_local_data_ssl=YES",
			"require_ssl_reuse=YES",
			"ssl_tlsv1=NO",
			"ssl_sslv2=NO",
			"ssl_sslv3=NO",
			"",
		}, "\n")
	}
	cfg := filepath.Join(dir, "vsftpd.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	s.proc = proc{bin: VsftpdBinary, args: []string{cfg}, addr: s.Addr, logPath: filepath.Join(dir, "stdout.log")}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("vsftpd output:\n%s\nvsftpd log:\n%s", s.proc.log(), readFile(filepath.Join(dir, "vsftpd.log")))
		}
	})
	if err := s.proc.start(5 * time.Second); err != nil {
		t.Fatalf("%v\nvsftpd output:\n%s", err, s.proc.log())
	}
	return s
}

// Root is the user's home, the FTP root: a relative remote path p lands at Root()/p.
func (s *FTPServer) Root() string { return s.root }

// Stop ends vsftpd and every session it forked. Stopping a stopped server does nothing.
func (s *FTPServer) Stop() { s.proc.stop() }

// Restart stops vsftpd if it runs and starts it again on the same ports for the same user.
func (s *FTPServer) Restart() {
	s.t.Helper()
	s.Stop()
	if err := s.proc.start(10 * time.Second); err != nil {
		s.t.Fatalf("%v\nvsftpd output:\n%s", err, s.proc.log())
	}
}

// freeRange returns n consecutive TCP ports on 127.0.0.1 that were all free a moment ago.
func freeRange(t testing.TB, n int) (lo, hi int) {
	t.Helper()
	for range 200 {
		lo = 20000 + rand.IntN(30000)
		ok := true
		for p := lo; p < lo+n && ok; p++ {
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				break
			}
			ln.Close()
		}
		if ok {
			return lo, lo + n - 1
		}
	}
	t.Fatal("servertest: no free range of ports")
	return 0, 0
}

func readFile(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return string(data)
}
