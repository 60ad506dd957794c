package conf

import (
	"net/netip"
	"strings"
)

// The firmware's one-value system files (hostname.conf, timezone.conf, ntp_srv.conf) are checked
// with these, wherever they are written: the System page, the firmware import.

// ValidHostname reports whether s is a host name: dot-separated labels of letters, digits and
// '-', not starting or ending with '-'.
func ValidHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// ValidTimezone reports whether s looks like a tz database name such as Europe/London or
// Etc/GMT+1 (and nothing that could climb out of the zoneinfo directory).
func ValidTimezone(s string) bool {
	if s == "" || len(s) > 64 || strings.HasPrefix(s, "/") || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("/_+-", c) >= 0) {
			return false
		}
	}
	return true
}

// ValidServer reports whether s is a host name or an IP address (an NTP server).
func ValidServer(s string) bool {
	if ValidHostname(s) {
		return true
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}
