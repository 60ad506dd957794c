package app

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/hal/board"
	"github.com/freecam/freecam/internal/system/clock"
	"github.com/freecam/freecam/internal/system/network"
	"github.com/freecam/freecam/internal/system/swap"
)

// The system service applies the firmware's boot-time settings and keeps them applied: the
// network (hostname.conf, staticip.conf, defaultgw.conf, resolv.conf, wpa_supplicant.conf), swap
// (swap.conf) and the clock (ntp_srv.conf; /etc/TZ from timezone.conf). The firmware's run.sh
// did this at every boot; freecam does it when it runs as root on a camera, where the service is
// on unless the user turned it off (service.ManagerOptions.OnUnlessOff). On an ordinary computer
// the machine is its owner's: the service is off and must be started by hand.
//
// It is an App service (appservice.go): a reload that restarts the video leaves the network
// alone. A reload re-reads the files and applies what changed; a file with an error is logged
// and what was applied before stays. Stopping the service stops what it keeps running (the DHCP
// client, wpa_supplicant, the NTP client) and leaves the addresses, host name and swap as they
// are: the camera stays reachable while freecam restarts.

// ownsTheMachine reports whether freecam runs as root on a camera, where the system settings are
// its job: a Dafang or Xiaofang board, or a custom board on an Ingenic camera SoC. A custom board
// on anything else (a Raspberry Pi with hal.conf pins) is an ordinary computer whose network its
// owner set up.
func (a *App) ownsTheMachine() bool {
	if os.Geteuid() != 0 {
		return false
	}
	switch a.hw.board.Name {
	case conf.BoardDafang, conf.BoardXiaofang:
		return true
	case conf.BoardCustom:
		return board.Detect("/proc/cpuinfo", "/driver") != conf.BoardSim
	}
	return false
}

// onUnlessOff is the manager's OnUnlessOff set.
func (a *App) onUnlessOff() []string {
	if a.ownsTheMachine() {
		return []string{"system"}
	}
	return nil
}

// systemState is what the system service applied, for the System page and the API.
type systemState struct {
	mu      sync.Mutex
	net     *network.Manager // nil while the service is stopped
	swap    swap.Result
	swapErr error
	syncer  *clock.Syncer // nil when the OS keeps the clock, or while stopped
	managed bool          // another NTP daemon keeps the clock
	// problems are the errors of the last apply, each naming its file or what failed.
	problems []string
}

// lastSwapErr is the last swap error (the settings did not change since), for the problem list.
func (s *systemState) lastSwapErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.swapErr
}

// SystemStatus is the system service's state for the UI and API.
type SystemStatus struct {
	Running bool
	Network network.State
	Swap    []swap.Area
	// SwapAlreadyOn are areas swap.conf asks for that were on before freecam started.
	SwapAlreadyOn []string
	SwapErr       string
	// ClockManaged: another NTP daemon keeps the clock and freecam's NTP client is off.
	ClockManaged bool
	NTP          *clock.Status // nil when freecam's NTP client does not run
	// Problems are what the last apply could not read or do, each naming its file or step.
	Problems []string
}

// SystemStatus reports what the system service applied.
func (a *App) SystemStatus() SystemStatus {
	s := &a.sysState
	s.mu.Lock()
	defer s.mu.Unlock()
	st := SystemStatus{Running: s.net != nil, Swap: s.swap.On, SwapAlreadyOn: s.swap.AlreadyOn, ClockManaged: s.managed,
		Problems: slices.Clone(s.problems)}
	if s.net != nil {
		st.Network = s.net.State()
	}
	if s.swapErr != nil {
		st.SwapErr = s.swapErr.Error()
	}
	if s.syncer != nil {
		ns := s.syncer.Status()
		st.NTP = &ns
	}
	return st
}

// newSystemService builds the system service.
func (a *App) newSystemService() *appService {
	log := a.log.With("component", "system")
	return a.newAppService("system", func(ctx context.Context) error { return a.runSystem(ctx, log) }, log)
}

// runSystem applies the settings, then re-applies them at every reload until ctx ends.
func (a *App) runSystem(ctx context.Context, log *slog.Logger) error {
	r := &systemRun{a: a, log: log, net: network.New(network.Options{Log: a.log}), stopSyncer: func() {}}
	s := &a.sysState
	s.mu.Lock()
	s.net = r.net
	s.mu.Unlock()
	defer func() {
		r.stopSyncer()
		if err := r.net.Close(); err != nil {
			log.Warn("network: stopping", "err", err)
		}
		s.mu.Lock()
		s.net, s.syncer, s.problems = nil, nil, nil
		s.mu.Unlock()
		log.Info("system service stopped: the address, host name and swap stay as they are")
	}()
	r.apply(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-a.systemReload:
			r.apply(ctx)
		}
	}
}

// systemRun is one run of the system service: what it applied, so that a reload changes only
// what changed.
type systemRun struct {
	a   *App
	log *slog.Logger
	net *network.Manager

	booted     bool           // the network was applied once
	applied    network.Config // what it was applied with
	appliedWPA [32]byte       // and wpa_supplicant.conf's content then (a new password restarts it)
	server     string         // the NTP server the syncer runs against
	stopSyncer func()
	swap       *swap.Config // what swap was applied with; nil before

	problems []string // of the apply under way
}

// apply reads the files and applies them, then publishes the problems met.
func (r *systemRun) apply(ctx context.Context) {
	r.problems = nil
	// The network first: the NTP server and the NAS are reached through it. Swap last: creating
	// a swap file on an SD card can take a minute.
	r.applyNetwork(ctx)
	r.applyTime(ctx)
	r.applySwap(ctx)
	s := &r.a.sysState
	s.mu.Lock()
	s.problems = r.problems
	s.mu.Unlock()
}

// problem records err, a line per joined error, with prefix.
func (r *systemRun) problem(err error, prefix string) {
	if err == nil {
		return
	}
	for _, l := range strings.Split(err.Error(), "\n") {
		r.problems = append(r.problems, prefix+l)
	}
}

// applyNetwork: at boot, what is valid applies (a bad staticip.conf means DHCP), so that a typo
// does not leave the camera unreachable; later, a file with an error leaves the running address
// alone, and only a new host name applies. An unchanged configuration is not applied again
// (that would restart the DHCP exchange at every saved setting).
func (r *systemRun) applyNetwork(ctx context.Context) {
	cfg, err := network.Load(r.a.opts.ConfigDir)
	wpa := fileHash(cfg.WPAConfig)
	switch {
	case err != nil && r.booted:
		r.problem(err, "the running network stays: ")
		r.log.Error("network settings not applied; the network stays as it is", "err", err)
		if cfg.Hostname != "" {
			r.problem(r.net.SetHostname(cfg.Hostname), "")
		}
		return
	case r.booted && cfg == r.applied && wpa == r.appliedWPA:
		return
	case err != nil:
		r.problem(err, "at start, what is valid applies (a bad staticip.conf means DHCP): ")
		r.log.Error("network settings: what is valid applies", "err", err)
	}
	err = r.net.Apply(ctx, cfg)
	r.problem(err, "")
	if err != nil {
		r.log.Error("network settings partly applied", "err", err)
	}
	r.booted, r.applied, r.appliedWPA = true, cfg, wpa
}

// applyTime writes /etc/TZ on a camera and (re)starts the NTP client for a new server.
func (r *systemRun) applyTime(ctx context.Context) {
	dir := r.a.opts.ConfigDir
	if name, _, err := clock.LoadZone(dir); err != nil {
		r.problem(err, "")
		r.log.Error("time zone not applied", "err", err)
	} else if name != "" && r.a.ownsTheMachine() {
		// The firmware's /etc/TZ, for the other programs on the camera.
		if err := clock.WriteEtcTZ("/etc/TZ", name); err != nil {
			r.log.Warn("time zone: /etc/TZ not written", "err", err)
		}
	}
	srv, err := clock.LoadServer(dir)
	switch {
	case err != nil:
		r.problem(err, "")
		r.log.Error("NTP server not changed", "err", err)
	case srv != r.server:
		r.server = srv
		r.stopSyncer()
		r.stopSyncer = r.a.startSyncer(ctx, srv, r.log)
	}
}

// applySwap turns on what swap.conf asks for; when it changed, what the old settings turned on
// goes off first.
func (r *systemRun) applySwap(ctx context.Context) {
	s := &r.a.sysState
	cfg, err := swap.Load(r.a.opts.ConfigDir)
	if err != nil {
		r.problem(err, "")
		r.log.Error("swap settings not applied", "err", err)
		return
	}
	if r.swap != nil && *r.swap == cfg {
		r.problem(s.lastSwapErr(), "") // still true
		return
	}
	if r.swap != nil {
		s.mu.Lock()
		prev := s.swap
		s.mu.Unlock()
		if err := swap.Off(ctx, prev, swap.Options{Log: r.log}); err != nil {
			r.log.Error("swap: turning off the old areas", "err", err)
		}
	}
	r.swap = &cfg
	res, err := swap.Apply(ctx, cfg, swap.Options{Log: r.log.With("part", "swap")})
	r.problem(err, "")
	if err != nil {
		r.log.Error("swap settings partly applied", "err", err)
	}
	s.mu.Lock()
	s.swap, s.swapErr = res, err
	s.mu.Unlock()
}

// startSyncer runs freecam's NTP client against server unless another NTP daemon keeps the
// clock. It returns the function that stops it.
func (a *App) startSyncer(ctx context.Context, server string, log *slog.Logger) (stop func()) {
	s := &a.sysState
	if clock.Managed() {
		log.Info("the clock is kept by the system's NTP daemon; freecam's NTP client stays off")
		s.mu.Lock()
		s.managed, s.syncer = true, nil
		s.mu.Unlock()
		return func() {}
	}
	sy := clock.New(clock.Options{Server: server, SetClock: clock.SetSystemClock, Log: log.With("part", "ntp")})
	s.mu.Lock()
	s.managed, s.syncer = false, sy
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); sy.Run(ctx) }()
	log.Info("NTP client running", "server", server)
	return func() {
		cancel()
		sy.Close()
		<-done
	}
}

// fileHash is the SHA-256 of a file's content; zero for no path or a file that cannot be read.
func fileHash(path string) [32]byte {
	if path == "" {
		return [32]byte{}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return [32]byte{}
	}
	return sha256.Sum256(b)
}

// reloadSystem makes the system and mdns services re-read their files (a saved setting, SIGHUP).
func (a *App) reloadSystem() {
	for _, c := range []chan struct{}{a.systemReload, a.mdnsReload} {
		select {
		case c <- struct{}{}:
		default: // one is pending already
		}
	}
}

// zoneChanged reports whether timezone.conf names another zone than the one in use and, when the
// App may restart for it, ends Run so that freecam starts again in the new zone (the OSD, the
// file names and the logs all use it).
func (a *App) zoneChanged() bool {
	if !a.opts.RestartOnZoneChange {
		return false
	}
	name, _, err := clock.LoadZone(a.opts.ConfigDir)
	if err != nil {
		a.log.Error("time zone not changed", "err", err)
		return false
	}
	if name == a.opts.TimeZone {
		return false
	}
	exe, err := os.Executable()
	if err != nil {
		a.log.Error("time zone changed, but freecam cannot restart itself: it applies at the next start", "zone", name, "err", err)
		return false
	}
	a.log.Warn("time zone changed: freecam restarts to use it", "from", a.opts.TimeZone, "to", name)
	a.restartSelf.Store(&exe)
	a.requestUpdateRestart(exe)
	return true
}

func (w webCamera) System() camera.SystemState {
	a := w.a
	st := a.SystemStatus()
	out := camera.SystemState{
		Service: "stopped", Owned: a.hw != nil && a.ownsTheMachine(), TimeZone: a.opts.TimeZone,
		MDNS: "stopped", MDNSHost: a.mdnsHost(), ClockManaged: st.ClockManaged, SwapError: st.SwapErr,
		SwapAlreadyOn: st.SwapAlreadyOn, Problems: st.Problems,
	}
	// timezone.conf is read at start whether or not the system service runs.
	if _, _, err := clock.LoadZone(a.opts.ConfigDir); err != nil && !slices.Contains(out.Problems, err.Error()) {
		out.Problems = append(out.Problems, err.Error())
	}
	if out.TimeZone == "" { // no timezone.conf: the OS's zone, by its abbreviation
		abbr, _ := time.Now().Zone()
		out.TimeZone = "the system's (" + abbr + ")"
	}
	if a.system != nil {
		out.Service = string(a.system.sup.Status().State)
	}
	if a.mdns != nil {
		out.MDNS = string(a.mdns.sup.Status().State)
	}
	if r := a.mdnsResponder.Load(); r != nil {
		out.MDNSHost = r.Host() // renamed (dafang-2) when another machine has the name
		if a.web != nil {
			if port := reachablePort(a.web.HTTPSAddr()); port != 0 {
				out.MDNSWebURL = "https://" + out.MDNSHost + ".local"
				if port != 443 {
					out.MDNSWebURL += ":" + strconv.Itoa(port)
				}
				out.MDNSWebURL += "/"
			}
		}
	}
	if st.Running {
		n := st.Network
		out.Interface, out.Static, out.LeaseSeconds, out.Bound = n.Interface, n.Static, int(n.Lease.Seconds()), n.Bound
		if n.Address.IsValid() {
			out.Address = n.Address.String()
		}
		if n.Gateway.IsValid() {
			out.Gateway = n.Gateway.String()
		}
		for _, d := range n.DNS {
			out.DNS = append(out.DNS, d.String())
		}
	}
	for _, ar := range st.Swap {
		out.Swap = append(out.Swap, camera.SwapArea{Path: ar.Path, Priority: ar.Priority, Bytes: ar.Bytes})
	}
	if ntp := st.NTP; ntp != nil {
		out.NTPServer, out.NTPLastSync = ntp.Server, ntp.LastSync
		out.NTPOffsetMS = float64(ntp.Offset.Microseconds()) / 1000
		if ntp.Err != nil {
			out.NTPError = ntp.Err.Error()
		}
	}
	return out
}
