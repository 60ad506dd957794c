package network

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/freecam/freecam/internal/conf"
)

// The files Load reads from the config directory, as the firmware names them.
const (
	HostnameFile = "hostname.conf"
	StaticIPFile = "staticip.conf"
	GatewayFile  = "defaultgw.conf"
	ResolvFile   = "resolv.conf"
	WPAFile      = "wpa_supplicant.conf"
	USBEthFile   = "usb_eth_driver.conf"
)

// maxFile bounds what Load reads of one file (the camera has 64 MB).
const maxFile = 64 << 10

// Config is the network part of the firmware's config directory, parsed and checked.
// The zero value means: DHCP, host name unchanged, no Wi-Fi, interface chosen by Load.
type Config struct {
	// Hostname from hostname.conf; "" leaves the host name as it is.
	Hostname string
	// Address from staticip.conf ("192.168.1.2 netmask 255.255.255.0" → 192.168.1.2/24). The
	// zero (invalid) Prefix means DHCP.
	Address netip.Prefix
	// Gateway from defaultgw.conf, used only with a static Address (like the firmware). Zero: no
	// default route is set.
	Gateway netip.Addr
	// Resolv is resolv.conf's text, copied to Options.ResolvPath only with a static Address and
	// only when HasResolv (the file exists), like the firmware.
	Resolv    string
	HasResolv bool
	// WPAConfig is the path of wpa_supplicant.conf when it exists, else "".
	WPAConfig string
	// USBEthernet: usb_eth_driver.conf exists, so the camera uses eth0 and no Wi-Fi.
	USBEthernet bool
	// Interface is the link to configure, chosen by Load as the firmware does: eth0 with
	// usb_eth_driver.conf, else wlan0 when it exists, else the first non-loopback Ethernet-like
	// link (up ones first). Options.Interface overrides it.
	Interface string
}

// Static reports whether the config asks for a static address (staticip.conf non-empty).
func (c Config) Static() bool { return c.Address.IsValid() }

// Load reads the network files in configDir. Missing files mean the defaults (DHCP, host name
// unchanged); only X.conf is read, never X.conf.dist (the firmware copies a .dist into place on
// first use, and never does so for staticip.conf). Every error names the file and line; all bad
// files are reported at once. With errors, the Config returned leaves out what was refused and
// can still be applied at boot, so that a typo does not leave the camera unreachable: a bad
// staticip.conf means DHCP, a bad gateway no default route, a bad resolv.conf no copy, a bad
// hostname.conf the host name as it is.
func Load(configDir string) (Config, error) {
	var c Config
	var errs []error
	read := func(name string) ([]byte, bool) {
		data, ok, err := readSmall(filepath.Join(configDir, name))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		return data, ok
	}

	if data, ok := read(HostnameFile); ok {
		h, err := parseHostname(data)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %w", HostnameFile, err))
		} else {
			c.Hostname = h
		}
	}
	if data, ok := read(StaticIPFile); ok {
		p, err := ParseStaticIP(data)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %w", StaticIPFile, err))
		} else {
			c.Address = p
		}
	}
	if data, ok := read(GatewayFile); ok {
		gw, n, err := parseGateway(data)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s %w", GatewayFile, err))
		case gw.IsValid() && c.Address.IsValid() && !c.Address.Masked().Contains(gw):
			errs = append(errs, fmt.Errorf("%s line %d: the gateway %s is not in the static network %s of %s; fix one of the two files",
				GatewayFile, n, gw, c.Address.Masked(), StaticIPFile))
		default:
			c.Gateway = gw
		}
	}
	if data, ok := read(ResolvFile); ok {
		if err := CheckResolv(data); err != nil {
			errs = append(errs, fmt.Errorf("%s %w", ResolvFile, err))
		} else {
			c.Resolv, c.HasResolv = string(data), true
		}
	}
	if _, err := os.Stat(filepath.Join(configDir, WPAFile)); err == nil {
		c.WPAConfig = filepath.Join(configDir, WPAFile)
	}
	if _, err := os.Stat(filepath.Join(configDir, USBEthFile)); err == nil {
		c.USBEthernet = true
	}
	c.Interface = pickInterface(c.USBEthernet, systemLinks())
	return c, errors.Join(errs...)
}

// readSmall reads a text file of at most maxFile bytes; a missing file is (nil, false, nil).
func readSmall(path string) ([]byte, bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	switch {
	case err != nil:
		return nil, false, err
	case len(data) > maxFile:
		return nil, false, fmt.Errorf("larger than %d KiB", maxFile>>10)
	case !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0:
		return nil, false, fmt.Errorf("not a text file")
	}
	return data, true, nil
}

// numbered is a line that holds a value (not blank, not a # comment) and its 1-based number.
type numbered struct {
	n    int
	text string
}

func valueLines(data []byte) []numbered {
	var out []numbered
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, numbered{i + 1, l})
		}
	}
	return out
}

// oneValue returns the single value line of a one-value file, or none.
func oneValue(data []byte) (numbered, bool, error) {
	ls := valueLines(data)
	switch len(ls) {
	case 0:
		return numbered{}, false, nil
	case 1:
		return ls[0], true, nil
	}
	return numbered{}, false, fmt.Errorf("line %d: one value only (line %d already holds %q)", ls[1].n, ls[0].n, ls[0].text)
}

// maxHostname is the kernel's limit (HOST_NAME_MAX).
const maxHostname = 64

func parseHostname(data []byte) (string, error) {
	l, ok, err := oneValue(data)
	if !ok || err != nil {
		return "", err
	}
	if !conf.ValidHostname(l.text) || len(l.text) > maxHostname {
		return "", fmt.Errorf("line %d: %q is not a host name: at most %d letters, digits, '-' and '.', for example DAFANG", l.n, l.text, maxHostname)
	}
	return l.text, nil
}

// ParseStaticIP parses staticip.conf: "ADDRESS netmask MASK" (the firmware's ifconfig arguments)
// on one line, or nothing (DHCP, the zero Prefix). Errors start with "line N:". The importer's
// check could share it.
func ParseStaticIP(data []byte) (netip.Prefix, error) {
	l, ok, err := oneValue(data)
	if !ok || err != nil {
		return netip.Prefix{}, err
	}
	bad := func(why string) error {
		return fmt.Errorf("line %d: want ADDRESS netmask MASK, for example 192.168.1.2 netmask 255.255.255.0 (got %q): %s", l.n, l.text, why)
	}
	f := strings.Fields(l.text)
	if len(f) != 3 || f[1] != "netmask" {
		return netip.Prefix{}, bad("three words")
	}
	addr, err := netip.ParseAddr(f[0])
	if err != nil || !addr.Is4() {
		return netip.Prefix{}, bad("the address is not an IPv4 address")
	}
	if addr.IsUnspecified() || addr.IsLoopback() || addr.IsMulticast() || addr == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return netip.Prefix{}, bad("the address cannot be given to a camera")
	}
	mask, err := netip.ParseAddr(f[2])
	if err != nil || !mask.Is4() {
		return netip.Prefix{}, bad("the netmask is not an IPv4 mask")
	}
	m4 := mask.As4()
	ones, bits := net.IPMask(m4[:]).Size()
	if bits == 0 || ones == 0 {
		return netip.Prefix{}, bad("the netmask is not contiguous ones then zeros")
	}
	p := netip.PrefixFrom(addr, ones)
	if ones <= 30 { // /31 and /32 have no network or broadcast address
		host := binary.BigEndian.Uint32(addr.AsSlice()) &^ binary.BigEndian.Uint32(m4[:])
		switch host {
		case 0:
			return netip.Prefix{}, bad(fmt.Sprintf("%s is the network's own address (%s), not one a camera can have", addr, p.Masked()))
		case ^binary.BigEndian.Uint32(m4[:]):
			return netip.Prefix{}, bad(fmt.Sprintf("%s is the broadcast address of %s, not one a camera can have", addr, p.Masked()))
		}
	}
	return p, nil
}

func parseGateway(data []byte) (netip.Addr, int, error) {
	l, ok, err := oneValue(data)
	if !ok || err != nil {
		return netip.Addr{}, 0, err
	}
	gw, err := netip.ParseAddr(l.text)
	if err != nil || !gw.Is4() || gw.IsUnspecified() || gw.IsMulticast() {
		return netip.Addr{}, 0, fmt.Errorf("line %d: want the gateway's IPv4 address, for example 192.168.1.1 (got %q)", l.n, l.text)
	}
	return gw, l.n, nil
}

// CheckResolv checks resolv.conf's lines: nameserver ADDRESS, domain, search, options, sortlist,
// comments (# or ;). Errors start with "line N:". The importer's check could share it.
func CheckResolv(data []byte) error {
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' || l[0] == ';' {
			continue
		}
		f := strings.Fields(l)
		switch f[0] {
		case "nameserver":
			if len(f) != 2 {
				return fmt.Errorf("line %d: nameserver must be followed by one IP address (got %q)", i+1, l)
			}
			if _, err := netip.ParseAddr(f[1]); err != nil {
				return fmt.Errorf("line %d: nameserver must be followed by an IP address (got %q)", i+1, l)
			}
		case "domain", "search", "options", "sortlist":
		default:
			return fmt.Errorf("line %d: not a resolv.conf line: want nameserver, domain, search or options (got %q)", i+1, l)
		}
	}
	return nil
}

// link is what interface choice needs to know of a network link.
type link struct {
	name     string
	up       bool
	loopback bool
	ether    bool // has a 6-byte hardware address
}

func systemLinks() []link {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	out := make([]link, 0, len(ifs))
	for _, i := range ifs {
		out = append(out, link{
			name:     i.Name,
			up:       i.Flags&net.FlagUp != 0,
			loopback: i.Flags&net.FlagLoopback != 0,
			ether:    len(i.HardwareAddr) == 6,
		})
	}
	return out
}

// pickInterface chooses the link as the firmware does: eth0 with usb_eth_driver.conf, else wlan0
// when it exists, else the first up non-loopback Ethernet-like link, else the first one that is
// down. "" when there is none.
func pickInterface(usbEth bool, links []link) string {
	if usbEth {
		return "eth0"
	}
	for _, l := range links {
		if l.name == "wlan0" {
			return l.name
		}
	}
	for _, wantUp := range []bool{true, false} {
		for _, l := range links {
			if !l.loopback && l.ether && l.up == wantUp {
				return l.name
			}
		}
	}
	return ""
}
