package conn

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/freecam/freecam/internal/conf"
)

// loadTLS builds the TLS client config from mqtt.conf's mosquitto options: the broker is checked
// against CAFile and/or the CAs in CAPath, CertFile/KeyFile is the client certificate, Insecure
// skips only the host name check (as mosquitto's --insecure; the chain is still verified), and
// TLSVersion sets the minimum version (1.2 by default).
func loadTLS(m conf.MQTT) (*tls.Config, error) {
	roots := x509.NewCertPool()
	if m.CAFile != "" {
		pem, err := os.ReadFile(m.CAFile)
		if err != nil {
			return nil, fmt.Errorf("conn: cafile: %w", err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("conn: cafile %s: no PEM certificate in it", m.CAFile)
		}
	}
	if m.CAPath != "" {
		entries, err := os.ReadDir(m.CAPath)
		if err != nil {
			return nil, fmt.Errorf("conn: capath: %w", err)
		}
		n := 0
		for _, e := range entries {
			pem, err := os.ReadFile(filepath.Join(m.CAPath, e.Name()))
			if err != nil {
				continue // subdirectories and unreadable entries are not CAs
			}
			if roots.AppendCertsFromPEM(pem) {
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("conn: capath %s: no PEM certificate in it", m.CAPath)
		}
	}
	cfg := &tls.Config{RootCAs: roots, ServerName: m.Host, MinVersion: tls.VersionTLS12}
	if m.TLSVersion == "tlsv1.3" {
		cfg.MinVersion = tls.VersionTLS13
	}
	if m.CertFile != "" || m.KeyFile != "" {
		if m.CertFile == "" || m.KeyFile == "" {
			return nil, errors.New("conn: --cert and --key go together")
		}
		for _, f := range []string{m.CertFile, m.KeyFile} {
			if _, err := os.ReadFile(f); err != nil {
				return nil, fmt.Errorf("conn: client certificate: %w", err)
			}
		}
		cert, err := tls.LoadX509KeyPair(m.CertFile, m.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("conn: client certificate %s with key %s: %w", m.CertFile, m.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if m.Insecure {
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("conn: broker sent no certificate")
			}
			inter := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
			return err
		}
	}
	return cfg, nil
}
