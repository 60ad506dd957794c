package update

import (
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
)

// Platform names the running binary's platform as manifests list it (see the package comment):
// GOOS/GOARCH with the GOARM or GOMIPS variant the binary was built for.
func Platform() string {
	env := map[string]string{}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			env[s.Key] = s.Value
		}
	}
	return PlatformFor(runtime.GOOS, runtime.GOARCH, env["GOARM"], env["GOMIPS"])
}

// PlatformFor names the platform of a build for goos/goarch with the given GOARM and GOMIPS
// values (empty: Go's defaults, GOARM=7 and GOMIPS=hardfloat).
func PlatformFor(goos, goarch, goarm, gomips string) string {
	arch := goarch
	switch goarch {
	case "arm":
		v := "7"
		if goarm != "" {
			v = goarm[:1] // "7" or "7,softfloat"
		}
		arch = "armv" + v
	case "mips", "mipsle":
		if gomips != "softfloat" {
			arch += "-hardfloat"
		}
	}
	return goos + "/" + arch
}

// PlatformFromFileName reads the platform from a release file's name: freecam-linux-mipsle →
// linux/mipsle, freecam-1.2.3-linux-amd64-x264 → linux/amd64-x264.
func PlatformFromFileName(name string) (string, error) {
	base := strings.TrimSuffix(filepath.Base(name), ".exe")
	if !strings.HasPrefix(base, "freecam-") {
		return "", fmt.Errorf("%s: want a name like freecam-linux-mipsle (freecam-OS-ARCH[-FLAVOUR])", base)
	}
	fields := strings.Split(strings.TrimPrefix(base, "freecam-"), "-")
	for i, f := range fields {
		for _, os := range []string{"linux", "darwin", "freebsd", "openbsd", "netbsd", "windows"} {
			if f == os && i+1 < len(fields) && fields[i+1] != "" {
				return os + "/" + strings.Join(fields[i+1:], "-"), nil
			}
		}
	}
	return "", fmt.Errorf("%s: no OS-ARCH in the name (want freecam-OS-ARCH[-FLAVOUR], e.g. freecam-linux-armv7)", base)
}
