package conf

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/conf/shellconf"
)

// UpdateFile configures freecam's signed self-update (freecam's; the firmware had no signed
// update).
const UpdateFile = "update.conf"

// Update is update.conf.
type Update struct {
	// ManifestURL is UPDATE_MANIFEST_URL, the release manifest's https:// URL. Default "": no
	// checks at all (the System page and Home Assistant say updates are not set up).
	ManifestURL string
	// PublicKey is UPDATE_PUBLIC_KEY: one or more base64 ed25519 release keys (comma or space
	// separated) that replace the key built into the binary. Default "": the built-in key.
	PublicKey string
	// CAFile is UPDATE_CA_FILE: the absolute path of a PEM file of certificate authorities
	// trusted for the update server in addition to the system's roots (a self-hosted server with
	// its own CA); TLS stays verified. It must hold a certificate when the config loads.
	// Default "": the system's roots alone.
	CAFile string
	// CheckInterval is UPDATE_CHECK_HOURS: how often the manifest is fetched. Default 24 h;
	// 0 = only when asked (the System page's button, Home Assistant).
	CheckInterval time.Duration
	// Auto is UPDATE_AUTO: install a newer release found by a periodic check without asking.
	// Default off (a check only shows what is available).
	Auto bool
	// Problem is set when update.conf has errors (a missing CA file, a mistaken key…): updates
	// are then off, and it says why ("update.conf:2: UPDATE_CA_FILE: …"). Those errors are
	// warnings for the rest of the camera, which starts and reloads without them.
	Problem string
}

// LoadUpdate reads update.conf alone from dir, as freecam update needs it (other files' problems
// are not its business): the defaults when the file does not exist, Errors with file and line
// when it has any. With Errors the Update still holds the keys that were valid (a broken key
// keeps its default), for a caller that has its own value for each broken one.
func LoadUpdate(dir string) (Update, error) {
	c := DefaultUpdate()
	d, err := shellconf.ReadFile(filepath.Join(dir, UpdateFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return c, nil
	case d == nil:
		return c, Errors{{File: UpdateFile, Message: fmt.Sprintf("cannot read: %v", err)}}
	case err != nil:
		var is Issue
		if !errors.As(err, &is) {
			is = Issue{File: UpdateFile, Message: err.Error()}
		}
		return c, Errors{is}
	}
	var errs Errors
	var warns []Warning
	c.decode(&reader{file: UpdateFile, doc: d, known: make(map[string]bool), errs: &errs, warns: &warns})
	if len(errs) > 0 {
		return c, errs
	}
	return c, nil
}

// DefaultUpdate returns update.conf's defaults.
func DefaultUpdate() Update {
	return Update{CheckInterval: 24 * time.Hour}
}

// Configured reports whether updates are set up (a manifest URL is set).
func (c Update) Configured() bool { return c.ManifestURL != "" }

func (c *Update) decode(r *reader) {
	if s, line, ok := r.str("UPDATE_MANIFEST_URL"); ok {
		s = strings.TrimSpace(s)
		u, err := url.Parse(s)
		switch {
		case err != nil || u.Host == "":
			r.fail(line, "UPDATE_MANIFEST_URL", "must be an https:// URL such as https://example.com/freecam/manifest.json (got %q)", s)
		case u.Scheme != "https":
			r.fail(line, "UPDATE_MANIFEST_URL", "must use https: updates are only fetched over verified TLS (got %q)", s)
		default:
			c.ManifestURL = s
		}
	}
	if s, line, ok := r.str("UPDATE_PUBLIC_KEY"); ok {
		// Never the value in the message: it may be a private key, and config errors reach the
		// log, the Logs page and the viewer-readable status.
		if bad := publicKeyProblem(s); bad != "" {
			r.fail(line, "UPDATE_PUBLIC_KEY", "%s", bad)
		} else {
			c.PublicKey = strings.TrimSpace(s)
		}
	}
	if s, line, ok := r.str("UPDATE_CA_FILE"); ok {
		if bad := caFileProblem(s); bad != "" {
			r.fail(line, "UPDATE_CA_FILE", "%s", bad)
		} else {
			c.CAFile = s
		}
	}
	hours := int(c.CheckInterval / time.Hour)
	r.int(&hours, "UPDATE_CHECK_HOURS", 0, 24*365, "hours")
	c.CheckInterval = time.Duration(hours) * time.Hour
	r.bool(&c.Auto, "UPDATE_AUTO")
}

// publicKeyProblem says what is wrong with UPDATE_PUBLIC_KEY's value, "" when every field is a
// standard-base64 32-byte key (the form update.ParsePublicKeys takes). It never quotes the value.
func publicKeyProblem(s string) string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	if len(fields) == 0 {
		return "no key in it: want base64 ed25519 public keys, comma separated"
	}
	for i, f := range fields {
		which := "the key"
		if len(fields) > 1 {
			which = fmt.Sprintf("key %d of %d", i+1, len(fields))
		}
		b, err := base64.StdEncoding.DecodeString(f)
		switch {
		case err != nil:
			return fmt.Sprintf("%s is not standard base64: want the 32-byte ed25519 public key of the .pub file of freecam release keygen", which)
		case len(b) == ed25519.PrivateKeySize:
			return fmt.Sprintf("%s is a release PRIVATE key (64 bytes), not the public key: put the .pub file's key here instead, remove this one from the camera, and treat it as leaked (make a new pair with freecam release keygen and sign releases with the new key)", which)
		case len(b) != ed25519.PublicKeySize:
			return fmt.Sprintf("%s decodes to %d bytes: want the 32-byte ed25519 public key of the .pub file of freecam release keygen", which, len(b))
		}
	}
	return ""
}

// caFileProblem says what is wrong with UPDATE_CA_FILE, "" when it is an absolute path to a
// readable PEM file with at least one certificate.
func caFileProblem(path string) string {
	if !filepath.IsAbs(path) {
		return fmt.Sprintf("must be an absolute path to a PEM file of CA certificates (got %q)", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("cannot read the CA file: %v", err)
	}
	n := 0
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			return fmt.Sprintf("%s: certificate %d does not parse: %v", path, n+1, err)
		}
		n++
	}
	if n == 0 {
		return fmt.Sprintf("%s holds no PEM certificate (want -----BEGIN CERTIFICATE----- blocks)", path)
	}
	return ""
}
