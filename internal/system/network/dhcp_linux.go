package network

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/freecam/freecam/internal/backoff"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
	"github.com/vishvananda/netlink"
)

// lease is a DHCP ACK parsed into what is applied.
type lease struct {
	raw                   *nclient4.Lease
	addr                  netip.Prefix
	router                netip.Addr
	dns                   []netip.Addr
	domain                string
	search                []string
	length, renew, rebind time.Duration
}

func parseLease(l *nclient4.Lease) (lease, error) {
	ack := l.ACK
	ip, ok := netip.AddrFromSlice(ack.YourIPAddr.To4())
	if !ok || ip.IsUnspecified() {
		return lease{}, fmt.Errorf("the server's answer holds no address")
	}
	mask := ack.SubnetMask()
	if mask == nil {
		mask = ack.YourIPAddr.DefaultMask()
	}
	ones, bits := mask.Size()
	if bits != 32 || ones == 0 {
		return lease{}, fmt.Errorf("the server's subnet mask %s is not usable", net.IP(mask))
	}
	ls := lease{raw: l, addr: netip.PrefixFrom(ip, ones)}
	for _, r := range ack.Router() {
		if a, ok := netip.AddrFromSlice(r.To4()); ok && !a.IsUnspecified() {
			ls.router = a
			break
		}
	}
	for _, d := range ack.DNS() {
		if a, ok := netip.AddrFromSlice(d.To4()); ok && !a.IsUnspecified() {
			ls.dns = append(ls.dns, a)
		}
	}
	ls.domain = ack.DomainName()
	if s := ack.DomainSearch(); s != nil {
		ls.search = s.Labels
	}
	ls.length = ack.IPAddressLeaseTime(time.Hour)
	if ls.length < 10*time.Second {
		ls.length = 10 * time.Second
	}
	ls.renew = ack.IPAddressRenewalTime(ls.length / 2)
	ls.rebind = ack.IPAddressRebindingTime(ls.length * 7 / 8)
	if ls.renew <= 0 || ls.renew > ls.length {
		ls.renew = ls.length / 2
	}
	if ls.rebind < ls.renew || ls.rebind > ls.length {
		ls.rebind = ls.length * 7 / 8
	}
	return ls, nil
}

func (m *Manager) dhcpClient(ifname string) (*nclient4.Client, error) {
	c, err := nclient4.New(ifname, nclient4.WithTimeout(m.opts.DHCPTimeout), nclient4.WithRetry(3))
	if err != nil {
		return nil, fmt.Errorf("network: %s: dhcp: open socket: %w", ifname, err)
	}
	return c, nil
}

func dhcpModifiers(hostname string) []dhcpv4.Modifier {
	mods := []dhcpv4.Modifier{dhcpv4.WithRequestedOptions(
		dhcpv4.OptionSubnetMask, dhcpv4.OptionRouter, dhcpv4.OptionDomainNameServer,
		dhcpv4.OptionDomainName, dhcpv4.OptionDNSDomainSearchList,
		dhcpv4.OptionRenewTimeValue, dhcpv4.OptionRebindingTimeValue)}
	if hostname != "" {
		mods = append(mods, dhcpv4.WithOption(dhcpv4.OptHostName(hostname)))
	}
	return mods
}

// acquire runs DISCOVER/OFFER/REQUEST/ACK, asking for prev when there was one. The socket is
// open only for the exchange: a raw socket sees every IP packet of the link.
func (m *Manager) acquire(ctx context.Context, ifname, hostname string, prev netip.Addr) (*nclient4.Lease, error) {
	c, err := m.dhcpClient(ifname)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	mods := dhcpModifiers(hostname)
	disc := mods
	if prev.IsValid() {
		disc = append(disc[:len(disc):len(disc)], dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(prev.AsSlice())))
	}
	offer, err := c.DiscoverOffer(ctx, disc...)
	if err != nil {
		return nil, fmt.Errorf("network: %s: dhcp: no offer: %w", ifname, err)
	}
	l, err := c.RequestFromOffer(ctx, offer, mods...)
	if err != nil {
		return nil, fmt.Errorf("network: %s: dhcp: request %s: %w", ifname, offer.YourIPAddr, err)
	}
	return l, nil
}

// extend renews (before T2: only the lease's server may answer) or rebinds (after T2: any
// server) the lease.
func (m *Manager) extend(ctx context.Context, ifname, hostname string, l lease, rebinding bool) (*nclient4.Lease, error) {
	c, err := m.dhcpClient(ifname)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	req, err := dhcpv4.NewRenewFromAck(l.raw.ACK, dhcpModifiers(hostname)...)
	if err != nil {
		return nil, fmt.Errorf("network: %s: dhcp: renew: %w", ifname, err)
	}
	match := nclient4.IsMessageType(dhcpv4.MessageTypeAck, dhcpv4.MessageTypeNak)
	if !rebinding {
		match = nclient4.IsAll(nclient4.IsCorrectServer(l.raw.Offer.ServerIdentifier()), match)
	}
	resp, err := c.SendAndRead(ctx, c.RemoteAddr(), req, match)
	if err != nil {
		return nil, fmt.Errorf("network: %s: dhcp: renew %s: %w", ifname, l.addr.Addr(), err)
	}
	if resp.MessageType() == dhcpv4.MessageTypeNak {
		return nil, &nclient4.ErrNak{Offer: l.raw.Offer, Nak: resp}
	}
	return &nclient4.Lease{Offer: l.raw.Offer, ACK: resp, CreationTime: time.Now()}, nil
}

// applyLease puts the lease's address, default route and DNS servers in place.
func (m *Manager) applyLease(ifname string, l lease) error {
	link, err := linkUp(ifname)
	if err != nil {
		return err
	}
	if err := m.setAddress(link, l.addr, l.length); err != nil {
		return err
	}
	var errs []error
	if err := m.setRoute(link, l.router); err != nil {
		errs = append(errs, err)
	}
	if len(l.dns) > 0 {
		if err := writeFileAtomic(m.opts.ResolvPath, []byte(leaseResolv(ifname, l.dns, l.domain, l.search)), 0o644); err != nil {
			errs = append(errs, fmt.Errorf("network: write %s: %w", m.opts.ResolvPath, err))
		}
	}
	m.setState(func(s *State) {
		s.Address, s.Gateway, s.DNS, s.Lease, s.Bound = l.addr, l.router, l.dns, l.length, time.Now()
	})
	return errors.Join(errs...)
}

// deconfigure removes the leased address and route (lease expired, NAK, release).
func (m *Manager) deconfigure(ifname string) {
	if err := m.dropOwned(ifname, netip.Prefix{}); err != nil {
		m.log.Warn("network: dhcp: deconfigure", "err", err)
	}
	if link, err := netlink.LinkByName(ifname); err == nil {
		if err := m.setRoute(link, netip.Addr{}); err != nil {
			m.log.Warn("network: dhcp: deconfigure", "err", err)
		}
	}
	m.setState(func(s *State) { s.Address, s.Gateway, s.DNS, s.Lease = netip.Prefix{}, netip.Addr{}, nil, 0 })
}

// runDHCP is the DHCP client: acquire, hold (renew at T1, rebind at T2), and start again after
// expiry, a NAK or link loss; failures back off (RetryMin doubling to RetryMax). It returns when
// ctx ends, releasing the lease if Close asked for it.
func (m *Manager) runDHCP(ctx context.Context, ifname, hostname string) {
	log := m.log.With("interface", ifname)
	bo := backoff.Backoff{Initial: m.opts.RetryMin, Max: m.opts.RetryMax, ResetAfter: 24 * time.Hour}
	var prev netip.Addr
	failures := 0
	for {
		if !m.waitCarrier(ctx, log, ifname) {
			return
		}
		start := time.Now()
		raw, err := m.acquire(ctx, ifname, hostname, prev)
		var l lease
		if err == nil {
			if l, err = parseLease(raw); err != nil {
				err = fmt.Errorf("network: %s: dhcp: %w", ifname, err)
			}
		}
		if err == nil {
			err = m.applyLease(ifname, l)
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			d := bo.Next(time.Since(start))
			if failures == 1 {
				log.Warn("network: dhcp failed; retrying", "err", err, "retry_in", d.Round(time.Millisecond))
			} else {
				log.Debug("network: dhcp failed again", "err", err, "failures", failures, "retry_in", d.Round(time.Millisecond))
			}
			if !backoff.Sleep(ctx, d) {
				return
			}
			continue
		}
		failures = 0
		bo.Reset()
		prev = l.addr.Addr()
		m.setState(func(s *State) { s.Acquisitions++ })
		log.Info("network: dhcp lease", "address", l.addr, "router", l.router, "dns", l.dns, "lease", l.length)
		m.hold(ctx, log, ifname, hostname, l)
		if ctx.Err() != nil {
			return
		}
	}
}

// hold keeps the lease: it renews at T1, rebinds at T2, and returns at expiry (deconfigured), on
// a NAK (deconfigured), on link loss (address kept, asked for again) or when ctx ends (released
// if Close asked for it).
func (m *Manager) hold(ctx context.Context, log *slog.Logger, ifname, hostname string, l lease) {
	defer func() {
		if ctx.Err() == nil || !m.closing.Load() {
			return
		}
		if m.opts.Release {
			m.release(log, ifname, l)
			return
		}
		// Nothing renews the lease from now on: without this the kernel would remove the
		// address when the lease runs out, and the camera would be unreachable until freecam
		// runs again.
		if link, err := netlink.LinkByName(ifname); err == nil {
			if err := m.setAddress(link, l.addr, 0); err != nil {
				log.Warn("network: keeping the leased address after the DHCP client stopped", "err", err)
				return
			}
		}
		log.Info("network: DHCP client stopped; the leased address is kept without expiry until it runs again", "address", l.addr)
	}()
	next := l.raw.CreationTime.Add(l.renew)
	for {
		t2, exp := l.raw.CreationTime.Add(l.rebind), l.raw.CreationTime.Add(l.length)
		if next.After(exp) {
			next = exp
		}
		switch m.waitUntil(ctx, ifname, next) {
		case waitCanceled:
			return
		case waitLinkLost:
			log.Info("network: link lost; will ask for an address again when it is back")
			m.setState(func(s *State) { s.LinkUp = false })
			return
		}
		now := time.Now()
		if !now.Before(exp) {
			log.Warn("network: dhcp lease expired", "address", l.addr)
			m.deconfigure(ifname)
			return
		}
		rebinding := !now.Before(t2)
		raw, err := m.extend(ctx, ifname, hostname, l, rebinding)
		var nl lease
		if err == nil {
			nl, err = parseLease(raw)
		}
		if err == nil {
			if nl.addr != l.addr {
				log.Info("network: dhcp lease changed", "address", nl.addr, "router", nl.router, "lease", nl.length)
			}
			if err = m.applyLease(ifname, nl); err == nil {
				m.setState(func(s *State) { s.Renewals++ })
				log.Debug("network: dhcp lease renewed", "address", nl.addr, "lease", nl.length, "rebinding", rebinding)
				l = nl
				next = l.raw.CreationTime.Add(l.renew)
				continue
			}
		}
		if ctx.Err() != nil {
			return
		}
		if nak := (*nclient4.ErrNak)(nil); errors.As(err, &nak) {
			log.Warn("network: dhcp server refused the renewal; asking for a new address", "address", l.addr)
			m.deconfigure(ifname)
			return
		}
		// RFC 2131 4.4.5: wait half the time left to T2 (to expiry once past T2), at least RetryMin.
		deadline := t2
		if rebinding {
			deadline = exp
		}
		wait := max(deadline.Sub(now)/2, m.opts.RetryMin)
		log.Debug("network: dhcp renewal failed", "err", err, "retry_in", wait.Round(time.Millisecond))
		next = now.Add(wait)
	}
}

func (m *Manager) release(log *slog.Logger, ifname string, l lease) {
	c, err := m.dhcpClient(ifname)
	if err == nil {
		err = c.Release(l.raw)
		c.Close()
	}
	if err != nil {
		log.Warn("network: dhcp release", "err", err)
	}
	m.deconfigure(ifname)
}

type waitResult int

const (
	waitReached waitResult = iota
	waitCanceled
	waitLinkLost
)

// waitUntil waits for t, checking the carrier every LinkPoll.
func (m *Manager) waitUntil(ctx context.Context, ifname string, t time.Time) waitResult {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	tick := time.NewTicker(m.opts.LinkPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return waitCanceled
		case <-timer.C:
			return waitReached
		case <-tick.C:
			if up, _ := carrier(ifname); !up {
				return waitLinkLost
			}
		}
	}
}

// waitCarrier sets the link up and waits until it has carrier (Wi-Fi: associated). It reports
// false when ctx ended.
func (m *Manager) waitCarrier(ctx context.Context, log *slog.Logger, ifname string) bool {
	logged := false
	for {
		_, err := linkUp(ifname)
		up := false
		if err == nil {
			up, err = carrier(ifname)
		}
		if up {
			m.setState(func(s *State) { s.LinkUp = true })
			return true
		}
		if !logged {
			log.Info("network: waiting for the link", "err", err)
			logged = true
		}
		if !backoff.Sleep(ctx, m.opts.LinkPoll) {
			return false
		}
	}
}
