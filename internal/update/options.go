package update

import (
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Options configure Check and Apply. The zero value needs only ManifestURL and CurrentVersion.
type Options struct {
	// ManifestURL is the release manifest's https:// URL (http:// is refused).
	ManifestURL string
	// Client fetches the manifest and the binary. Default: a client with Go's TLS verification
	// against the system's roots. A test or a private server may pass one whose transport has
	// its own RootCAs; one with InsecureSkipVerify is refused. Redirects to anything but https
	// are refused whatever the client.
	Client *http.Client
	// CAFile is a PEM file of certificate authorities trusted for the update server in
	// addition to the system's roots (a self-hosted server with its own CA); verification stays
	// on. Used only when Client is nil. Default "": the system's roots alone.
	CAFile string
	// PublicKeys verify the signatures. Default: the keys built into the binary.
	PublicKeys []ed25519.PublicKey
	// CurrentVersion is the running version, compared with the manifest's.
	CurrentVersion string
	// Platform selects the manifest entry. Default: Platform().
	Platform string
	// Executable is the binary to replace. Default: os.Executable with symbolic links resolved.
	Executable string
	// AllowOlder lets Apply install a version that is not newer than CurrentVersion (a manual
	// downgrade or a development build). Default: refused.
	AllowOlder bool

	// Progress, if set, is called from Apply's goroutine with the bytes downloaded so far and
	// the total: once at 0, then at most every ProgressInterval, and once at total.
	Progress         func(done, total int64)
	ProgressInterval time.Duration // default 500 ms

	// MaxSize refuses larger binaries before downloading. Default 128 MiB.
	MaxSize int64
	// NoRunCheck skips checking that the download is an executable for this machine (its ELF
	// header) and that `BINARY version` runs and prints the release's version. For tests only.
	NoRunCheck bool
	// RunCheckTimeout bounds `BINARY version`. Default 30 s (a 64 MB camera starting a second
	// Go binary is slow).
	RunCheckTimeout time.Duration

	// HealthTimeout is how long the new binary has, from its first start, to call
	// ConfirmHealthy before it is rolled back. Default 3 min.
	HealthTimeout time.Duration
	// MaxStarts is how many starts the new binary gets without confirming before the next start
	// rolls it back (it crashes at start). Default 3.
	MaxStarts int

	// Logger receives Apply's lines as they are (the caller names the component, e.g.
	// With("component", "update")). Default: discard.
	Logger *slog.Logger
}

const (
	defaultProgressInterval = 500 * time.Millisecond
	defaultMaxSize          = 128 << 20
	defaultRunCheckTimeout  = 30 * time.Second
	defaultHealthTimeout    = 3 * time.Minute
	defaultMaxStarts        = 3
	maxManifestSize         = 1 << 20
)

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

func (o Options) platform() string {
	if o.Platform == "" {
		return Platform()
	}
	return o.Platform
}

func (o Options) keys() ([]ed25519.PublicKey, error) {
	if len(o.PublicKeys) > 0 {
		return o.PublicKeys, nil
	}
	return BuiltinPublicKeys()
}

// executable returns the binary to replace, symbolic links resolved (the rename must replace
// the file, not the link).
func (o Options) executable() (string, error) {
	exe := o.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return "", fmt.Errorf("find the running binary: %w", err)
		}
	}
	real, err := filepath.EvalSymlinks(exe)
	if err != nil {
		return "", fmt.Errorf("find the running binary: %w", err)
	}
	return filepath.Abs(real)
}

// client returns a copy of the configured client that refuses unverified TLS and non-https
// redirects.
func (o Options) client() (*http.Client, error) {
	var c http.Client
	if o.Client != nil {
		c = *o.Client
	} else {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if o.CAFile != "" {
			pool, err := CertPool(o.CAFile)
			if err != nil {
				return nil, err
			}
			cfg.RootCAs = pool
		}
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = cfg
		c.Transport = t
	}
	if t, ok := c.Transport.(*http.Transport); ok && t.TLSClientConfig != nil && t.TLSClientConfig.InsecureSkipVerify {
		return nil, errors.New("refusing a client with InsecureSkipVerify: updates are only fetched over verified TLS")
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != "https" {
			return fmt.Errorf("refusing a redirect to %s: updates are only fetched over https", req.URL.Redacted())
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("more than 10 redirects")
		}
		return nil
	}
	return &c, nil
}

// CertPool returns the system's roots (none where the system has no pool) plus the certificates
// of the PEM file; it fails when the file cannot be read or holds no certificate.
func CertPool(file string) (*x509.CertPool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("CA file %s: no PEM certificate in it", file)
	}
	return pool, nil
}
