package network

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/backoff"
)

// Options configure a Manager. The zero value is usable (and meant for a camera).
type Options struct {
	// Log receives the lease, wpa_supplicant's output (debug) and failures. Default: discarded.
	Log *slog.Logger
	// ResolvPath is where resolv.conf is written (static: a copy of the config's; DHCP: the
	// lease's DNS servers). Default /etc/resolv.conf.
	ResolvPath string
	// Interface, when set, is configured instead of Config.Interface (tests, a config override).
	Interface string
	// WPASupplicant is the wpa_supplicant binary, a path or a name looked up in PATH.
	// Default "wpa_supplicant".
	WPASupplicant string
	// SysClassNet is where a link is recognised as wireless (IF/wireless or IF/phy80211).
	// Default /sys/class/net.
	SysClassNet string
	// ProcRoot is where running programs are looked for: a wpa_supplicant or DHCP client that
	// already runs for the interface (the firmware's scripts, the OS's network manager) keeps
	// that part, and freecam does not start its own. Default /proc.
	ProcRoot string
	// Release sends a DHCPRELEASE and removes the leased address on Close. Default: keep the
	// address (the camera stays reachable while freecam restarts).
	Release bool
	// DHCPTimeout is how long one DHCP message waits for an answer (3 tries). Default 4 s.
	DHCPTimeout time.Duration
	// RetryMin and RetryMax bound the backoff between failed DHCP acquisitions and
	// wpa_supplicant restarts. Defaults 2 s and 2 min.
	RetryMin, RetryMax time.Duration
	// LinkPoll is how often the link's carrier is checked while waiting for it and while holding
	// a lease (link loss makes the client ask again). Default 2 s.
	LinkPoll time.Duration
}

func (o *Options) defaults() {
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.ResolvPath == "" {
		o.ResolvPath = "/etc/resolv.conf"
	}
	if o.WPASupplicant == "" {
		o.WPASupplicant = "wpa_supplicant"
	}
	if o.SysClassNet == "" {
		o.SysClassNet = "/sys/class/net"
	}
	if o.ProcRoot == "" {
		o.ProcRoot = "/proc"
	}
	if o.DHCPTimeout <= 0 {
		o.DHCPTimeout = 4 * time.Second
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 2 * time.Second
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 2 * time.Minute
	}
	if o.LinkPoll <= 0 {
		o.LinkPoll = 2 * time.Second
	}
}

// State is what the Manager last applied, for the UI and tests.
type State struct {
	Interface string
	Static    bool
	Address   netip.Prefix // zero until a static address is set or a lease is bound
	Gateway   netip.Addr
	DNS       []netip.Addr
	Lease     time.Duration // DHCP lease time
	LinkUp    bool          // DHCP: the link has carrier
	// Acquisitions counts DHCP leases obtained from scratch (DISCOVER…ACK), Renewals the
	// renewals and rebinds that were acknowledged; Bound is when the last ACK came.
	Acquisitions, Renewals int
	Bound                  time.Time
}

// Manager applies a Config and keeps it applied: the static address, or a DHCP client renewing
// its lease, and wpa_supplicant. Apply and Close are goroutine-safe and serialised; a new Config
// (after the user saved a file) is applied by calling Apply again, without restarting freecam.
type Manager struct {
	opts Options
	log  *slog.Logger

	applyMu sync.Mutex // serialises Apply and Close
	closed  bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closing atomic.Bool // Close (not a new Apply) is stopping the DHCP client

	mu    sync.Mutex // guards the fields below, shared with the background goroutines
	owned []ownedAddr
	kept  []ownedAddr // left by an earlier run (adoptKept), removed when this run sets its own
	route *ownedRoute
	state State
}

type ownedAddr struct {
	ifname string
	prefix netip.Prefix
}

type ownedRoute struct {
	ifname string
	gw     netip.Addr
}

// New returns a Manager; nothing is changed until Apply.
func New(opts Options) *Manager {
	opts.defaults()
	return &Manager{opts: opts, log: opts.Log.With("component", "network")}
}

// State returns a copy of what is applied now.
func (m *Manager) State() State {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.state
	s.DNS = append([]netip.Addr(nil), s.DNS...)
	return s
}

func (m *Manager) setState(f func(*State)) {
	m.mu.Lock()
	f(&m.state)
	m.mu.Unlock()
}

// Apply makes cfg the network configuration: it stops what the previous Apply started (the DHCP
// client, wpa_supplicant), sets the host name when it differs, then either sets the static
// address, default route and resolv.conf before returning, or starts a DHCP client in the
// background; and, when wpa_supplicant.conf exists and the link is wireless, starts
// wpa_supplicant. It carries on past a failure and returns every failure, each naming what
// failed ("network: eth0: set address 192.168.1.2/24: operation not permitted"). The background
// work runs until the next Apply or Close, not until ctx ends (ctx bounds Apply's own steps).
func (m *Manager) Apply(ctx context.Context, cfg Config) error {
	m.applyMu.Lock()
	defer m.applyMu.Unlock()
	if m.closed {
		return errors.New("network: apply after close")
	}
	m.stopLocked()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("network: %w", err)
	}
	ifname := m.opts.Interface
	if ifname == "" {
		ifname = cfg.Interface
	}
	if ifname == "" {
		return errors.New("network: no interface to configure: no eth0 (usb_eth_driver.conf), no wlan0 and no Ethernet link")
	}
	m.adoptKept(ifname)
	var errs []error
	if cfg.Hostname != "" {
		if changed, err := setHostname(cfg.Hostname); err != nil {
			errs = append(errs, fmt.Errorf("network: set host name %q: %w", cfg.Hostname, err))
		} else if changed {
			m.log.Info("network: host name set", "hostname", cfg.Hostname)
		}
	}
	bg, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.closing.Store(false)

	wifiOwner, wifiTaken := runningClient(m.opts.ProcRoot, wifiClients, ifname)
	if isWireless(m.opts.SysClassNet, ifname) {
		if wifiTaken {
			m.log.Info("network: Wi-Fi is managed by a program that already runs; freecam leaves it alone",
				"interface", ifname, "pid", wifiOwner.PID, "command", wifiOwner.Command)
		} else if cfg.WPAConfig == "" {
			m.log.Warn("network: the link is wireless but there is no wpa_supplicant.conf: Wi-Fi is left as the system set it up", "interface", ifname)
		} else if bin, err := lookWPA(m.opts.WPASupplicant); err != nil {
			errs = append(errs, fmt.Errorf("network: %s: %w", ifname, err))
		} else {
			bo := &backoff.Backoff{Initial: m.opts.RetryMin, Max: m.opts.RetryMax}
			log := m.log.With("interface", ifname, "child", "wpa_supplicant")
			args := WPAArgs(ifname, cfg.WPAConfig)
			m.wg.Go(func() { runWPA(bg, log, bo, bin, args) })
		}
	}

	m.setState(func(s *State) { *s = State{Interface: ifname, Static: cfg.Static()} })
	if cfg.Static() {
		if err := m.applyStatic(ctx, ifname, cfg); err != nil {
			errs = append(errs, err)
		}
	} else if owner, taken := runningClient(m.opts.ProcRoot, dhcpClients, ifname); taken {
		m.log.Info("network: a DHCP client already runs; freecam leaves the address to it",
			"interface", ifname, "pid", owner.PID, "command", owner.Command)
	} else {
		// udhcpc's "deconfig": an address freecam set statically before goes away.
		if err := m.dropOwned(ifname, netip.Prefix{}); err != nil {
			errs = append(errs, err)
		}
		host := cfg.Hostname
		if host == "" {
			host, _ = os.Hostname()
		}
		m.wg.Go(func() { m.runDHCP(bg, ifname, host) })
	}
	return errors.Join(errs...)
}

// SetHostname sets the host name alone, when it differs (a new hostname.conf while another
// network file has an error, so that the rest is not applied).
func (m *Manager) SetHostname(name string) error {
	changed, err := setHostname(name)
	if err != nil {
		return fmt.Errorf("network: set host name %q: %w", name, err)
	}
	if changed {
		m.log.Info("network: host name set", "hostname", name)
	}
	return nil
}

// Close stops the DHCP client (releasing the lease when Options.Release) and wpa_supplicant and
// waits for them. The addresses stay. Later Applies fail. Close is idempotent.
func (m *Manager) Close() error {
	m.applyMu.Lock()
	defer m.applyMu.Unlock()
	m.closed = true
	m.closing.Store(true)
	m.stopLocked()
	return nil
}

func (m *Manager) stopLocked() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.wg.Wait()
}
