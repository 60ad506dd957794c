package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/freecam/freecam/internal/buildinfo"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/update"
)

const updateUsage = `usage: freecam update [--config DIR] [--check] [--manifest URL] [--public-key KEY|FILE] [--ca-file PEM] [--force] [--binary PATH]
       freecam update --status | --rollback [--binary PATH]

Fetches the release manifest over verified HTTPS, and installs this platform's binary when it is
newer and its signature, size and SHA-256 check out: the running binary is kept as BINARY.previous
and comes back by itself if the new one does not report healthy after the restart. --check only
says what is available; --status shows a pending or rolled-back update; --rollback puts
BINARY.previous back by hand. The manifest URL, the release keys and the CA file come from
DIR/update.conf (UPDATE_MANIFEST_URL, UPDATE_PUBLIC_KEY, UPDATE_CA_FILE) unless given as flags.
`

// updateCmd is `freecam update`. It replaces the binary on disk; a running camera keeps its
// version until it is restarted.
func updateCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("freecam update", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, updateUsage); fs.PrintDefaults() }
	configDir := fs.String("config", "./config", "config directory whose update.conf gives what the flags do not")
	check := fs.Bool("check", false, "only say whether a newer release is available")
	manifest := fs.String("manifest", "", "the release manifest's https:// URL (default: update.conf's UPDATE_MANIFEST_URL)")
	pubKey := fs.String("public-key", "", "trust this release key (base64, or a .pub file) instead of the built-in one (default: update.conf's UPDATE_PUBLIC_KEY)")
	caFile := fs.String("ca-file", "", "also trust the certificate authorities in this PEM file for the update server (default: update.conf's UPDATE_CA_FILE)")
	force := fs.Bool("force", false, "install even when the release is not newer (a downgrade, or over a development build)")
	binary := fs.String("binary", "", "the binary to update (default: this one)")
	status := fs.Bool("status", false, "show the update state next to the binary")
	rollback := fs.Bool("rollback", false, "put BINARY.previous back")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "freecam update: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "freecam update:", err)
		return 1
	}
	if *status {
		return updateStatus(*binary, stdout, stderr)
	}
	if *rollback {
		st, err := update.ReadStatus(*binary)
		if err != nil {
			return fail(err)
		}
		if !st.HasPrevious {
			return fail(errors.New("no previous binary to go back to"))
		}
		r, err := update.RollbackTo(*binary, "asked for by freecam update --rollback", time.Now())
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "put the previous binary back%s; restart freecam to run it\n", versionNote(r.RestoredVersion))
		return 0
	}
	// Flags win; update.conf gives the rest. A broken key in update.conf does not stop a flag that
	// replaces it.
	cfg, warn, err := loadUpdateConf(*configDir, map[string]bool{
		"UPDATE_MANIFEST_URL": *manifest != "", "UPDATE_PUBLIC_KEY": *pubKey != "", "UPDATE_CA_FILE": *caFile != ""})
	if err != nil {
		return fail(err)
	}
	if warn != "" {
		fmt.Fprintln(stderr, "freecam update:", warn)
	}
	if *manifest == "" {
		*manifest = cfg.ManifestURL
	}
	if *manifest == "" {
		fmt.Fprintf(stderr, "freecam update: no manifest URL: give --manifest URL or set UPDATE_MANIFEST_URL in %s\n\n%s", filepath.Join(*configDir, conf.UpdateFile), updateUsage)
		return 2
	}
	o := update.Options{ManifestURL: *manifest, CurrentVersion: version(), Platform: ownPlatform(), Executable: *binary, AllowOlder: *force}
	switch {
	case *pubKey != "":
		keys, err := readKeys(*pubKey)
		if err != nil {
			return fail(err)
		}
		o.PublicKeys = keys
	case cfg.PublicKey != "":
		keys, err := update.ParsePublicKeys(cfg.PublicKey)
		if err != nil {
			return fail(fmt.Errorf("%s UPDATE_PUBLIC_KEY: %w", conf.UpdateFile, err))
		}
		o.PublicKeys = keys
	}
	o.CAFile = cfg.CAFile
	if *caFile != "" {
		o.CAFile = *caFile
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rel, err := update.Check(ctx, o)
	if err != nil {
		return fail(err)
	}
	if *check || (!rel.Newer && !*force) {
		if rel.Newer {
			fmt.Fprintf(stdout, "freecam %s is available (this binary: %s), released %s\n", rel.Version, rel.Current, rel.Released.Format(time.DateOnly))
			if rel.Notes != "" {
				fmt.Fprintln(stdout, rel.Notes)
			}
		} else if _, err := update.CompareVersions(rel.Current, rel.Current); err != nil {
			fmt.Fprintf(stdout, "this binary is a development build (%s): the manifest offers %s; --force installs it\n", rel.Current, rel.Version)
		} else {
			fmt.Fprintf(stdout, "up to date: the manifest offers %s, this binary: %s\n", rel.Version, rel.Current)
		}
		// This process is not the camera, which may run another version (see updateStatus).
		fmt.Fprintln(stdout, "(a running camera keeps the version it started with until it restarts: the System page says which)")
		return 0
	}
	last := -1
	o.ProgressInterval = time.Second
	o.Progress = func(done, total int64) {
		if pct := int(done * 100 / max(total, 1)); pct != last {
			last = pct
			fmt.Fprintf(stderr, "downloading freecam %s: %d%% of %d bytes\n", rel.Version, pct, total)
		}
	}
	if err := update.Apply(ctx, rel, o); err != nil {
		return fail(err)
	}
	st, _ := update.ReadStatus(*binary)
	timeout := "the health timeout"
	if st.Pending != nil {
		timeout = (time.Duration(st.Pending.TimeoutSeconds) * time.Second).String()
	}
	fmt.Fprintf(stdout, "installed freecam %s (was %s, kept as .previous): restart freecam to run it; it must report healthy within %s of its first start or the previous version comes back\n", rel.Version, previous(st, rel.Current), timeout)
	return 0
}

func updateStatus(binary string, stdout, stderr io.Writer) int {
	st, err := update.ReadStatus(binary)
	if err != nil {
		fmt.Fprintln(stderr, "freecam update:", err)
		return 1
	}
	// This process is not the camera: the camera runs the version it started with (the System
	// page and GET /api/v1/update say which), whatever the binary on disk is now.
	fmt.Fprintf(stdout, "this binary: %s on %s\n", orUnknown(version()), ownPlatform())
	if binary != "" && !isSelf(binary) {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		v, err := update.BinaryVersion(ctx, binary, 0)
		stop()
		if err != nil {
			fmt.Fprintf(stdout, "%s: version unknown (%v)\n", binary, err)
		} else {
			fmt.Fprintf(stdout, "%s: %s\n", binary, v)
		}
	}
	fmt.Fprintln(stdout, "(a running camera keeps the version it started with until it restarts: the System page says which)")
	if p := st.Pending; p != nil {
		fmt.Fprintf(stdout, "pending: %s over %s, installed %s, started %d of %d times, %gs to report healthy\n",
			p.Version, p.PreviousVersion, p.Applied.Format(time.RFC3339), p.Starts, p.MaxStarts, p.TimeoutSeconds)
	}
	if r := st.LastRollback; r != nil {
		fmt.Fprintf(stdout, "rolled back: %s (back to %s) at %s: %s\n", orUnknown(r.Version), orUnknown(r.RestoredVersion), r.At.Format(time.RFC3339), r.Reason)
	}
	fmt.Fprintf(stdout, "previous binary kept: %v\n", st.HasPrevious)
	return 0
}

// isSelf reports whether path is the file this process runs from.
func isSelf(path string) bool {
	self, err := os.Executable()
	if err != nil {
		return false
	}
	a, err1 := os.Stat(self)
	b, err2 := os.Stat(path)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// ownPlatform is this build's manifest platform: the cgo build with x264 is its own flavour.
func ownPlatform() string {
	p := update.Platform()
	if buildinfo.Get().H264Encoder != "" {
		p += "-x264"
	}
	return p
}

// readKeys reads --public-key: a file's content, or the value itself. Its errors never quote
// the key (it may be the private one).
func readKeys(v string) ([]ed25519.PublicKey, error) {
	data, err := os.ReadFile(v)
	if err != nil {
		keys, perr := update.ParsePublicKeys(v)
		if perr != nil {
			return nil, fmt.Errorf("--public-key: %w", perr)
		}
		return keys, nil
	}
	keys, err := update.ParsePublicKeys(string(data))
	if err != nil {
		return nil, fmt.Errorf("--public-key %s: %w", v, err)
	}
	return keys, nil
}

// previous is the version the install kept as .previous (the binary on disk, which a rollback
// may have made older than the running one), else the running one.
func previous(st update.Status, running string) string {
	if st.Pending != nil && st.Pending.PreviousVersion != "" {
		return st.Pending.PreviousVersion
	}
	return running
}

func orUnknown(v string) string {
	if v == "" {
		return "unknown"
	}
	return v
}

func versionNote(v string) string {
	if v == "" {
		return ""
	}
	return " (" + v + ")"
}

// loadUpdateConf reads DIR/update.conf for freecam update. byFlag says which keys a flag gives
// (the flag wins). When update.conf has errors:
//   - if each of them is about a key a flag replaces, the file's other keys still apply and warn
//     says which errors the flags stand in for;
//   - else, if --manifest is given, update.conf is left out entirely (the flags alone apply) and
//     warn says so;
//   - else err is update.conf's errors.
//
// Neither warn nor err quotes a key's value (conf's messages never do for a key).
func loadUpdateConf(dir string, byFlag map[string]bool) (cfg conf.Update, warn string, err error) {
	cfg, err = conf.LoadUpdate(dir)
	if err == nil {
		return cfg, "", nil
	}
	var errs conf.Errors
	if !errors.As(err, &errs) {
		return conf.Update{}, "", err
	}
	if allGivenByFlags(errs, byFlag) {
		// LoadUpdate kept the valid keys; the flags replace the broken ones.
		return cfg, fmt.Sprintf("%s has errors; the flags stand in for the broken keys:\n%v", conf.UpdateFile, err), nil
	}
	if byFlag["UPDATE_MANIFEST_URL"] {
		return conf.DefaultUpdate(), fmt.Sprintf("%s has errors; leaving it out and using the flags alone:\n%v", conf.UpdateFile, err), nil
	}
	return conf.Update{}, "", err
}

// allGivenByFlags reports whether every error in errs is about a key a flag gives.
func allGivenByFlags(errs conf.Errors, byFlag map[string]bool) bool {
	for _, is := range errs {
		if is.Key == "" || !byFlag[is.Key] {
			return false
		}
	}
	return true
}
