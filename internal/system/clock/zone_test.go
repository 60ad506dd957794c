package clock

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const fixtureDir = "../../../../shared/fixtures/dafang-config"

func TestLoadZoneFirmwareFile(t *testing.T) {
	if _, err := os.Stat(filepath.Join(fixtureDir, ZoneFile)); err != nil {
		t.Skipf("firmware fixtures not available (%v)", err)
	}
	name, loc, err := LoadZone(fixtureDir)
	if err != nil || name != "Europe/London" || loc.String() != "Europe/London" {
		t.Fatalf("got %q, %v, %v, want Europe/London", name, loc, err)
	}
	summer := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC).In(loc)
	if zone, off := summer.Zone(); zone != "BST" || off != 3600 {
		t.Errorf("July in Europe/London: got %s %d, want BST 3600", zone, off)
	}
	server, err := LoadServer(fixtureDir) // ntp_srv.conf is only there as .dist: the default
	if err != nil || server != DefaultServer {
		t.Errorf("LoadServer: got %q, %v, want %q", server, err, DefaultServer)
	}
}

func TestLoadZone(t *testing.T) {
	tests := []struct {
		name, file string // file "-" = none
		want       string
		wantErr    string
	}{
		{"missing file", "-", "", ""},
		{"empty file", "\n", "", ""},
		{"name with newline", "America/New_York\n", "America/New_York", ""},
		{"offset zone", "Etc/GMT+1", "Etc/GMT+1", ""},
		{"path climbing out", "../../etc/passwd", "", `timezone.conf: "../../etc/passwd" is not a time zone name`},
		{"unknown name", "Mars/Olympus_Mons", "", `timezone.conf: unknown time zone "Mars/Olympus_Mons"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.file != "-" {
				if err := os.WriteFile(filepath.Join(dir, ZoneFile), []byte(tt.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			name, loc, err := LoadZone(dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				if loc != time.Local {
					t.Errorf("location after an error: got %v, want time.Local", loc)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if name != tt.want {
				t.Errorf("name: got %q, want %q", name, tt.want)
			}
			if tt.want == "" && loc != time.Local || tt.want != "" && loc.String() != tt.want {
				t.Errorf("location: got %v, want %q (or Local)", loc, tt.want)
			}
		})
	}
}

func TestLoadServer(t *testing.T) {
	for _, tt := range []struct{ name, file, want, wantErr string }{
		{"missing", "-", DefaultServer, ""},
		{"host", "pool.ntp.org\n", "pool.ntp.org", ""},
		{"address", "192.168.1.1", "192.168.1.1", ""},
		{"junk", "time server;reboot", DefaultServer, `ntp_srv.conf: "time server;reboot" is not a host name or IP address`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.file != "-" {
				if err := os.WriteFile(filepath.Join(dir, ServerFile), []byte(tt.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := LoadServer(dir)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestKernelManaged(t *testing.T) {
	for _, tt := range []struct {
		name string
		k    Kernel
		want bool
	}{
		{"daemon running", Kernel{Unsync: false, MaxError: 20 * time.Millisecond}, true},
		{"never synchronised", Kernel{Unsync: true, MaxError: 16 * time.Second}, false},
		{"set by settimeofday", Kernel{Unsync: true, MaxError: 0}, false},
		{"daemon gone long ago", Kernel{Unsync: false, MaxError: 16 * time.Second}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.k.Managed(); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
