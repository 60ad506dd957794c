package tlscert

import (
	"log/slog"
	"net"
	"os"
	"time"
)

// Defaults of Options.
const (
	// DefaultValidity is the lifetime of a generated certificate: 397 days, just under the 398-day
	// limit Apple and Chrome enforce for TLS server certificates, so no client refuses it for
	// being too long-lived.
	DefaultValidity = 397 * 24 * time.Hour
	// DefaultRenewBefore: a generated certificate is replaced once it is this close to expiry.
	DefaultRenewBefore = 30 * 24 * time.Hour
	// DefaultCheckInterval: how often GetCertificate looks at the files, the clock and the
	// machine's addresses. Between checks a handshake costs one atomic load.
	DefaultCheckInterval = time.Minute
)

// Options configure a Manager. The zero value (with Dir set) is usable.
type Options struct {
	// Dir is freecam's config directory; the certificates live in Dir/tls. Required.
	Dir string
	// Hostname is put in the generated certificate's SANs (and hostname.local when it has no
	// dot). Default os.Hostname().
	Hostname string
	// ExtraNames are added to the SANs: IP addresses as IP SANs, anything else as DNS names.
	ExtraNames []string
	// Names, when set, is asked at every check for more names, added like ExtraNames: names
	// that change while freecam runs (the mDNS name from hostname.conf). A new one makes a new
	// certificate at the next check.
	Names func() []string
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Validity of a generated certificate. Default DefaultValidity (397 days).
	Validity time.Duration
	// RenewBefore: regenerate when the certificate expires within this. Default 30 days.
	RenewBefore time.Duration
	// CheckInterval between checks for changed files, expiry and new addresses. Default 1 minute.
	CheckInterval time.Duration
	// Addrs lists the machine's addresses for the SANs. Default: every unicast address of the
	// interfaces that are up (loopback included, link-local excluded because a URL with a zone
	// cannot match a certificate anyway and such addresses come and go), plus 127.0.0.1 and ::1.
	Addrs func() ([]net.IP, error)
	// Logger for renewals and user-certificate problems. Default: discard.
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.Hostname == "" {
		if h, err := os.Hostname(); err == nil {
			o.Hostname = h
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Validity <= 0 {
		o.Validity = DefaultValidity
	}
	if o.RenewBefore <= 0 {
		o.RenewBefore = DefaultRenewBefore
	}
	if o.CheckInterval <= 0 {
		o.CheckInterval = DefaultCheckInterval
	}
	if o.Addrs == nil {
		o.Addrs = LocalAddrs
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}
