package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/freecam/freecam/internal/conf"
)

// confCheckCmd loads the config directory without creating or changing anything and prints every
// problem; the exit code is 1 when there are errors, 0 otherwise (warnings alone pass).
func confCheckCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("freecam conf check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configDir := fs.String("config", "./config", "config directory")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	// A mistyped directory would otherwise read as "every file missing: all defaults, OK".
	if st, err := os.Stat(*configDir); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "error: config directory %s: not found (freecam creates it with defaults at its first start)\n", *configDir)
		return 1
	}
	_, warnings, err := conf.Load(*configDir)
	for _, w := range warnings {
		fmt.Fprintln(stdout, "warning:", w.String())
	}
	// update.conf's errors are warnings for the camera (it starts without updates); say what
	// they cost. LoadUpdate still sees them as errors, whatever the other files hold.
	if _, uerr := conf.LoadUpdate(*configDir); uerr != nil {
		fmt.Fprintf(stdout, "note: %s has errors (above): updates are off until they are fixed; the camera runs without them and freecam update refuses to run\n", conf.UpdateFile)
	}
	if err != nil {
		var cerrs conf.Errors
		if !errors.As(err, &cerrs) {
			fmt.Fprintln(stderr, "error:", err)
			return 1
		}
		for _, e := range cerrs {
			fmt.Fprintln(stdout, "error:", e.String())
		}
		fmt.Fprintf(stdout, "%s: %d error(s), %d warning(s)\n", *configDir, len(cerrs), len(warnings))
		return 1
	}
	fmt.Fprintf(stdout, "%s: OK (%d warning(s))\n", *configDir, len(warnings))
	return 0
}
