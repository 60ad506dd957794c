package swap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixtureDir = "../../../../shared/fixtures/dafang-config"

func TestLoadFirmwareDist(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(fixtureDir, "swap.conf.dist"))
	if err != nil {
		t.Skipf("firmware fixtures not available (%v)", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, File), src, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatalf("Load: got error %v, want none", err)
	}
	want := Config{ZRAM: true, ZRAMSize: 16777216, File: false, Path: "/system/sdcard/swapfile", SizeMB: 256}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		file    string // "" = no file
		want    Config
		wantErr []string // substrings of the error, in order
	}{
		{name: "missing file gives the firmware defaults", want: Default()},
		{name: "file on", file: "SWAP_ZRAM=false\nSWAP=true\nSWAPPATH=/media/sd/swap\nSWAPSIZE=64\n",
			want: Config{ZRAM: false, ZRAMSize: 16 << 20, File: true, Path: "/media/sd/swap", SizeMB: 64}},
		{name: "zram size", file: "SWAP_ZRAM_SIZE=33554432\n",
			want: Config{ZRAM: true, ZRAMSize: 32 << 20, Path: "/system/sdcard/swapfile", SizeMB: 256}},
		{name: "empty values keep defaults", file: "SWAP=\nSWAPSIZE=\n", want: Default()},
		{name: "bad size", file: "SWAP=true\nSWAPPATH=/x/swap\nSWAPSIZE=x\n",
			want:    Config{ZRAM: true, ZRAMSize: 16 << 20, File: true, Path: "/x/swap", SizeMB: 256},
			wantErr: []string{`swap.conf:3: SWAPSIZE: must be a whole number of MB (got "x")`}},
		{name: "several errors", file: "SWAP_ZRAM=maybe\nSWAP_ZRAM_SIZE=12k\nSWAPPATH=swapfile\nSWAPSIZE=5000\n",
			want: Default(),
			wantErr: []string{
				`swap.conf:1: SWAP_ZRAM: must be true or false (got "maybe")`,
				`swap.conf:2: SWAP_ZRAM_SIZE: must be a whole number of bytes (got "12k")`,
				`swap.conf:3: SWAPPATH: must be an absolute file path`,
				`swap.conf:4: SWAPSIZE: must be between 1 and 4095 MB (got "5000")`,
			}},
		{name: "dynamic value", file: "SWAPPATH=$(cat /tmp/p)\n", want: Default(),
			wantErr: []string{"swap.conf:1: SWAPPATH: contains a command substitution"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.file != "" {
				if err := os.WriteFile(filepath.Join(dir, File), []byte(tt.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Load(dir)
			if got != tt.want {
				t.Errorf("config: got %+v, want %+v", got, tt.want)
			}
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Errorf("got error %v, want none", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got no error, want %q", tt.wantErr)
			}
			msg := err.Error()
			for _, w := range tt.wantErr {
				i := strings.Index(msg, w)
				if i < 0 {
					t.Fatalf("got error %q, want it to contain %q (in order)", err, w)
				}
				msg = msg[i+len(w):]
			}
		})
	}
}

// Check is what the firmware-config import uses: the same verdicts as Load, key by key.
func TestCheckAgreesWithLoad(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		ok         bool
	}{
		{"SWAP", "true", true}, {"SWAP", "maybe", false},
		{"SWAPSIZE", "128", true}, {"SWAPSIZE", "0", false}, {"SWAPSIZE", "x", false},
		{"SWAP_ZRAM_SIZE", "16777216", true}, {"SWAP_ZRAM_SIZE", "10", false},
		{"SWAPPATH", "/system/sdcard/swapfile", true}, {"SWAPPATH", "/a/../etc/shadow", false},
		{"SWAPPRIO", "1", false},
	} {
		err := Check(tc.key, tc.value)
		if (err == nil) != tc.ok {
			t.Errorf("Check(%s, %q): got %v, want ok=%v", tc.key, tc.value, err, tc.ok)
		}
		if !IsKey(tc.key) {
			continue
		}
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, File), []byte(tc.key+"="+tc.value+"\n"), 0o644)
		if _, lerr := Load(dir); (lerr == nil) != tc.ok {
			t.Errorf("Load with %s=%q: got %v, want ok=%v as Check said", tc.key, tc.value, lerr, tc.ok)
		}
	}
}
