package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/freecam/freecam/internal/buildinfo"
)

// buildVersion is the older way to stamp a version (-ldflags "-X main.buildVersion=v1.2.3"); it
// still wins when set. Release builds stamp internal/buildinfo instead (scripts/release.sh), which
// the web UI can read too.
var buildVersion = ""

// info describes this binary, with buildVersion applied.
func info() buildinfo.Info {
	i := buildinfo.Get()
	if buildVersion != "" {
		i.Version = buildVersion
	}
	return i
}

// version is the release version, or devel-<commit>[-dirty] for a development build.
func version() string { return info().Version }

// versionCmd is `freecam version [--json]`.
func versionCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("freecam version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the build facts as one JSON object")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "freecam version: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	i := info()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(i); err != nil {
			fmt.Fprintf(stderr, "freecam version: %v\n", err)
			return 1
		}
		return 0
	}
	writeVersionText(stdout, i)
	return 0
}

// writeVersionText prints i for a person: the first line is "freecam VERSION".
func writeVersionText(w io.Writer, i buildinfo.Info) {
	or := func(s, alt string) string {
		if s == "" {
			return alt
		}
		return s
	}
	commit := or(i.Commit, "unknown")
	if i.Modified {
		commit += " (with uncommitted changes)"
	}
	if i.CommitTime != "" {
		commit += ", committed " + i.CommitTime
	}
	target := i.OS + "/" + i.Arch
	if i.ArchVariant != "" {
		target += " " + i.ArchVariant
	}
	cgo := "off"
	if i.CGO {
		cgo = "on"
	}
	h264 := or(i.H264Encoder, "none: this build cannot encode H.264 itself; use a source that delivers H.264")
	fmt.Fprintf(w, "freecam %s\n", i.Version)
	for _, row := range [][2]string{
		{"commit", commit},
		{"built", or(i.BuildDate, "unknown (not a release build)")},
		{"go", i.GoVersion},
		{"target", target},
		{"tags", or(strings.Join(i.Tags, ","), "none")},
		{"cgo", cgo},
		{"h264", h264},
		{"jpeg", i.JPEGEncoder},
	} {
		fmt.Fprintf(w, "  %-7s %s\n", row[0], row[1])
	}
}
