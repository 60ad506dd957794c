package app

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/freecam/freecam/internal/camera"
)

// primaryMAC is the hardware address of the first interface that is up, not loopback and has
// one: the camera's stable identity for Home Assistant. "" when there is none.
func primaryMAC() string {
	ifs, err := net.Interfaces()
	if err != nil {
		return ""
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp != 0 && ifc.Flags&net.FlagLoopback == 0 && len(ifc.HardwareAddr) == 6 {
			return ifc.HardwareAddr.String()
		}
	}
	return ""
}

// readWiFi reads the first wireless interface of /proc/net/wireless, nil when there is none.
func readWiFi(path string) *camera.WiFi {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return parseWireless(b)
}

// parseWireless parses /proc/net/wireless:
//
//	Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE
//	 face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22
//	 wlan0: 0000   49.  -61.  -256        0      0      0      0      0        0
func parseWireless(b []byte) *camera.WiFi {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 4 {
			continue
		}
		num := func(s string) (int, bool) {
			v, err := strconv.ParseFloat(strings.TrimSuffix(s, "."), 64)
			return int(v), err == nil
		}
		link, ok1 := num(f[1])
		level, ok2 := num(f[2])
		noise, ok3 := num(f[3])
		if !ok1 || !ok2 || !ok3 {
			continue
		}
		if level > 0 { // some drivers report 256-based unsigned values
			level -= 256
		}
		if noise > 0 || noise < -200 { // -256: the driver does not report noise
			noise = 0
		}
		return &camera.WiFi{Interface: strings.TrimSpace(name), SignalDBm: level, LinkQuality: link, NoiseDBm: noise}
	}
	return nil
}

// primaryIPv4 is the first IPv4 address of an interface that is up and not loopback, "" if none.
func primaryIPv4() string {
	ifs, err := net.Interfaces()
	if err != nil {
		return ""
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, ad := range addrs {
			if ipn, ok := ad.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLinkLocalUnicast() {
				return ipn.IP.String()
			}
		}
	}
	return ""
}
