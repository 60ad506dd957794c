package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/testutil"
)

// TestCameraOnItsOwnNetwork runs the whole camera as it runs on a Dafang: as root, with the
// system and mdns services on, inside a network namespace (and its own UTS namespace, so the host
// name it sets is its own) joined to a peer namespace by a veth pair. From the peer, as a laptop
// on the same Wi-Fi would: the camera has the static address of staticip.conf with the gateway
// of defaultgw.conf, drill finds shelfcam.local and its _rtsp._tcp service over mDNS, and the
// web UI and the stream answer at the address mDNS gave. A new staticip.conf and a SIGHUP move
// the camera, and mDNS follows.
func TestCameraOnItsOwnNetwork(t *testing.T) {
	for _, tool := range []struct{ bin, pkg string }{
		{"unshare", "util-linux"}, {"nsenter", "util-linux"}, {"drill", "ldnsutils"}, {"curl", "curl"}, {"ffprobe", "ffmpeg"},
	} {
		if _, err := exec.LookPath(tool.bin); err != nil {
			t.Skipf("%s is not installed (Debian package %s; scripts/install-deps.sh test)", tool.bin, tool.pkg)
		}
	}
	p := testutil.NewNetnsPair(t, "cam")
	testutil.MustRun(t, "ip", "-n", p.Peer, "addr", "add", "10.78.0.1/24", "dev", p.PeerIf)

	cfg := t.TempDir()
	for name, text := range map[string]string{
		"staticip.conf":  "10.78.0.2 netmask 255.255.255.0\n",
		"defaultgw.conf": "10.78.0.1\n",
		"hostname.conf":  "shelfcam\n",
		"timezone.conf":  "Europe/Berlin\n",
		// Nothing answers NTP in the namespace, and swap is not namespaced: both stay off this
		// machine's clock and memory.
		"ntp_srv.conf":    "127.0.0.1\n",
		"swap.conf":       "SWAP_ZRAM=false\nSWAP=false\n",
		"freecam.conf":    "SOURCE=synthetic\nHTTPS_LISTEN=:8443\nHTTP_LISTEN=:8080\n",
		"rtspserver.conf": "PORT=8554\nRTSPOPTS=\"-W320 -H240\"\n",
		"autostart/rtsp":  "", "autostart/system": "", "autostart/mdns": "", "autostart/onvif": "",
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(cfg, name)), 0o755)
		if err := os.WriteFile(filepath.Join(cfg, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := buildBinary(t)
	logs := &testutil.SyncBuffer{}
	// ip netns exec and unshare exec in place: the process is freecam.
	cmd := exec.Command("ip", "netns", "exec", p.Cam, "unshare", "--uts", "--",
		bin, "run", "--config", cfg, "--data", t.TempDir())
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitForLog(t, logs, "freecam running", 60*time.Second)
	waitForLog(t, logs, "zone=Europe/Berlin", time.Second)

	// The kernel's state in the camera's namespace, read with ip -j, not freecam's idea of it.
	testutil.WaitWithin(t, 10*time.Second, "10.78.0.2/24 on "+p.CamIf, func() bool {
		return strings.Contains(run(t, "ip", "-n", p.Cam, "-j", "addr", "show", "dev", p.CamIf), `"local":"10.78.0.2","prefixlen":24`)
	})
	if out := run(t, "ip", "-n", p.Cam, "-j", "route", "show", "default"); !strings.Contains(out, `"gateway":"10.78.0.1"`) {
		t.Errorf("got default route %s, want via 10.78.0.1 (defaultgw.conf)", out)
	}
	if got := strings.TrimSpace(run(t, "nsenter", "-t", fmt.Sprint(cmd.Process.Pid), "-u", "hostname")); got != "shelfcam" {
		t.Errorf("got host name %q in the camera's UTS namespace, want shelfcam (hostname.conf)", got)
	}

	// mDNS from the peer: the host, then the RTSP service's instance and its SRV record.
	addr := mdnsA(t, p.Peer, "shelfcam.local", "10.78.0.2", 20*time.Second)
	ptr := drill(t, p.Peer, "_rtsp._tcp.local", "PTR")
	inst := regexp.MustCompile(`PTR\s+(\S+_rtsp\._tcp\.local\.)`).FindStringSubmatch(ptr)
	if inst == nil {
		t.Fatalf("got no _rtsp._tcp instance over mDNS:\n%s", ptr)
	}
	if srv := drill(t, p.Peer, inst[1], "SRV"); !regexp.MustCompile(`SRV\s+\d+\s+\d+\s+8554\s+shelfcam\.local\.`).MatchString(srv) {
		t.Errorf("got SRV %s, want port 8554 on shelfcam.local", srv)
	}
	for _, typ := range []string{"_https._tcp.local", "_onvif._tcp.local"} {
		if out := drill(t, p.Peer, typ, "PTR"); !strings.Contains(out, typ+".") || !strings.Contains(out, "PTR") {
			t.Errorf("got no %s instance over mDNS:\n%s", typ, out)
		}
	}

	// https://shelfcam.local:8443/ with the address mDNS gave: the login page. The stream too.
	if code := run(t, "ip", "netns", "exec", p.Peer, "curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
		"--resolve", "shelfcam.local:8443:"+addr, "https://shelfcam.local:8443/login"); code != "200" {
		t.Errorf("got HTTP %s for https://shelfcam.local:8443/login from the peer, want 200", code)
	}
	pass := regexp.MustCompile(`with the password: (\S+)`).FindStringSubmatch(logs.String())
	if pass == nil {
		t.Fatalf("got no first admin password on the console; output:\n%s", logs)
	}
	probe := run(t, "ip", "netns", "exec", p.Peer, "ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", "rtsp://admin:"+pass[1]+"@"+addr+":8554/unicast")
	if strings.TrimSpace(probe) != "h264,320,240" {
		t.Errorf("ffprobe from the peer: got %q, want h264,320,240", probe)
	}

	// The user gives the camera another address: applied at the reload, and mDNS follows.
	os.WriteFile(filepath.Join(cfg, "staticip.conf"), []byte("10.78.0.3 netmask 255.255.255.0\n"), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	testutil.WaitWithin(t, 10*time.Second, "10.78.0.3/24 replacing 10.78.0.2", func() bool {
		out := run(t, "ip", "-n", p.Cam, "-j", "addr", "show", "dev", p.CamIf)
		return strings.Contains(out, `"local":"10.78.0.3"`) && !strings.Contains(out, `"local":"10.78.0.2"`)
	})
	mdnsA(t, p.Peer, "shelfcam.local", "10.78.0.3", 30*time.Second)

	// A typo while running: the camera keeps its address, and the API (and the System page)
	// names the file and line.
	os.WriteFile(filepath.Join(cfg, "staticip.conf"), []byte("10.78.0.300 netmask 255.255.255.0\n"), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	testutil.WaitWithin(t, 10*time.Second, "the staticip.conf problem in /api/v1/system", func() bool {
		return strings.Contains(run(t, "ip", "netns", "exec", p.Peer, "curl", "-sk", "-u", "admin:"+pass[1],
			"https://10.78.0.3:8443/api/v1/system"), "staticip.conf line 1")
	})
	if out := run(t, "ip", "-n", p.Cam, "-j", "addr", "show", "dev", p.CamIf); !strings.Contains(out, `"local":"10.78.0.3"`) {
		t.Errorf("got %s after a bad staticip.conf, want 10.78.0.3 kept", out)
	}

	stopWithSIGTERM(t, cmd, logs, 20*time.Second)
	// Stopping leaves the address: the camera stays reachable while freecam restarts.
	if out := run(t, "ip", "-n", p.Cam, "-j", "addr", "show", "dev", p.CamIf); !strings.Contains(out, `"local":"10.78.0.3"`) {
		t.Errorf("got %s after freecam stopped, want 10.78.0.3 kept", out)
	}
}

// run runs a command and returns its output; a failure is reported but not fatal.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Logf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// drill asks the mDNS group from ns (a legacy unicast query, as any DNS client makes).
func drill(t *testing.T, ns, name, typ string) string {
	t.Helper()
	return run(t, "ip", "netns", "exec", ns, "drill", "-p", "5353", "@224.0.0.251", name, typ)
}

// mdnsA waits until name's A record over mDNS is want, and returns it.
func mdnsA(t *testing.T, ns, name, want string, within time.Duration) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\.\s+\d+\s+IN\s+A\s+` + regexp.QuoteMeta(want) + `$`)
	var last string
	deadline := time.Now().Add(within)
	for last = drill(t, ns, name, "A"); !re.MatchString(last); last = drill(t, ns, name, "A") {
		if time.Now().After(deadline) {
			t.Fatalf("got no %s A %s over mDNS within %v; last answer:\n%s", name, want, within, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return want
}
