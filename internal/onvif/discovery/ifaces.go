package discovery

import (
	"net"
	"net/netip"
	"slices"
	"time"
)

// rescanEvery is how often the interfaces are listed again, so that a new address (Wi-Fi
// joining late, a DHCP renewal with a new lease) is joined and announced with Hello.
const rescanEvery = 30 * time.Second

// iface is an interface we join the group on.
type iface struct {
	index int
	name  string
	addrs []netip.Prefix // its IPv4 addresses
}

// announce is a Hello to send: on ifi, for its address addr.
type announce struct {
	ifi  iface
	addr netip.Addr
}

// listInterfaces returns the up, multicast-capable, non-loopback interfaces with an IPv4
// address, restricted to names when names is not empty.
func listInterfaces(names []string) ([]iface, error) {
	all, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	var out []iface
	for _, ni := range all {
		if len(names) > 0 && !slices.Contains(names, ni.Name) {
			continue
		}
		if ni.Flags&net.FlagUp == 0 || ni.Flags&net.FlagMulticast == 0 || ni.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ni.Addrs()
		if err != nil {
			continue
		}
		var v4 []netip.Prefix
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip, ok := netip.AddrFromSlice(ipn.IP)
			if !ok {
				continue
			}
			ip = ip.Unmap()
			if !ip.Is4() {
				continue
			}
			ones, _ := ipn.Mask.Size()
			v4 = append(v4, netip.PrefixFrom(ip, ones))
		}
		if len(v4) > 0 {
			out = append(out, iface{index: ni.Index, name: ni.Name, addrs: v4})
		}
	}
	return out, nil
}

// diffInterfaces compares two scans: join are the interfaces that appeared, leave those gone,
// and hello one announce per interface that appeared or gained an address (for its first new
// address).
func diffInterfaces(old, cur []iface) (join, leave []iface, hello []announce) {
	find := func(list []iface, index int) (iface, bool) {
		for _, i := range list {
			if i.index == index {
				return i, true
			}
		}
		return iface{}, false
	}
	for _, c := range cur {
		o, ok := find(old, c.index)
		if !ok {
			join = append(join, c)
			hello = append(hello, announce{c, c.addrs[0].Addr()})
			continue
		}
		for _, a := range c.addrs {
			if !slices.ContainsFunc(o.addrs, func(p netip.Prefix) bool { return p.Addr() == a.Addr() }) {
				hello = append(hello, announce{c, a.Addr()})
				break
			}
		}
	}
	for _, o := range old {
		if _, ok := find(cur, o.index); !ok {
			leave = append(leave, o)
		}
	}
	return join, leave, hello
}

// localFor picks the address a reply to src should advertise: the address of interface index
// (or, if unknown, of any interface) whose subnet holds src, else that interface's first address.
// It returns the zero Addr when nothing fits.
func localFor(ifs []iface, index int, src netip.Addr) netip.Addr {
	var first netip.Addr
	for _, i := range ifs {
		if index > 0 && i.index != index {
			continue
		}
		for _, p := range i.addrs {
			if p.Contains(src) {
				return p.Addr()
			}
			if !first.IsValid() {
				first = p.Addr()
			}
		}
	}
	return first
}
