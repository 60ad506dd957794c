package network

import (
	"bytes"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fakeProc builds a /proc with one process per command line (arguments separated by spaces),
// numbered from 100; netns gives a process's network namespace ("" for this one's).
func fakeProc(t *testing.T, procs map[int][2]string) string {
	t.Helper()
	root := t.TempDir()
	mk := func(dir, cmdline, netns string) {
		os.MkdirAll(filepath.Join(root, dir, "ns"), 0o755)
		os.WriteFile(filepath.Join(root, dir, "cmdline"), []byte(strings.ReplaceAll(cmdline, " ", "\x00")+"\x00"), 0o644)
		os.Symlink(netns, filepath.Join(root, dir, "ns", "net"))
	}
	mk("self", "freecam run", "net:[1]")
	for pid, p := range procs {
		ns := p[1]
		if ns == "" {
			ns = "net:[1]"
		}
		mk(strconv.Itoa(pid), p[0], ns)
	}
	os.WriteFile(filepath.Join(root, "uptime"), []byte("1 1\n"), 0o644) // not a process
	return root
}

func TestRunningClient(t *testing.T) {
	tests := []struct {
		name   string
		procs  map[int][2]string
		names  []string
		ifname string
		want   int // the pid found, 0 for none
	}{
		{"the firmware's wpa_supplicant", map[int][2]string{100: {"/system/sdcard/bin/wpa_supplicant -B -i wlan0 -c /system/sdcard/config/wpa_supplicant.conf -P /var/run/wpa_supplicant.pid", ""}}, wifiClients, "wlan0", 100},
		{"-iwlan0 in one argument", map[int][2]string{101: {"wpa_supplicant -iwlan0 -c x", ""}}, wifiClients, "wlan0", 101},
		{"another interface's", map[int][2]string{102: {"wpa_supplicant -i wlan1 -c x", ""}}, wifiClients, "wlan0", 0},
		{"busybox udhcpc", map[int][2]string{103: {"udhcpc -i wlan0 -p /var/run/udhcpc.pid -b -x hostname:DAFANG", ""}}, dhcpClients, "wlan0", 103},
		{"dhclient naming the interface bare", map[int][2]string{104: {"/sbin/dhclient -4 -v eth0", ""}}, dhcpClients, "eth0", 104},
		{"a client for every interface", map[int][2]string{105: {"dhcpcd -q -b", ""}}, dhcpClients, "eth0", 105},
		{"in another network namespace", map[int][2]string{106: {"udhcpc -i eth0", "net:[2]"}}, dhcpClients, "eth0", 0},
		{"NetworkManager takes everything", map[int][2]string{107: {"/usr/sbin/NetworkManager --no-daemon", ""}}, dhcpClients, "eth0", 107},
		{"unrelated programs", map[int][2]string{108: {"sshd -D", ""}, 109: {"udhcpd /etc/udhcpd.conf", ""}}, dhcpClients, "eth0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := runningClient(fakeProc(t, tt.procs), tt.names, tt.ifname)
			if ok != (tt.want != 0) || got.PID != tt.want {
				t.Errorf("got %+v, %v, want pid %d", got, ok, tt.want)
			}
		})
	}
}

// Apply leaves Wi-Fi to a wpa_supplicant that runs already, and says so.
func TestApplyLeavesWiFiToARunningWPASupplicant(t *testing.T) {
	sys := t.TempDir()
	// A link name no machine has: the static address below must fail, never touch a real link.
	os.MkdirAll(filepath.Join(sys, "fcnolink0", "wireless"), 0o755)
	proc := fakeProc(t, map[int][2]string{200: {"wpa_supplicant -B -i fcnolink0 -c /etc/wpa.conf", ""}})
	var logs bytes.Buffer
	m := New(Options{SysClassNet: sys, ProcRoot: proc, WPASupplicant: "/nonexistent/wpa_supplicant",
		Log: slog.New(slog.NewTextHandler(&logs, nil)), Interface: "fcnolink0"})
	defer m.Close()
	// Static, so that no DHCP client starts; the address fails on the missing link, but no
	// "not installed" error comes for wpa_supplicant, because none is started.
	err := m.Apply(t.Context(), Config{WPAConfig: "/cfg/wpa_supplicant.conf", Address: netip.MustParsePrefix("192.0.2.10/24")})
	if err != nil && strings.Contains(err.Error(), "wpa_supplicant") {
		t.Errorf("got %v, want no attempt to run wpa_supplicant", err)
	}
	if !strings.Contains(logs.String(), "Wi-Fi is managed by a program that already runs") || !strings.Contains(logs.String(), "pid=200") {
		t.Errorf("got log %q, want the running wpa_supplicant named", logs.String())
	}
}
