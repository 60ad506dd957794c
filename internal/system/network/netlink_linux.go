package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// setHostname sets the kernel's host name when it differs, and says whether it did.
func setHostname(name string) (changed bool, err error) {
	if cur, err := os.Hostname(); err == nil && cur == name {
		return false, nil
	}
	return true, unix.Sethostname([]byte(name))
}

// applyStatic: link up, the address, the default route, resolv.conf.
func (m *Manager) applyStatic(ctx context.Context, ifname string, cfg Config) error {
	l, err := linkUp(ifname)
	if err != nil {
		return err
	}
	if err := m.setAddress(l, cfg.Address, 0); err != nil {
		return err
	}
	m.setState(func(s *State) { s.Address, s.LinkUp = cfg.Address, true })
	var errs []error
	if err := m.setRoute(l, cfg.Gateway); err != nil {
		errs = append(errs, err)
	} else {
		m.setState(func(s *State) { s.Gateway = cfg.Gateway })
	}
	switch {
	case cfg.HasResolv && !hasNameserver(cfg.Resolv):
		// An empty or all-comment file would take name resolution away (NTP, mail, Telegram).
		m.log.Warn("network: resolv.conf names no nameserver; "+m.opts.ResolvPath+" is left as it is", "interface", ifname)
	case cfg.HasResolv:
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("network: %w", err)
		}
		if err := writeFileAtomic(m.opts.ResolvPath, []byte(cfg.Resolv), 0o644); err != nil {
			errs = append(errs, fmt.Errorf("network: write %s: %w", m.opts.ResolvPath, err))
		}
	}
	m.log.Info("network: static address set", "interface", ifname, "address", cfg.Address, "gateway", cfg.Gateway)
	return errors.Join(errs...)
}

// linkUp finds the link and sets it administratively up.
func linkUp(ifname string) (netlink.Link, error) {
	l, err := netlink.LinkByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("network: %s: find link: %w", ifname, err)
	}
	if l.Attrs().Flags&net.FlagUp == 0 {
		if err := netlink.LinkSetUp(l); err != nil {
			return nil, fmt.Errorf("network: %s: set link up: %w", ifname, err)
		}
	}
	return l, nil
}

func prefixNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// ownLabel is the label of the addresses freecam sets on ifname ("wlan0:fc", the alias form
// IPv4 labels take), so that a freecam started later finds the ones an earlier run left (a
// leased address kept without expiry when it stopped). "" when the name leaves no room.
func ownLabel(ifname string) string {
	if len(ifname)+len(":fc") > 15 {
		return ""
	}
	return ifname + ":fc"
}

// adoptKept takes over the addresses an earlier freecam left on ifname (by their label): they
// are removed when this run sets an address of its own, and not before, so that the camera
// stays reachable until then.
func (m *Manager) adoptKept(ifname string) {
	label := ownLabel(ifname)
	l, err := netlink.LinkByName(ifname)
	if label == "" || err != nil {
		return
	}
	addrs, err := netlink.AddrList(l, unix.AF_INET)
	if err != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range addrs {
		if a.Label != label {
			continue
		}
		p, ok := netip.AddrFromSlice(a.IP.To4())
		if !ok {
			continue
		}
		ones, _ := a.Mask.Size()
		o := ownedAddr{ifname, netip.PrefixFrom(p, ones)}
		if !slices.Contains(m.owned, o) && !slices.Contains(m.kept, o) {
			m.kept = append(m.kept, o)
			m.log.Info("network: an address an earlier run kept stays until this one sets its own", "interface", ifname, "address", o.prefix)
		}
	}
}

// setAddress puts p on the link (replacing it if present, with a lifetime for a lease) after
// removing the other addresses freecam set, in this run or kept by an earlier one. They go
// first: deleting a primary address would take a new secondary in the same subnet with it.
func (m *Manager) setAddress(l netlink.Link, p netip.Prefix, lifetime time.Duration) error {
	ifname := l.Attrs().Name
	if err := m.dropOwned(ifname, p); err != nil {
		return err
	}
	if err := m.dropKept(ifname, p); err != nil {
		return err
	}
	a := &netlink.Addr{IPNet: prefixNet(p), Label: ownLabel(ifname)}
	if lifetime > 0 {
		secs := int(lifetime / time.Second)
		a.ValidLft, a.PreferedLft = secs, secs
	}
	if err := netlink.AddrReplace(l, a); err != nil {
		return fmt.Errorf("network: %s: set address %s: %w", ifname, p, err)
	}
	m.mu.Lock()
	if !slices.Contains(m.owned, ownedAddr{ifname, p}) {
		m.owned = append(m.owned, ownedAddr{ifname, p})
	}
	m.mu.Unlock()
	return nil
}

// dropOwned removes the IPv4 addresses freecam set, except keep on ifname. Addresses freecam did
// not set (link-local, IPv6, the system's) are never touched.
func (m *Manager) dropOwned(ifname string, keep netip.Prefix) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	m.owned, errs = dropAddrs(m.owned, ifname, keep)
	return errors.Join(errs...)
}

// dropKept removes the addresses an earlier run kept on ifname, except keep.
func (m *Manager) dropKept(ifname string, keep netip.Prefix) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	var rest []ownedAddr
	for _, o := range m.kept {
		if o.ifname != ifname {
			rest = append(rest, o)
			continue
		}
		var left []ownedAddr
		left, errs = dropAddrs([]ownedAddr{o}, ifname, keep)
		rest = append(rest, left...)
	}
	m.kept = rest
	return errors.Join(errs...)
}

// dropAddrs removes the addresses of list except keep on ifname and returns those left.
func dropAddrs(list []ownedAddr, ifname string, keep netip.Prefix) ([]ownedAddr, []error) {
	var errs []error
	kept := list[:0]
	for _, o := range list {
		if o.ifname == ifname && o.prefix == keep {
			kept = append(kept, o)
			continue
		}
		l, err := netlink.LinkByName(o.ifname)
		if err != nil {
			continue // the link is gone, and its addresses with it
		}
		err = netlink.AddrDel(l, &netlink.Addr{IPNet: prefixNet(o.prefix)})
		if err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) && !errors.Is(err, unix.ENODEV) {
			errs = append(errs, fmt.Errorf("network: %s: remove old address %s: %w", o.ifname, o.prefix, err))
			kept = append(kept, o)
		}
	}
	return kept, errs
}

var defaultDst = &net.IPNet{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)}

// setRoute replaces the default route with one via gw on the link, or, with no gw, removes the
// default route freecam set before.
func (m *Manager) setRoute(l netlink.Link, gw netip.Addr) error {
	ifname := l.Attrs().Name
	m.mu.Lock()
	old := m.route
	m.mu.Unlock()
	if gw.IsValid() {
		r := &netlink.Route{LinkIndex: l.Attrs().Index, Dst: defaultDst, Gw: gw.AsSlice()}
		if err := netlink.RouteReplace(r); err != nil {
			return fmt.Errorf("network: %s: set default route via %s: %w", ifname, gw, err)
		}
		m.mu.Lock()
		m.route = &ownedRoute{ifname, gw}
		m.mu.Unlock()
		if old == nil || old.ifname == ifname {
			return nil // replaced in place
		}
	}
	if old == nil {
		return nil
	}
	m.mu.Lock()
	if !gw.IsValid() {
		m.route = nil
	}
	m.mu.Unlock()
	ol, err := netlink.LinkByName(old.ifname)
	if err != nil {
		return nil
	}
	err = netlink.RouteDel(&netlink.Route{LinkIndex: ol.Attrs().Index, Dst: defaultDst, Gw: old.gw.AsSlice()})
	if err != nil && !errors.Is(err, unix.ESRCH) && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("network: %s: remove old default route via %s: %w", old.ifname, old.gw, err)
	}
	return nil
}

// carrier reports whether the link exists, is up and has carrier (for Wi-Fi: is associated).
func carrier(ifname string) (bool, error) {
	l, err := netlink.LinkByName(ifname)
	if err != nil {
		return false, err
	}
	a := l.Attrs()
	return a.Flags&net.FlagUp != 0 && a.RawFlags&unix.IFF_LOWER_UP != 0, nil
}
