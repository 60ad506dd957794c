package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/freecam/freecam/internal/conf/importer"
)

// confImportCmd imports a Dafang Hacks config directory (SRC, copied off the SD card) into
// freecam's and prints what became of every key: applied, ignored or refused, each with its
// file:line, key and reason. The exit code is 1 when anything was refused (nothing is written
// then) or the import failed, 2 for a usage error, 0 otherwise.
func confImportCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("freecam conf import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: freecam conf import [--config DST] [--dry-run] SRC")
		fs.PrintDefaults()
	}
	configDir := fs.String("config", "./config", "freecam's config directory to import into")
	dryRun := fs.Bool("dry-run", false, "print the report without writing anything")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	rep, err := importer.Import(fs.Arg(0), *configDir, importer.Options{DryRun: *dryRun})
	if err != nil && !errors.Is(err, importer.ErrRefused) {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	if werr := rep.WriteText(stdout); werr != nil {
		return 1
	}
	if err != nil {
		return 1
	}
	if !*dryRun && len(rep.Written) > 0 {
		fmt.Fprintln(stdout, "a running freecam picks the files up when it reloads or restarts; accounts are not imported: set them with `freecam passwd`")
	}
	return 0
}
