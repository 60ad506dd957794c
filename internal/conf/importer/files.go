package importer

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/conf/shellconf"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/hal/ptz"
	"github.com/freecam/freecam/internal/system/network"
	"github.com/freecam/freecam/internal/system/swap"
)

// LighttpdUserFile is the firmware's HTTP password file (htdigest: user:realm:md5).
const LighttpdUserFile = "lighttpd.user"

// The firmware's public default web account.
const (
	defaultUser     = "root"
	defaultPassword = "ismart12"
)

// wholeFile is a file taken as a whole (not KEY=value): its check, and the mode it is written with.
type wholeFile struct {
	check func(data []byte) error
	mode  os.FileMode
}

// wholeFiles are the firmware files freecam keeps as they are (backup.Known), with a check each.
func wholeFiles() map[string]wholeFile {
	return map[string]wholeFile{
		"hostname.conf":       {oneValue("a host name", conf.ValidHostname), 0o644},
		"timezone.conf":       {oneValue("a time zone name such as Europe/London", conf.ValidTimezone), 0o644},
		"ntp_srv.conf":        {oneValue("an NTP server name or address", conf.ValidServer), 0o644},
		"staticip.conf":       {checkStaticIP, 0o644},
		"defaultgw.conf":      {oneValue("an IP address", validAddr), 0o644},
		"resolv.conf":         {checkResolv, 0o644},
		"wpa_supplicant.conf": {checkText, 0o600},
		ptz.File:              {checkPresets, 0o644},
	}
}

// SwapFile is the firmware's swap settings (KEY=value), kept for freecam's system service.
const SwapFile = swap.File

// unusedFiles are firmware files freecam has no use for, with the reason.
func unusedFiles() map[string]string {
	return map[string]string{
		"ssh.conf":            "freecam has no SSH server (the operating system's is used, if any)",
		"wifi.conf":           "freecam has no Wi-Fi access-point fallback",
		"hostapd.conf":        "freecam has no Wi-Fi access-point fallback",
		"udhcpd.conf":         "freecam has no Wi-Fi access-point fallback",
		"usb_eth_driver.conf": "network drivers are the operating system's",
		"letsencrypt.conf":    "freecam makes its own certificate; put your own as tls/user.crt and tls/user.key",
		"lighttpd.conf":       "freecam serves its web pages itself",
		"lighttpd.pem":        "the firmware's certificate: freecam's is in tls/",
		"ldr-average.conf":    "the firmware's legacy light-sensor script; freecam's auto night is autonight.conf",
		"updates.conf":        "freecam's updates are signed releases (freecam update)",
		"bftpd.conf":          "freecam has no FTP server",
		"cameraposition":      "the motor's last position is the camera's state, not a setting",
	}
}

// unusedDirs are firmware directories of the config directory freecam does not take, with the reason.
func unusedDirs() map[string]string {
	return map[string]string{
		"userscripts": "user scripts are programs: an import never installs one; copy them by hand",
		"cron":        "cron jobs belong to the operating system",
		"ssl":         "freecam makes its own certificate; put your own as tls/user.crt and tls/user.key",
	}
}

func oneValue(what string, valid func(string) bool) func([]byte) error {
	return func(data []byte) error {
		if err := checkText(data); err != nil {
			return err
		}
		var vals []string
		for _, l := range strings.Split(string(data), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				vals = append(vals, l)
			}
		}
		switch {
		case len(vals) != 1:
			return fmt.Errorf("must hold one value, %s (found %d lines)", what, len(vals))
		case !valid(vals[0]):
			return fmt.Errorf("must be %s (got %q)", what, vals[0])
		}
		return nil
	}
}

func checkText(data []byte) error {
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return fmt.Errorf("not a text file")
	}
	if len(data) > 64<<10 {
		return fmt.Errorf("larger than 64 KiB")
	}
	return nil
}

// checkStaticIP: "ADDR netmask MASK", or nothing (DHCP), as the system service reads it.
func checkStaticIP(data []byte) error {
	if err := checkText(data); err != nil {
		return err
	}
	_, err := network.ParseStaticIP(data)
	return err
}

// checkResolv: nameserver, domain, search and options lines, as the system service reads them.
func checkResolv(data []byte) error {
	if err := checkText(data); err != nil {
		return err
	}
	return network.CheckResolv(data)
}

func checkPresets(data []byte) error {
	dir, err := os.MkdirTemp("", "freecam-import-ptz-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, ptz.File), data, 0o600); err != nil {
		return err
	}
	// Positions past the motor's limits only warn (and are clamped when gone to).
	_, _, err = ptz.Load(filepath.Join(dir, ptz.File), hal.Position{X: math.MaxInt32, Y: math.MaxInt32})
	return err
}

func validAddr(s string) bool { _, err := netip.ParseAddr(s); return err == nil }

// lighttpdUser says why the firmware's password file is refused. It never returns the
// password. The file holds user:realm:md5(user:realm:password) (htdigest) lines, or
// user:password on older cards.
func lighttpdUser(data []byte) string {
	const create = "freecam's accounts are argon2id hashes in freecam.users and cannot be made from this file; " +
		"create an account with `freecam passwd --role admin NAME` (or on the System page)"
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Split(strings.TrimSpace(l), ":")
		switch {
		case len(f) == 2 && f[1] == defaultPassword,
			len(f) == 3 && f[2] == ha1(f[0], f[1], defaultPassword):
			return fmt.Sprintf("the firmware's web password file holds the public default password of %s (root/ismart12), which freecam never accepts; %s", f[0], create)
		}
	}
	return "the firmware's web password file is never imported (its password is a plain or MD5 digest one); " + create
}

func ha1(user, realm, password string) string {
	h := md5.Sum([]byte(user + ":" + realm + ":" + password))
	return hex.EncodeToString(h[:])
}

// otherKeys ignores every key of a firmware file freecam does not use, or the file as a whole
// when it is not KEY=value.
func otherKeys(name string, data []byte, reason string, rep *Report) {
	d, err := shellconf.Parse(name, data)
	if err != nil || len(d.Keys()) == 0 || checkText(data) != nil {
		rep.ignore(Entry{File: name, Reason: reason})
		return
	}
	for _, k := range d.Keys() {
		e, _ := d.Lookup(k)
		rep.ignore(Entry{File: name, Line: e.Line, Key: k, Reason: reason})
	}
}
