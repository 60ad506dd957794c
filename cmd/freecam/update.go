package main

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/freecam/freecam/internal/buildinfo"
	"github.com/freecam/freecam/internal/update"
)

const updateUsage = `usage: freecam update [--check] [--manifest URL] [--public-key KEY|FILE] [--ca-file PEM] [--force] [--binary PATH]
       freecam update --status | --rollback [--binary PATH]

Fetches the release manifest over verified HTTPS, and installs this platform's binary when it is
newer and its signature, size and SHA-256 check out: the running binary is kept as BINARY.previous
and comes back by itself if the new one does not report healthy after the restart. --check only
says what is available; --status shows a pending or rolled-back update; --rollback puts
BINARY.previous back by hand.
`

// updateCmd is `freecam update`. It replaces the binary on disk; a running camera keeps its
// version until it is restarted.
func updateCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("freecam update", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, updateUsage); fs.PrintDefaults() }
	check := fs.Bool("check", false, "only say whether a newer release is available")
	manifest := fs.String("manifest", "", "the release manifest's https:// URL")
	pubKey := fs.String("public-key", "", "trust this release key (base64, or a .pub file) instead of the built-in one")
	caFile := fs.String("ca-file", "", "also trust the certificate authorities in this PEM file for the update server")
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
	if *manifest == "" {
		fmt.Fprint(stderr, "freecam update: --manifest URL is needed\n\n"+updateUsage)
		return 2
	}
	o := update.Options{ManifestURL: *manifest, CurrentVersion: version(), Platform: ownPlatform(), Executable: *binary, AllowOlder: *force}
	if *pubKey != "" {
		keys, err := readKeys(*pubKey)
		if err != nil {
			return fail(err)
		}
		o.PublicKeys = keys
	}
	if *caFile != "" {
		c, err := clientWithCAs(*caFile)
		if err != nil {
			return fail(err)
		}
		o.Client = c
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rel, err := update.Check(ctx, o)
	if err != nil {
		return fail(err)
	}
	if *check || (!rel.Newer && !*force) {
		if rel.Newer {
			fmt.Fprintf(stdout, "freecam %s is available (running %s), released %s\n", rel.Version, rel.Current, rel.Released.Format(time.DateOnly))
			if rel.Notes != "" {
				fmt.Fprintln(stdout, rel.Notes)
			}
		} else if _, err := update.CompareVersions(rel.Current, rel.Current); err != nil {
			fmt.Fprintf(stdout, "running a development build (%s): the manifest offers %s; --force installs it\n", rel.Current, rel.Version)
		} else {
			fmt.Fprintf(stdout, "up to date: the manifest offers %s, running %s\n", rel.Version, rel.Current)
		}
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
	fmt.Fprintf(stdout, "installed freecam %s (was %s); the previous binary is kept as .previous.\n", rel.Version, rel.Current)
	fmt.Fprintf(stdout, "Restart freecam to run it: it must report healthy within %s of its first start, or the previous version comes back.\n", timeout)
	return 0
}

func updateStatus(binary string, stdout, stderr io.Writer) int {
	st, err := update.ReadStatus(binary)
	if err != nil {
		fmt.Fprintln(stderr, "freecam update:", err)
		return 1
	}
	fmt.Fprintf(stdout, "running %s on %s\n", version(), ownPlatform())
	if p := st.Pending; p != nil {
		fmt.Fprintf(stdout, "pending: %s over %s, installed %s, started %d of %d times, %gs to report healthy\n",
			p.Version, p.PreviousVersion, p.Applied.Format(time.RFC3339), p.Starts, p.MaxStarts, p.TimeoutSeconds)
	}
	if r := st.LastRollback; r != nil {
		fmt.Fprintf(stdout, "rolled back: %s at %s: %s\n", r.Version, r.At.Format(time.RFC3339), r.Reason)
	}
	fmt.Fprintf(stdout, "previous binary kept: %v\n", st.HasPrevious)
	return 0
}

// ownPlatform is this build's manifest platform: the cgo build with x264 is its own flavour.
func ownPlatform() string {
	p := update.Platform()
	if buildinfo.Get().H264Encoder != "" {
		p += "-x264"
	}
	return p
}

func readKeys(v string) ([]ed25519.PublicKey, error) {
	if data, err := os.ReadFile(v); err == nil {
		return update.ParsePublicKeys(string(data))
	}
	return update.ParsePublicKeys(v)
}

// clientWithCAs trusts the system's roots plus those in file; verification stays on.
func clientWithCAs(file string) (*http.Client, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate in it", file)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t}, nil
}

func versionNote(v string) string {
	if v == "" {
		return ""
	}
	return " (" + v + ")"
}
