package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/mdns"
	"github.com/freecam/freecam/internal/service"
	"github.com/freecam/freecam/internal/system/network"
)

// The mdns service replaces the firmware's mdns-responder: it answers <hostname>.local and
// announces the listeners that run and that other machines can reach (RTSP, HTTPS, ONVIF). It
// is an App service (appservice.go): a reload that restarts the video only updates the
// announcements.

// mdnsInterfacePoll is how often the interfaces' addresses are compared, so that an address
// that comes later (a DHCP lease, Wi-Fi joining) is announced.
const mdnsInterfacePoll = 10 * time.Second

// mdnsSettle lets a burst of service changes (a reload stops and starts them all) end before
// the announcements change, so that browsers do not see them withdrawn and back.
const mdnsSettle = time.Second

func (a *App) newMDNSService() *appService {
	log := a.log.With("component", "mdns")
	return a.newAppService("mdns", func(ctx context.Context) error { return a.runMDNS(ctx, log) }, log)
}

// runMDNS runs the responder until ctx ends. A new host name, or a change of the interfaces'
// addresses, starts it again (the library joins the multicast group on the interfaces there are
// when it starts).
func (a *App) runMDNS(ctx context.Context, log *slog.Logger) error {
	defer a.mdnsResponder.Store(nil)
	sub := a.bus.Subscribe("mdns", 16, event.ServiceState, event.ConfigReloaded)
	defer sub.Close()
	poll := time.NewTicker(mdnsInterfacePoll)
	defer poll.Stop()
	for {
		addrs := interfaceAddrs()
		err := a.serveMDNS(ctx, sub, poll, addrs)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, mdns.ErrNoInterface):
			log.Info("mdns: no network interface can carry mDNS yet; waiting for one")
			if a.waitInterfaceChange(ctx, poll, addrs) != nil {
				return nil
			}
		case err != nil:
			return err
		}
	}
}

// serveMDNS runs one responder for the current host name and services until ctx ends or it
// fails (its error), or until the host name or the interfaces' addresses (addrs when it started)
// change (nil: start again). Service changes update its announcements once they settle.
func (a *App) serveMDNS(ctx context.Context, sub *event.Subscription, poll *time.Ticker, addrs []string) error {
	host := a.mdnsHost()
	r, err := mdns.New(mdns.Options{Host: host, Services: a.mdnsServices(), Log: a.log}) // it names itself
	if err != nil {
		return err
	}
	a.mdnsResponder.Store(r)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	restart := func() error {
		cancel()
		<-done
		return nil
	}
	settle := time.NewTimer(mdnsSettle)
	settle.Stop()
	defer settle.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-sub.C():
			settle.Reset(mdnsSettle)
		case <-settle.C:
			if err := r.Update(a.mdnsServices()); err != nil {
				a.log.Warn("mdns: updating the announcements", "component", "mdns", "err", err)
			}
		case <-a.mdnsReload:
			if a.mdnsHost() != host {
				return restart()
			}
			settle.Reset(mdnsSettle)
		case <-poll.C:
			if !slices.Equal(interfaceAddrs(), addrs) {
				return restart()
			}
		}
	}
}

// waitInterfaceChange waits until the interfaces' addresses differ from addrs.
func (a *App) waitInterfaceChange(ctx context.Context, poll *time.Ticker, addrs []string) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-poll.C:
			if !slices.Equal(interfaceAddrs(), addrs) {
				return nil
			}
		}
	}
}

// interfaceAddrs lists the addresses of the interfaces that are up, sorted.
func interfaceAddrs() []string {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []string
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, ad := range addrs {
			out = append(out, ifc.Name+" "+ad.String())
		}
	}
	slices.Sort(out)
	return out
}

// mdnsHost is the name answered as <name>.local: hostname.conf's, else the OS host name.
func (a *App) mdnsHost() string {
	if b, err := os.ReadFile(filepath.Join(a.opts.ConfigDir, network.HostnameFile)); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		if h := strings.TrimSpace(line); conf.ValidHostname(h) {
			return h
		}
	}
	h, _ := os.Hostname()
	return h
}

// mdnsServices are the listeners to announce: those that run and that another machine can reach
// (a listener bound to loopback is not announced).
func (a *App) mdnsServices() []mdns.Service {
	var out []mdns.Service
	if inst, _ := a.current(); inst != nil {
		if st, err := inst.services.Status("rtsp"); err == nil && st.State == service.Running {
			if port := reachablePort(inst.rtspAddr()); port != 0 {
				out = append(out, mdns.RTSP(port))
			}
		}
	}
	if a.web != nil {
		if port := reachablePort(a.web.HTTPSAddr()); port != 0 {
			out = append(out, mdns.HTTPS(port))
		}
		if a.onvif != nil && a.onvifEnabled() {
			if port := reachablePort(a.web.HTTPAddr()); port != 0 {
				out = append(out, mdns.ONVIF(port))
			}
		}
	}
	return out
}

// reachablePort is addr's port, 0 when addr is empty or bound to loopback.
func reachablePort(addr string) int {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || ap.Addr().Unmap().IsLoopback() {
		return 0
	}
	return int(ap.Port())
}
