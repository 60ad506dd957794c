package network

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A camera whose old boot scripts still run, or a board whose OS has its own network tools,
// already has a wpa_supplicant or a DHCP client on the interface. A second one would fight it
// (two wpa_supplicants on one radio, two leases), so freecam leaves that part to the one that
// runs and says so.

// wifiClients and dhcpClients are the programs that manage Wi-Fi and DHCP leases; managers
// handle every interface.
var (
	wifiClients = []string{"wpa_supplicant", "iwd"}
	dhcpClients = []string{"udhcpc", "dhclient", "dhcpcd"}
	managers    = []string{"NetworkManager", "systemd-networkd", "connmand"}
)

// otherProcess is a process found by runningClient.
type otherProcess struct {
	PID     int
	Command string // its command line, spaces between the arguments
}

// runningClient finds a running process in this network namespace, other than this one, whose
// program is one of names and whose arguments name ifname (or that name no interface at all: it
// may take every one), or one of the managers. procRoot is /proc.
func runningClient(procRoot string, names []string, ifname string) (otherProcess, bool) {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return otherProcess{}, false
	}
	self := os.Getpid()
	ourNet, _ := os.Readlink(filepath.Join(procRoot, "self", "ns", "net"))
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		// A program in another network namespace manages other interfaces.
		if net, err := os.Readlink(filepath.Join(procRoot, e.Name(), "ns", "net")); err == nil && ourNet != "" && net != ourNet {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(procRoot, e.Name(), "cmdline"))
		if err != nil || len(raw) == 0 {
			continue
		}
		args := strings.Split(string(bytes.TrimRight(raw, "\x00")), "\x00")
		prog := filepath.Base(args[0])
		cmd := otherProcess{PID: pid, Command: strings.Join(args, " ")}
		for _, m := range managers {
			if prog == m {
				return cmd, true
			}
		}
		for _, n := range names {
			if prog == n && (namesInterface(args[1:], ifname) || !namesAnyInterface(args[1:])) {
				return cmd, true
			}
		}
	}
	return otherProcess{}, false
}

// namesInterface reports whether args hold "-i IF", "-iIF", "--interface IF", "--interface=IF"
// or IF as a bare argument (dhclient wlan0, dhcpcd wlan0).
func namesInterface(args []string, ifname string) bool {
	for i, a := range args {
		switch {
		case a == ifname, a == "-i"+ifname, a == "--interface="+ifname:
			return true
		case (a == "-i" || a == "--interface") && i+1 < len(args) && args[i+1] == ifname:
			return true
		}
	}
	return false
}

// namesAnyInterface reports whether args choose an interface with -i or --interface.
func namesAnyInterface(args []string) bool {
	for _, a := range args {
		if strings.HasPrefix(a, "-i") || strings.HasPrefix(a, "--interface") {
			return true
		}
	}
	return false
}
