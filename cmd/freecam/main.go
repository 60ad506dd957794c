// Command freecam is the whole camera in one binary: it reads the Dafang-style config directory,
// captures or synthesises video, and serves it over RTSP, JPEG snapshots and MJPEG.
//
//	freecam [run] [--config DIR] [--data DIR] [--source SPEC]
//	freecam conf check [--config DIR]
//	freecam conf import [--config DIR] [--dry-run] SRC
//	freecam passwd [--config DIR] [--role admin|viewer] [--digest] [--delete] [USER]
//	freecam version [--json]
package main

import (
	"fmt"
	"io"
	"os"
	// The zone database in the binary (about 450 KB): the cameras have no /usr/share/zoneinfo,
	// and timezone.conf names a zone such as Europe/London.
	_ "time/tzdata"

	dnssdlog "github.com/brutella/dnssd/log"
)

func main() {
	// The mDNS library's own logger writes to stdout; freecam logs what its responder does.
	dnssdlog.Info.Disable()
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  freecam [run] [--config DIR] [--data DIR] [--source SPEC]   start the camera (the default)
  freecam conf check [--config DIR]                          check the config and print every problem
  freecam conf import [--config DIR] [--dry-run] SRC         import a firmware config directory, with a report
  freecam passwd [--config DIR] [--role admin|viewer] [--digest] [--delete] [USER]
                                                             set or delete an account's password
  freecam version [--json]                                   print the version, commit, build and encoders
  freecam update [--check] [--manifest URL]                  check for or install a signed release (also --status, --rollback)
  freecam release keygen | sign …                            make a release key; sign binaries into a manifest

sources: synthetic | y4m:PATH | exec:COMMAND | v4l2:/dev/videoN
`

// Main runs one subcommand and returns the process exit code. It is main without os.Exit, so
// tests can call it.
func Main(args []string, stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 && (args[0] == "" || args[0][0] != '-' || args[0] == "-h" || args[0] == "--help") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runCmd(args, stderr)
	case "conf":
		if len(args) > 0 && args[0] == "import" {
			return confImportCmd(args[1:], stdout, stderr)
		}
		if len(args) == 0 || args[0] != "check" {
			fmt.Fprint(stderr, "freecam conf: want a subcommand: check or import\n\n"+usage)
			return 2
		}
		return confCheckCmd(args[1:], stdout, stderr)
	case "passwd":
		return passwdCmd(args, os.Stdin, stdout, stderr)
	case "version":
		return versionCmd(args, stdout, stderr)
	case "update":
		return updateCmd(args, stdout, stderr)
	case "release":
		return releaseCmd(args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "freecam: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}
