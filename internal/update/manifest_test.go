package update

import (
	"strings"
	"testing"
)

func TestSignedMessageIsExact(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	got, err := SignedMessage("1.2.3", "linux/mipsle", sum, 42)
	if want := "freecam-update-v1\n1.2.3\nlinux/mipsle\n" + sum + "\n42\n"; err != nil || string(got) != want {
		t.Errorf("got %q (%v), want %q", got, err, want)
	}
	for _, bad := range []struct{ v, p, sum string }{
		{"1.2.3\nlinux/arm64", "linux/mipsle", sum},
		{"1.2.3", "", sum},
		{"1.2.3", "linux/mipsle", strings.ToUpper(sum)},
		{"1.2.3", "linux/mipsle", "abcd"},
	} {
		if _, err := SignedMessage(bad.v, bad.p, bad.sum, 42); err == nil {
			t.Errorf("got no error for %q %q %q, want one", bad.v, bad.p, bad.sum)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.2.3", "1.2.3", 0},
		{"v1.2.3", "1.2.3", 0},
		{"1.2.10", "1.2.9", 1},
		{"1.10", "1.9.9", 1},
		{"2", "1.99.99", 1},
		{"1.3.0-rc.1", "1.3.0", -1},
		{"1.3.0-rc.2", "1.3.0-rc.10", -1},
		{"1.3.0-rc.1", "1.3.0-beta", 1},
		{"1.3.0-1", "1.3.0-alpha", -1},
		{"1.3.0-rc", "1.3.0-rc.1", -1},
		{"1.3.0+build5", "1.3.0", 0},
		{"1.2.3", "1.3.0", -1},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			if got, err := CompareVersions(tt.a, tt.b); err != nil || got != tt.want {
				t.Errorf("got %d (%v), want %d", got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"devel-abc123", "", "1.2.3.4", "1.x", "1.2-"} {
		if _, err := CompareVersions(bad, "1.0.0"); err == nil {
			t.Errorf("got no error for %q, want one", bad)
		}
	}
}

func TestPlatforms(t *testing.T) {
	tests := []struct{ goos, goarch, goarm, gomips, want string }{
		{"linux", "mipsle", "", "softfloat", "linux/mipsle"},
		{"linux", "mipsle", "", "", "linux/mipsle-hardfloat"},
		{"linux", "arm", "7", "", "linux/armv7"},
		{"linux", "arm", "6,softfloat", "", "linux/armv6"},
		{"linux", "arm", "", "", "linux/armv7"},
		{"linux", "arm64", "", "", "linux/arm64"},
		{"linux", "amd64", "", "", "linux/amd64"},
	}
	for _, tt := range tests {
		if got := PlatformFor(tt.goos, tt.goarch, tt.goarm, tt.gomips); got != tt.want {
			t.Errorf("PlatformFor(%s, %s, %q, %q): got %s, want %s", tt.goos, tt.goarch, tt.goarm, tt.gomips, got, tt.want)
		}
	}
	names := []struct{ name, want string }{
		{"freecam-linux-mipsle", "linux/mipsle"},
		{"_release/1.2.3/freecam-linux-armv7", "linux/armv7"},
		{"freecam-1.2.3-linux-amd64-x264", "linux/amd64-x264"},
		{"freecam-v1.2.3-rc.1-linux-arm64", "linux/arm64"},
	}
	for _, tt := range names {
		if got, err := PlatformFromFileName(tt.name); err != nil || got != tt.want {
			t.Errorf("PlatformFromFileName(%s): got %q (%v), want %s", tt.name, got, err, tt.want)
		}
	}
	for _, bad := range []string{"freecam", "other-linux-amd64", "freecam-linux", "freecam-amd64"} {
		if got, err := PlatformFromFileName(bad); err == nil {
			t.Errorf("PlatformFromFileName(%s): got %q, want an error", bad, got)
		}
	}
}

func TestKeys(t *testing.T) {
	priv, pub, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	sk, err := ParsePrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ParsePublicKeys("  " + strings.TrimSpace(pub) + ",\n" + strings.TrimSpace(pub))
	if err != nil || len(pk) != 2 || !pk[0].Equal(sk.Public()) {
		t.Errorf("got %d keys (%v), want the pair's public key twice", len(pk), err)
	}
	if _, err := ParsePrivateKey(pub); err == nil {
		t.Error("ParsePrivateKey took the public key")
	}
	damaged := []byte(strings.TrimSpace(priv))
	damaged[3] ^= 1
	if _, err := ParsePrivateKey(string(damaged)); err == nil {
		t.Error("ParsePrivateKey took a damaged key")
	}
	for _, bad := range []string{"", "bm90IGEga2V5", "!!"} {
		if _, err := ParsePublicKeys(bad); err == nil {
			t.Errorf("ParsePublicKeys(%q): got no error", bad)
		}
	}
	if keys, err := BuiltinPublicKeys(); err != nil || len(keys) != 0 {
		t.Errorf("got %d built-in keys (%v) in a test build, want none", len(keys), err)
	}
}
