package conf

import (
	"encoding/base64"
	"net/url"
	"strings"
	"time"
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
	// CheckInterval is UPDATE_CHECK_HOURS: how often the manifest is fetched. Default 24 h;
	// 0 = only when asked (the System page's button, Home Assistant).
	CheckInterval time.Duration
	// Auto is UPDATE_AUTO: install a newer release found by a periodic check without asking.
	// Default off (a check only shows what is available).
	Auto bool
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
		if bad := badPublicKey(s); bad != "" {
			r.fail(line, "UPDATE_PUBLIC_KEY", "must be base64 ed25519 public keys (32 bytes each), comma separated, such as the .pub file of freecam release keygen (got %q)", bad)
		} else {
			c.PublicKey = strings.TrimSpace(s)
		}
	}
	hours := int(c.CheckInterval / time.Hour)
	r.int(&hours, "UPDATE_CHECK_HOURS", 0, 24*365, "hours")
	c.CheckInterval = time.Duration(hours) * time.Hour
	r.bool(&c.Auto, "UPDATE_AUTO")
}

// badPublicKey returns the first field of s that is not a standard-base64 32-byte key, "" when
// all are (the form update.ParsePublicKeys takes).
func badPublicKey(s string) string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	if len(fields) == 0 {
		return s
	}
	for _, f := range fields {
		if b, err := base64.StdEncoding.DecodeString(f); err != nil || len(b) != 32 {
			return f
		}
	}
	return ""
}
