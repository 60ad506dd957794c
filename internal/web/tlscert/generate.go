package tlscert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"slices"
	"strings"
	"time"
)

// names are the SANs a generated certificate must carry.
type names struct {
	dns []string
	ips []net.IP
}

// wantNames collects the SANs from the hostname, localhost, the extra names and the addresses.
func wantNames(hostname string, extra []string, addrs []net.IP) names {
	var n names
	addDNS := func(s string) {
		s = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "."))
		if validDNSName(s) && !slices.Contains(n.dns, s) {
			n.dns = append(n.dns, s)
		}
	}
	addDNS("localhost")
	if hostname != "" {
		addDNS(hostname)
		if !strings.Contains(hostname, ".") {
			addDNS(hostname + ".local")
		}
	}
	ips := slices.Clone(addrs)
	for _, e := range extra {
		if ip := net.ParseIP(strings.Trim(strings.TrimSpace(e), "[]")); ip != nil {
			ips = append(ips, ip)
		} else {
			addDNS(e)
		}
	}
	n.ips = uniqIPs(append(ips, net.IPv4(127, 0, 0, 1), net.IPv6loopback))
	return n
}

// validDNSName accepts what fits a DNS SAN: letters, digits, '-', '_', '.', and a leading "*.".
// Anything else (spaces, non-ASCII host names) is left out rather than failing generation.
func validDNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	s = strings.TrimPrefix(s, "*.")
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return false
		}
	}
	return s != ""
}

// coveredBy reports whether the leaf carries every wanted SAN.
func (n names) coveredBy(leaf *x509.Certificate) (missing string, ok bool) {
	for _, d := range n.dns {
		if !slices.ContainsFunc(leaf.DNSNames, func(x string) bool { return strings.EqualFold(x, d) }) {
			return d, false
		}
	}
	for _, ip := range n.ips {
		if !containsIP(leaf.IPAddresses, ip) {
			return ip.String(), false
		}
	}
	return "", true
}

// generate makes a self-signed leaf certificate and returns its PEM certificate and key.
func generate(n names, hostname string, now time.Time, validity time.Duration) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("tlscert: generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, nil, fmt.Errorf("tlscert: generate serial: %w", err)
	}
	cn := "freecam"
	if hostname != "" {
		cn = "freecam " + hostname
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"freecam self-signed"}},
		NotBefore:             now.Add(-time.Hour), // tolerate a camera clock slightly behind the client's
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  false,
		DNSNames:              n.dns,
		IPAddresses:           n.ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("tlscert: create certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("tlscert: marshal key: %w", err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return certPEM, keyPEM, nil
}

// parsePair turns PEM files into a tls.Certificate with Leaf set. certName and keyName name the
// files in errors.
func parsePair(certPEM, keyPEM []byte, certName, keyName string) (*tls.Certificate, error) {
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s: no PEM CERTIFICATE block found", certName)
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return nil, fmt.Errorf("%s: %w", certName, err)
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil || !strings.HasSuffix(kb.Type, "PRIVATE KEY") {
		return nil, fmt.Errorf("%s: no PEM PRIVATE KEY block found", keyName)
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%s does not match %s (or cannot be read): %w", keyName, certName, err)
	}
	if c.Leaf == nil {
		leaf, err := x509.ParseCertificate(c.Certificate[0])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", certName, err)
		}
		c.Leaf = leaf
	}
	return &c, nil
}
