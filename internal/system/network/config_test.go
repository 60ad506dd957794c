package network

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    Config // Interface, WPAConfig not compared
		wantWPA bool
		wantErr []string // substrings of the error
	}{
		{name: "empty dir means DHCP, host name unchanged", files: nil},
		{
			name: "static like the firmware",
			files: map[string]string{
				"hostname.conf":  "cam1\n",
				"staticip.conf":  "# comment\n\n192.168.1.2 netmask 255.255.255.0\n",
				"defaultgw.conf": "192.168.1.1\n",
				"resolv.conf":    "nameserver 192.168.1.1\nsearch lan\n",
			},
			want: Config{Hostname: "cam1", Address: netip.MustParsePrefix("192.168.1.2/24"),
				Gateway: netip.MustParseAddr("192.168.1.1"), Resolv: "nameserver 192.168.1.1\nsearch lan\n", HasResolv: true},
		},
		{
			name:  "empty staticip.conf means DHCP",
			files: map[string]string{"staticip.conf": "# only comments\n", "defaultgw.conf": "10.0.0.1"},
			want:  Config{Gateway: netip.MustParseAddr("10.0.0.1")},
		},
		{
			name:  "usb ethernet and wifi presence",
			files: map[string]string{"usb_eth_driver.conf": "# comments only\n", "wpa_supplicant.conf": "network={}\n"},
			want:  Config{USBEthernet: true}, wantWPA: true,
		},
		{name: "staticip without netmask", files: map[string]string{"staticip.conf": "192.168.1.2\n"},
			wantErr: []string{"staticip.conf line 1: want ADDRESS netmask MASK"}},
		{name: "staticip bad address on line 3", files: map[string]string{"staticip.conf": "#\n\n192.168.1.300 netmask 255.255.255.0\n"},
			wantErr: []string{"staticip.conf line 3:", "not an IPv4 address"}},
		{name: "staticip non-contiguous mask", files: map[string]string{"staticip.conf": "192.168.1.2 netmask 255.0.255.0\n"},
			wantErr: []string{"staticip.conf line 1:", "not contiguous"}},
		{name: "staticip the broadcast address", files: map[string]string{"staticip.conf": "192.168.1.255 netmask 255.255.255.0\n"},
			wantErr: []string{"staticip.conf line 1:", "broadcast address of 192.168.1.0/24"}},
		{name: "staticip the network address", files: map[string]string{"staticip.conf": "10.0.0.0 netmask 255.0.0.0\n"},
			wantErr: []string{"staticip.conf line 1:", "the network's own address (10.0.0.0/8)"}},
		{name: "staticip two lines", files: map[string]string{"staticip.conf": "192.168.1.2 netmask 255.255.255.0\n192.168.1.3 netmask 255.255.255.0\n"},
			wantErr: []string{"staticip.conf line 2: one value only"}},
		{name: "gateway not an address", files: map[string]string{"defaultgw.conf": "# gw\nrouter.lan\n"},
			wantErr: []string{"defaultgw.conf line 2: want the gateway's IPv4 address"}},
		{name: "gateway outside the static network",
			files:   map[string]string{"staticip.conf": "192.168.1.2 netmask 255.255.255.0", "defaultgw.conf": "10.0.0.1"},
			wantErr: []string{"defaultgw.conf line 1: the gateway 10.0.0.1 is not in the static network 192.168.1.0/24"}},
		{name: "bad resolv line", files: map[string]string{"resolv.conf": "nameserver 1.1.1.1\nnameserver dns.google\n"},
			wantErr: []string{"resolv.conf line 2: nameserver must be followed by an IP address"}},
		{name: "bad hostname", files: map[string]string{"hostname.conf": "my camera\n"},
			wantErr: []string{"hostname.conf line 1: \"my camera\" is not a host name"}},
		{name: "every bad file is reported",
			files:   map[string]string{"hostname.conf": "-x", "staticip.conf": "x"},
			wantErr: []string{"hostname.conf line 1", "staticip.conf line 1"}},
		{name: "binary file", files: map[string]string{"staticip.conf": "\x00\x01"},
			wantErr: []string{"staticip.conf: not a text file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			got, err := Load(dir)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("got no error, want one containing %q", tt.wantErr)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("got error %q, want it to contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if (got.WPAConfig != "") != tt.wantWPA {
				t.Errorf("got WPAConfig %q, want present=%v", got.WPAConfig, tt.wantWPA)
			}
			if tt.wantWPA && got.WPAConfig != filepath.Join(dir, "wpa_supplicant.conf") {
				t.Errorf("got WPAConfig %q, want the config dir's file", got.WPAConfig)
			}
			if tt.want.USBEthernet && got.Interface != "eth0" {
				t.Errorf("got Interface %q with usb_eth_driver.conf, want eth0", got.Interface)
			}
			got.Interface, got.WPAConfig = "", ""
			if got.Hostname != tt.want.Hostname || got.Address != tt.want.Address || got.Gateway != tt.want.Gateway ||
				got.Resolv != tt.want.Resolv || got.HasResolv != tt.want.HasResolv || got.USBEthernet != tt.want.USBEthernet {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if got.Static() != tt.want.Address.IsValid() {
				t.Errorf("got Static() %v, want %v", got.Static(), tt.want.Address.IsValid())
			}
		})
	}
}

const distDir = "../../../../shared/fixtures/dafang-config"

// The firmware reads only X.conf; X.conf.dist is a template copied into place on first use
// (hostname.conf at every boot when missing; staticip.conf never, so a fresh card uses DHCP).
func TestLoadFirmwareDist(t *testing.T) {
	if _, err := os.Stat(filepath.Join(distDir, "staticip.conf.dist")); err != nil {
		t.Skipf("the firmware's config fixtures are absent (%v)", err)
	}
	names := []string{"hostname", "staticip", "defaultgw", "resolv", "wpa_supplicant"}

	t.Run("only .dist files: defaults", func(t *testing.T) {
		dir := t.TempDir()
		for _, n := range names {
			copyFile(t, filepath.Join(distDir, n+".conf.dist"), filepath.Join(dir, n+".conf.dist"))
		}
		c, err := Load(dir)
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
		if c.Static() || c.Hostname != "" || c.HasResolv || c.WPAConfig != "" || c.Gateway.IsValid() {
			t.Errorf("got %+v, want the defaults (DHCP, host name unchanged, no Wi-Fi config)", c)
		}
	})
	t.Run(".dist copied to .conf", func(t *testing.T) {
		dir := t.TempDir()
		for _, n := range names {
			copyFile(t, filepath.Join(distDir, n+".conf.dist"), filepath.Join(dir, n+".conf"))
		}
		c, err := Load(dir)
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
		if want := netip.MustParsePrefix("192.168.1.2/24"); c.Address != want {
			t.Errorf("got address %v, want %v", c.Address, want)
		}
		if want := netip.MustParseAddr("192.168.1.1"); c.Gateway != want {
			t.Errorf("got gateway %v, want %v", c.Gateway, want)
		}
		if c.Hostname != "DAFANG" {
			t.Errorf("got host name %q, want DAFANG", c.Hostname)
		}
		if !c.HasResolv || !strings.Contains(c.Resolv, "#nameserver 192.168.1.1") {
			t.Errorf("got resolv %v %q, want the commented example copied as is", c.HasResolv, c.Resolv)
		}
		if c.WPAConfig == "" {
			t.Error("got no WPAConfig, want wpa_supplicant.conf")
		}
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPickInterface(t *testing.T) {
	lo := link{name: "lo", up: true, loopback: true}
	tests := []struct {
		name   string
		usbEth bool
		links  []link
		want   string
	}{
		{"usb ethernet is eth0 even before the driver", true, []link{lo, {name: "wlan0", ether: true}}, "eth0"},
		{"wlan0 when present, even down", false, []link{lo, {name: "eth1", up: true, ether: true}, {name: "wlan0", ether: true}}, "wlan0"},
		{"first up ethernet-like", false, []link{lo, {name: "eth0", ether: true}, {name: "tun0", up: true}, {name: "veth1", up: true, ether: true}}, "veth1"},
		{"else the first down one", false, []link{lo, {name: "eth0", ether: true}}, "eth0"},
		{"nothing", false, []link{lo}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pickInterface(tt.usbEth, tt.links); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWriteFileAtomic(t *testing.T) {
	p := filepath.Join(t.TempDir(), "resolv.conf")
	for _, s := range []string{"nameserver 1.1.1.1\n", "nameserver 9.9.9.9\n"} {
		if err := writeFileAtomic(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != s {
			t.Fatalf("got %q %v, want %q", got, err, s)
		}
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("got mode %v, want 0644", fi.Mode().Perm())
	}
	if ents, _ := os.ReadDir(filepath.Dir(p)); len(ents) != 1 {
		t.Errorf("got %d files, want 1 (no temporary file left)", len(ents))
	}
}

func FuzzParseStaticIP(f *testing.F) {
	f.Add("192.168.1.2 netmask 255.255.255.0")
	f.Add("# c\n10.0.0.10 netmask 255.0.0.0\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseStaticIP([]byte(s))
		if err == nil && p.IsValid() && (!p.Addr().Is4() || p.Bits() < 1) {
			t.Errorf("got %v, want an IPv4 prefix", p)
		}
	})
}

// A typo must not leave the camera unreachable at boot: what was refused is left out, the rest
// still applies, and a bad static address means DHCP.
func TestLoadFallsBackOnErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		HostnameFile:  "garage\n",
		StaticIPFile:  "10.92.0.300 netmask 255.255.255.0\n",
		GatewayFile:   "10.92.0.1\n",
		ResolvFile:    "nameserver 10.92.0.1\n",
		"unused.conf": "",
	})
	c, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), "staticip.conf line 1") {
		t.Fatalf("got %v, want the staticip.conf error", err)
	}
	if c.Static() || c.Hostname != "garage" {
		t.Errorf("got static=%v hostname %q, want DHCP and the host name garage", c.Static(), c.Hostname)
	}

	dir = writeFiles(t, map[string]string{HostnameFile: "bad_name\n", StaticIPFile: "10.92.0.3 netmask 255.255.255.0\n", GatewayFile: "10.1.1.1\n"})
	c, err = Load(dir)
	if err == nil || c.Hostname != "" || c.Address.String() != "10.92.0.3/24" || c.Gateway.IsValid() {
		t.Errorf("got %+v, %v; want the static address kept, no host name and no gateway (both refused)", c, err)
	}
}
