// Package buildinfo says what this freecam binary is: its version and commit, when and how it was
// built (Go version, target, build tags, cgo) and which encoders are compiled in. `freecam
// version` prints it; the web UI and the update code may read it too.
//
// Release builds (scripts/release.sh) stamp the version, commit and build date with
//
//	-ldflags "-X github.com/freecam/freecam/internal/buildinfo.version=1.2.3
//	          -X github.com/freecam/freecam/internal/buildinfo.commit=<git rev>
//	          -X github.com/freecam/freecam/internal/buildinfo.date=<RFC 3339>"
//
// Any other build takes the commit from the Go toolchain's VCS stamp (vcs.revision, vcs.modified)
// and calls itself "devel-<commit>[-dirty]".
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/freecam/freecam/internal/encode"
)

// Set by release builds with -ldflags -X (see the package comment); empty otherwise.
var (
	version string
	commit  string
	date    string
)

// Info describes the running binary. Its JSON form is `freecam version --json`.
type Info struct {
	Version    string `json:"version"`               // release version, or devel-<commit>[-dirty]
	Commit     string `json:"commit"`                // full VCS revision; "" when unknown
	Modified   bool   `json:"modified"`              // built from a tree with uncommitted changes
	CommitTime string `json:"commit_time,omitempty"` // RFC 3339, from the VCS stamp
	BuildDate  string `json:"build_date,omitempty"`  // RFC 3339, stamped by release builds only
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	// ArchVariant is the target's sub-architecture setting, e.g. "GOARM=7", "GOMIPS=softfloat",
	// "GOAMD64=v1"; "" when the toolchain did not record one.
	ArchVariant string   `json:"arch_variant,omitempty"`
	Tags        []string `json:"tags"` // build tags given with -tags; never nil
	CGO         bool     `json:"cgo"`
	// H264Encoder is the software H.264 encoder compiled in: "x264 (bundled source)",
	// "x264 (system libx264)", or "" when there is none (pure-Go builds, 32-bit targets).
	H264Encoder string `json:"h264_encoder"`
	JPEGEncoder string `json:"jpeg_encoder"` // "libjpeg-turbo" or "image/jpeg"
}

// Stamp is what a release build sets with -ldflags -X; empty fields are not stamped.
type Stamp struct {
	Version, Commit, Date string
}

// Get describes this binary.
func Get() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	info := From(bi, Stamp{Version: version, Commit: commit, Date: date})
	info.OS, info.Arch = runtime.GOOS, runtime.GOARCH
	info.GoVersion = runtime.Version()
	return info
}

// From builds an Info from the toolchain's build information (nil when the binary has none) and
// a release stamp, which wins over the VCS stamp. The encoder fields describe the encoders of the
// calling binary, as they are decided by its build constraints.
func From(bi *debug.BuildInfo, s Stamp) Info {
	info := Info{Tags: []string{}, JPEGEncoder: jpegName(encode.JPEGBackend)}
	if bi != nil {
		info.GoVersion = bi.GoVersion
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				info.Commit = kv.Value
			case "vcs.modified":
				info.Modified = kv.Value == "true"
			case "vcs.time":
				info.CommitTime = kv.Value
			case "GOOS":
				info.OS = kv.Value
			case "GOARCH":
				info.Arch = kv.Value
			case "GOARM", "GOMIPS", "GOMIPS64", "GOAMD64", "GOARM64", "GO386", "GOPPC64", "GORISCV64":
				info.ArchVariant = kv.Key + "=" + kv.Value
			case "CGO_ENABLED":
				info.CGO = kv.Value == "1"
			case "-tags":
				for _, t := range strings.Split(kv.Value, ",") {
					if t = strings.TrimSpace(t); t != "" {
						info.Tags = append(info.Tags, t)
					}
				}
			}
		}
	}
	if s.Commit != "" {
		info.Commit = s.Commit
	}
	info.BuildDate = s.Date
	info.Version = s.Version
	if info.Version == "" {
		info.Version = develVersion(info.Commit, info.Modified)
	}
	if encode.H264Backend != "" {
		info.H264Encoder = encode.H264Backend + " (bundled source)"
		if slices.Contains(info.Tags, "extlib") { // github.com/gen2brain/x264-go/x264c links the system's libx264
			info.H264Encoder = encode.H264Backend + " (system libx264)"
		}
	}
	return info
}

// develVersion names a build that carries no release version.
func develVersion(rev string, modified bool) string {
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		rev += "-dirty"
	}
	return "devel-" + rev
}

func jpegName(backend string) string {
	if backend == "turbojpeg" {
		return "libjpeg-turbo"
	}
	return backend
}
