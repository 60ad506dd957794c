package tlscert

import (
	"fmt"
	"net"
	"slices"
)

// LocalAddrs returns the unicast addresses of the interfaces that are up, loopback included and
// link-local excluded, always with 127.0.0.1 and ::1, sorted and without duplicates.
func LocalAddrs() ([]net.IP, error) {
	ips := []net.IP{net.IPv4(127, 0, 0, 1).To4(), net.IPv6loopback}
	ifaces, err := net.Interfaces()
	if err != nil {
		return ips, fmt.Errorf("tlscert: list interfaces: %w", err)
	}
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			var ip net.IP
			switch v := a.(type) {
			case *net.IPNet:
				ip = v.IP
			case *net.IPAddr:
				ip = v.IP
			}
			if usableIP(ip) {
				ips = append(ips, normIP(ip))
			}
		}
	}
	return uniqIPs(ips), nil
}

func usableIP(ip net.IP) bool {
	if ip == nil || ip.IsUnspecified() || ip.IsMulticast() {
		return false
	}
	if ip.IsLinkLocalUnicast() {
		return false
	}
	return ip.IsLoopback() || ip.IsGlobalUnicast()
}

func normIP(ip net.IP) net.IP {
	if v4 := ip.To4(); v4 != nil {
		return v4
	}
	return ip.To16()
}

func uniqIPs(ips []net.IP) []net.IP {
	out := make([]net.IP, 0, len(ips))
	for _, ip := range ips {
		ip = normIP(ip)
		if ip != nil && !containsIP(out, ip) {
			out = append(out, ip)
		}
	}
	slices.SortFunc(out, func(a, b net.IP) int { return slices.Compare(a.To16(), b.To16()) })
	return out
}

func containsIP(list []net.IP, ip net.IP) bool {
	return slices.ContainsFunc(list, func(x net.IP) bool { return x.Equal(ip) })
}
