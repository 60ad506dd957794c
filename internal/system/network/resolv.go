package network

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// writeFileAtomic replaces path with data: a temporary file in the same directory, synced, then
// renamed over it, so a reader never sees half a resolv.conf.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// leaseResolv is the resolv.conf written from a DHCP lease.
func leaseResolv(ifname string, dns []netip.Addr, domain string, search []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# written by freecam from the DHCP lease on %s\n", ifname)
	if domain != "" {
		fmt.Fprintf(&b, "domain %s\n", domain)
	}
	if len(search) > 0 {
		fmt.Fprintf(&b, "search %s\n", strings.Join(search, " "))
	}
	for _, a := range dns {
		fmt.Fprintf(&b, "nameserver %s\n", a)
	}
	return b.String()
}

// hasNameserver reports whether a resolv.conf text has a nameserver line.
func hasNameserver(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "nameserver" {
			return true
		}
	}
	return false
}
