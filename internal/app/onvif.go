package app

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/hal/ptz"
	"github.com/freecam/freecam/internal/onvif"
	"github.com/freecam/freecam/internal/onvif/discovery"
	"github.com/freecam/freecam/internal/onvif/events"
	"github.com/freecam/freecam/internal/onvif/imaging"
	"github.com/freecam/freecam/internal/onvif/ptzsvc"
	"github.com/freecam/freecam/internal/service"
	"github.com/freecam/freecam/internal/system/clock"
	"github.com/freecam/freecam/internal/web/auth"
)

// onvifParts is the ONVIF server. Like the web server it is served from, it outlives reloads:
// event subscriptions survive a saved setting. The onvif service (one per instance) only
// switches it on and off and runs WS-Discovery.
type onvifParts struct {
	server *onvif.Server
	events *events.Broker
	ptz    *ptzsvc.Service // nil without a motor
	// cfg is onvif.conf as last loaded: the name and discovery apply at the service's next
	// start (a reload restarts it), the subscription limit and field of view at freecam's.
	cfg  atomic.Pointer[conf.ONVIF]
	cfg0 conf.ONVIF // what the event broker and the PTZ service were built with
	stop func()     // ends the motion feed
}

// startONVIF builds the ONVIF server over the camera and feeds it the motion events. a.hw and
// a.auth are set.
// The subscription limit and the field of view are taken from cfg, the configuration at start.
func (a *App) startONVIF(cfg *conf.Config, log *slog.Logger) (*onvifParts, error) {
	p := &onvifParts{cfg0: cfg.ONVIF}
	p.setConfig(cfg)
	p.events = events.New(events.Options{MaxSubscriptions: cfg.ONVIF.MaxSubscriptions, Log: log.With("service", "events")})

	opts := onvif.Options{
		Accounts:    a.auth,
		Info:        a.onvifInfo,
		Stream:      a.onvifStream,
		Events:      p.events,
		Snapshot:    webCamera{a}.Snapshot(),
		SetClock:    a.clockSetter(),
		StaleDigest: auth.IsStale,
		Log:         log,
		Enabled:     a.onvifEnabled,
	}
	if a.hw.board.Device.IRCut != nil { // Home Assistant's "IR lamp" switch: freecam's night mode
		cam := webCamera{a}
		img, err := imaging.New(imaging.Options{
			Night: func() (bool, bool) { s := cam.Night(); return s.Night, s.Auto },
			SetNight: func(ctx context.Context, m string) error {
				return cam.SetNightMode(ctx, camera.NightMode(m))
			},
			Log: log.With("service", "imaging"),
		})
		if err != nil {
			p.events.Close()
			return nil, fmt.Errorf("onvif: %w", err)
		}
		opts.Imaging = img
	}
	if m := a.hw.board.Device.Motor; m != nil {
		presets, warns, err := ptz.Load(filepath.Join(a.opts.ConfigDir, ptz.File), m.Limits())
		if err != nil {
			p.events.Close()
			return nil, fmt.Errorf("onvif: %w", err)
		}
		for _, w := range warns {
			log.Warn("ptz presets", "warning", w)
		}
		fov := cfg.ONVIF
		svc, err := ptzsvc.New(ptzsvc.Options{Motor: m, Presets: presets,
			FOV: hal.Position{X: fov.FOVStepsX, Y: fov.FOVStepsY}, Log: log.With("service", "ptz")})
		if err != nil {
			p.events.Close()
			return nil, fmt.Errorf("onvif: %w", err)
		}
		p.ptz = svc
		opts.PTZ = svc
		opts.PTZConfiguration = func() any { return svc.Configuration() }
	}
	srv, err := onvif.New(opts)
	if err != nil {
		p.close()
		return nil, err
	}
	p.server = srv

	sub := a.bus.Subscribe("onvif", 16, event.MotionStart, event.MotionEnd)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range sub.C() {
			p.events.SetMotion(ev.Kind == event.MotionStart, ev.Time)
		}
	}()
	p.stop = func() { sub.Close(); <-done }
	return p, nil
}

// close ends the motion feed, the long polls and a running PTZ move.
func (p *onvifParts) close() {
	if p.stop != nil {
		p.stop()
	}
	p.events.Close()
	if p.ptz != nil {
		p.ptz.Close()
	}
}

// setConfig takes a newly loaded onvif.conf.
func (p *onvifParts) setConfig(cfg *conf.Config) {
	c := cfg.ONVIF
	p.cfg.Store(&c)
}

// needsRestart tells what of onvif.conf waits for freecam's restart.
func (p *onvifParts) needsRestart(cfg *conf.Config) bool {
	return cfg.ONVIF.MaxSubscriptions != p.cfg0.MaxSubscriptions ||
		cfg.ONVIF.FOVStepsX != p.cfg0.FOVStepsX || cfg.ONVIF.FOVStepsY != p.cfg0.FOVStepsY
}

// handler is what the web server serves under /onvif/.
func (p *onvifParts) handler() http.Handler { return p.server.Handler() }

// onvifService is the onvif service of the service manager: while it runs, /onvif/ answers and
// WS-Discovery announces the camera (ONVIF_DISCOVERY). A discovery that cannot listen (port 3702
// taken by another ONVIF server on this machine) is logged and retried; the SOAP services stay on.
func (a *App) onvifService(log *slog.Logger) service.Service {
	run := func(ctx context.Context) error {
		p := a.onvif
		log.Info("onvif service running", "discovery", p.cfg.Load().Discovery)
		defer log.Info("onvif service stopped: /onvif/ answers 503 until it starts again")
		if !p.cfg.Load().Discovery {
			<-ctx.Done()
			return nil
		}
		for wait := time.Second; ; wait = min(2*wait, time.Minute) {
			err := discovery.Run(ctx, discovery.Options{
				EndpointUUID: onvif.EndpointUUID(a.onvifInfo()),
				Scopes:       func() []string { return onvif.Scopes(a.onvifInfo(), p.ptz != nil) },
				XAddrs:       a.onvifXAddrs,
				Log:          log,
			})
			if ctx.Err() != nil {
				return nil
			}
			log.Warn("ws-discovery stopped; the ONVIF services still answer", "err", err, "retry_in", wait)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
		}
	}
	return service.Supervised("onvif", run, service.Options{Log: log})
}

// onvifEnabled reports whether /onvif/ answers: the onvif service of the running instance is
// started (running, or about to: the manager says so before its goroutine runs, so there is no
// gap after a reload). While instances swap it answers too: media then says "camera
// restarting" and the event subscriptions carry on.
func (a *App) onvifEnabled() bool {
	inst, _ := a.current()
	if inst == nil {
		return true
	}
	st, err := inst.services.Status("onvif")
	if err != nil {
		return false
	}
	switch st.State {
	case service.Running, service.Starting, service.Backoff:
		return true
	}
	return false
}

// onvifXAddrs are the device service URLs WS-Discovery gives for a reply leaving from local.
func (a *App) onvifXAddrs(local netip.Addr) []string {
	if !local.IsValid() || local.IsUnspecified() {
		for _, ifc := range a.onvifInfo().Interfaces {
			if len(ifc.IPv4) > 0 {
				local = ifc.IPv4[0].Addr()
				break
			}
		}
	}
	// Plain HTTP first (what NVRs expect), else HTTPS; a listener bound to one address is
	// reachable there only, one bound to loopback from nowhere else.
	for _, l := range []struct{ scheme, addr string }{{"http", a.web.HTTPAddr()}, {"https", a.web.HTTPSAddr()}} {
		ap, err := netip.ParseAddrPort(l.addr)
		if err != nil {
			continue
		}
		host := local
		if bound := ap.Addr().Unmap(); !bound.IsUnspecified() {
			if bound.IsLoopback() {
				continue
			}
			host = bound
		}
		if !host.IsValid() {
			return nil
		}
		return []string{l.scheme + "://" + net.JoinHostPort(host.String(), strconv.Itoa(int(ap.Port()))) + onvif.DevicePath}
	}
	return nil
}

// boardModels names the boards for NVRs (Model, and the hardware scope).
var boardModels = map[string]string{
	conf.BoardDafang:   "Xiaomi Dafang",
	conf.BoardXiaofang: "Xiaomi Xiaofang 1S",
}

// onvifInfo is the camera's identity, read at each ONVIF call.
func (a *App) onvifInfo() onvif.DeviceInfo {
	host, _ := os.Hostname()
	info := onvif.DeviceInfo{
		Manufacturer:    "freecam",
		Model:           "freecam",
		FirmwareVersion: a.opts.Version,
		HardwareID:      a.hw.board.Name,
		Hostname:        host,
		Interfaces:      netInterfaces(),
		DNS:             nameservers("/etc/resolv.conf"),
	}
	if m, ok := boardModels[a.hw.board.Name]; ok {
		info.Model = m
	}
	if c := a.onvif.cfg.Load(); c != nil {
		info.Name, info.Location = c.Name, c.Location
	}
	if ntp := a.SystemStatus().NTP; ntp != nil { // freecam's NTP client keeps the clock
		info.NTPServers = []string{ntp.Server}
	}
	if len(info.Interfaces) > 0 {
		info.SerialNumber = strings.ReplaceAll(info.Interfaces[0].MAC.String(), ":", "")
	} else {
		info.SerialNumber = host
	}
	if a.web != nil {
		info.HTTPPort = portOf(a.web.HTTPAddr())
		info.HTTPSPort = portOf(a.web.HTTPSAddr())
	}
	return info
}

// onvifStream is the stream as ONVIF describes it; false while the camera restarts.
func (a *App) onvifStream() (onvif.StreamInfo, bool) {
	inst, cfg := a.current()
	if inst == nil || cfg == nil {
		return onvif.StreamInfo{}, false
	}
	r := cfg.RTSP
	fps := max(1, int(r.FPS()+0.5))
	s := onvif.StreamInfo{
		Width: r.Width, Height: r.Height, FPS: fps, BitrateKbps: r.BitrateKbps,
		GOVLength: max(1, int(cfg.Freecam.GOP.Seconds()*r.FPS()+0.5)),
		Quality:   cfg.Freecam.SnapshotQuality,
		Encoding:  "H264",
		RTSPPort:  r.Port,
		RTSPPath:  "/unicast",
	}
	if r.Codec == conf.CodecMJPG {
		s.Encoding = "JPEG"
	}
	return s, true
}

// netInterfaces lists the up, non-loopback interfaces with a MAC, those with an IPv4 address
// first (the primary interface is the first).
func netInterfaces() []onvif.NetInterface {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var withIP, without []onvif.NetInterface
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 || len(ifc.HardwareAddr) != 6 {
			continue
		}
		ni := onvif.NetInterface{Name: ifc.Name, MAC: ifc.HardwareAddr, MTU: ifc.MTU}
		addrs, _ := ifc.Addrs()
		for _, ad := range addrs {
			if ipn, ok := ad.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(ipn.IP); ok && ip.Unmap().Is4() {
					ones, _ := ipn.Mask.Size()
					ni.IPv4 = append(ni.IPv4, netip.PrefixFrom(ip.Unmap(), ones))
				}
			}
		}
		if len(ni.IPv4) > 0 {
			withIP = append(withIP, ni)
		} else {
			without = append(without, ni)
		}
	}
	return append(withIP, without...)
}

// nameservers reads the nameserver lines of a resolv.conf.
func nameservers(path string) []netip.Addr {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []netip.Addr
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "nameserver" {
			if ip, err := netip.ParseAddr(f[1]); err == nil {
				out = append(out, ip)
			}
		}
	}
	return out
}

func portOf(addr string) int {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}

// clockSetter is SetSystemDateAndTime's: on a camera board, as root, it sets the system clock
// (the cameras have no battery-backed clock, and NVRs set it when NTP is unreachable); on any
// other machine the clock is the operating system's business, and the request is refused.
func (a *App) clockSetter() func(time.Time) error {
	if !a.ownsTheMachine() {
		return nil
	}
	return func(t time.Time) error {
		if err := clock.SetSystemClock(t); err != nil {
			return fmt.Errorf("set the clock: %w", err)
		}
		a.log.Info("clock set by ONVIF SetSystemDateAndTime", "time", t.UTC())
		return nil
	}
}
