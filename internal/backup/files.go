package backup

import (
	"path"
	"slices"
	"strings"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/hal/motor"
	"github.com/freecam/freecam/internal/hal/ptz"
	"github.com/freecam/freecam/internal/web/auth"
	"github.com/freecam/freecam/internal/web/tlscert"
)

// Directories of the config directory that a backup holds.
const (
	AutostartDir = "autostart" // service x starts at boot when autostart/x exists
	TLSDir       = tlscert.SubDir
)

// Known returns the names of the top-level config files a backup holds and a restore writes:
// freecam's typed files (conf), the PTZ presets, the firmware's system files (network, swap,
// time, hostname), and the accounts file. Besides these, autostart/* and, with the key options,
// freecam.key and tls/* are backed up.
func Known() []string {
	names := []string{
		conf.RTSPServerFile, conf.OSDFile, conf.FreecamFile, conf.AutoNightFile, conf.RecordingFile,
		conf.TimelapseFile, conf.HALFile, conf.MotionFile, conf.MQTTFile, conf.MailFile,
		conf.TelegramFile, conf.MatrixFile, conf.ONVIFFile, conf.UpdateFile, ptz.File,
		"hostname.conf", "timezone.conf", "ntp_srv.conf", "staticip.conf", "defaultgw.conf",
		"resolv.conf", "wpa_supplicant.conf", "swap.conf",
		auth.UsersFile,
	}
	slices.Sort(names)
	return names
}

// secretFiles may hold passwords or tokens: restored with mode 0600 at most.
func secretFiles() []string {
	return []string{conf.RTSPServerFile, conf.MotionFile, conf.MQTTFile, conf.MailFile,
		conf.TelegramFile, conf.MatrixFile, auth.UsersFile, auth.KeyFile, "wpa_supplicant.conf",
		path.Join(TLSDir, tlscert.SelfKeyFile), path.Join(TLSDir, tlscert.UserKeyFile)}
}

// tlsPairs are the certificate and key files of tls/, each restored only with the other.
func tlsPairs() [][2]string {
	return [][2]string{
		{path.Join(TLSDir, tlscert.SelfCertFile), path.Join(TLSDir, tlscert.SelfKeyFile)},
		{path.Join(TLSDir, tlscert.UserCertFile), path.Join(TLSDir, tlscert.UserKeyFile)},
	}
}

// kind is what a name in the archive is to the restore.
type kind int

const (
	ignored    kind = iota // not written, reported with a reason
	plain                  // a known top-level file
	autostart              // autostart/<service>
	tlsFile                // tls/<cert or key>
	sealingKey             // freecam.key
)

// classify says what the cleaned, relative archive name is, and for an ignored one why.
func classify(name string) (kind, string) {
	dir, base := path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	switch {
	case strings.HasSuffix(base, ".dist"):
		return ignored, "a built-in default (.dist): freecam ships its own"
	case strings.HasPrefix(base, "."):
		return ignored, "a hidden file"
	case dir == "" && slices.Contains(Known(), base):
		return plain, ""
	case dir == "" && base == auth.KeyFile:
		return sealingKey, ""
	case dir == "" && base == "lighttpd.user":
		return ignored, "the firmware's web password file (its default password is public); freecam's accounts are freecam.users: set them with `freecam passwd` or on the System page"
	case dir == "" && base == "lighttpd.pem":
		return ignored, "the firmware's certificate: freecam's is in tls/"
	case dir == "" && base == motor.PositionFile:
		return ignored, "the motor's last position is the camera's state, not a setting"
	case dir == AutostartDir && validAutostartName(base):
		return autostart, ""
	case dir == AutostartDir:
		return ignored, "not a service name"
	case dir == TLSDir:
		for _, p := range tlsPairs() {
			if name == p[0] || name == p[1] {
				return tlsFile, ""
			}
		}
		return ignored, "not one of freecam's certificate files"
	case dir == "userscripts" || strings.HasPrefix(dir, "userscripts/"):
		return ignored, "user scripts are programs: a restore never installs one; copy them by hand"
	}
	return ignored, "not a config file freecam uses"
}

// validAutostartName reports whether s can be a service name: [a-z0-9_-], at most 64.
func validAutostartName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
