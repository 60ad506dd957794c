package settings

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/conf/shellconf"
	"github.com/freecam/freecam/internal/system/swap"
)

// swap.conf is read by the system service (internal/system/swap), not by internal/conf: conf has
// no built-in default for it and conf.Apply does not check its values. fileDefault and
// checkOwnFiles fill that gap, so the page shows swap.Load's defaults and refuses what swap.Load
// would refuse.

// fileDefault is the built-in default of a config file: conf's .dist, or swap.Default written as
// the firmware's swap.conf.
func fileDefault(name string) ([]byte, bool) {
	if src, ok := conf.Dist(name); ok {
		return src, true
	}
	if name == swap.File {
		d := swap.Default()
		return fmt.Appendf(nil, "SWAP_ZRAM=%t\nSWAP_ZRAM_SIZE=%d\nSWAP=%t\nSWAPPATH=%s\nSWAPSIZE=%d\n",
			d.ZRAM, d.ZRAMSize, d.File, d.Path, d.SizeMB), true
	}
	return nil, false
}

// checkOwnFiles checks the edits of files conf does not load with their own loader: swap.conf
// as it would be written (the file in dir, or an empty one, with edits applied) must pass
// swap.Load. The problems come back under the fields' names.
func checkOwnFiles(dir string, edits conf.Edits) (FieldErrors, error) {
	e, ok := edits[swap.File]
	if !ok {
		return nil, nil
	}
	doc, err := shellconf.ReadFile(filepath.Join(dir, swap.File))
	if errors.Is(err, fs.ErrNotExist) {
		doc, err = shellconf.Parse(swap.File, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: cannot edit a file that does not read: %w", swap.File, err)
	}
	fe := FieldErrors{}
	for k, v := range e {
		if err := doc.Set(k, v); err != nil {
			fe.add(swap.File+"/"+k, err.Error())
		}
	}
	if len(fe) > 0 {
		return fe, nil
	}
	tmp, err := os.MkdirTemp("", "freecam-swap-check-")
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", swap.File, err)
	}
	defer os.RemoveAll(tmp)
	if err := doc.WriteFile(filepath.Join(tmp, swap.File)); err != nil {
		return nil, fmt.Errorf("check %s: %w", swap.File, err)
	}
	_, err = swap.Load(tmp)
	if err == nil {
		return nil, nil
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, err := range errs {
		var is shellconf.Issue
		if errors.As(err, &is) && is.Key != "" {
			fe.add(swap.File+"/"+is.Key, is.Message)
			continue
		}
		fe.add("", err.Error())
	}
	return fe, nil
}
