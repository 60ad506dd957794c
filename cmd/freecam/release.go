package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/update"
)

const releaseUsage = `usage:
  freecam release keygen [--out FILE]
      write a new ed25519 release key pair: FILE (the private key, 0600: keep it off the camera)
      and FILE.pub (the public key, for the build or the config); default FILE: freecam-release.key
  freecam release sign --key FILE --version V --url-base URL [--notes TEXT] [--out MANIFEST] BINARY…
      write the update manifest (stdout by default) for the binaries, each named
      freecam-OS-ARCH[-FLAVOUR] (freecam-linux-mipsle, freecam-linux-amd64-x264 …), served at
      URL/NAME; every entry is signed over its version, platform, SHA-256 and size
`

// releaseCmd is `freecam release keygen|sign`, the publisher's side of signed updates.
func releaseCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "freecam release: want a subcommand: keygen or sign\n\n"+releaseUsage)
		return 2
	}
	switch args[0] {
	case "keygen":
		return releaseKeygen(args[1:], stdout, stderr)
	case "sign":
		return releaseSign(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, releaseUsage)
		return 0
	}
	fmt.Fprintf(stderr, "freecam release: unknown subcommand %q\n\n%s", args[0], releaseUsage)
	return 2
}

func releaseKeygen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("freecam release keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, releaseUsage) }
	out := fs.String("out", "freecam-release.key", "the private key's file; the public key goes to FILE.pub")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "freecam release keygen: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	priv, pub, err := update.GenerateKey()
	if err != nil {
		fmt.Fprintln(stderr, "freecam release keygen:", err)
		return 1
	}
	// O_EXCL: never overwrite a key that may have signed releases already.
	if err := writeNew(*out, priv, 0o600); err != nil {
		fmt.Fprintln(stderr, "freecam release keygen:", err)
		return 1
	}
	if err := writeNew(*out+".pub", pub, 0o644); err != nil {
		os.Remove(*out)
		fmt.Fprintln(stderr, "freecam release keygen:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote the private key to %s (keep it secret, off the camera) and the public key to %s.pub:\n%s", *out, *out, pub)
	fmt.Fprintf(stdout, "build it into your releases with: FREECAM_UPDATE_PUBLIC_KEY=%s scripts/release.sh\n"+
		"or give it to a camera in update.conf: UPDATE_PUBLIC_KEY=%s\n", strings.TrimSpace(pub), strings.TrimSpace(pub))
	return 0
}

func writeNew(path, data string, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists: not overwriting a key (move it away first)", path)
	}
	if err != nil {
		return err
	}
	_, werr := f.WriteString(data)
	return errors.Join(werr, f.Sync(), f.Close())
}

func releaseSign(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("freecam release sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, releaseUsage) }
	keyFile := fs.String("key", "", "the private key file (from freecam release keygen)")
	ver := fs.String("version", "", "the release's version, e.g. 1.2.3")
	urlBase := fs.String("url-base", "", "the https:// URL the binaries are published under")
	notes := fs.String("notes", "", "release notes shown before updating")
	out := fs.String("out", "", "write the manifest to this file instead of stdout")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "freecam release sign:", err)
		return 1
	}
	switch {
	case *keyFile == "" || *ver == "" || *urlBase == "" || fs.NArg() == 0:
		fmt.Fprint(stderr, "freecam release sign: --key, --version, --url-base and at least one binary are needed\n\n"+releaseUsage)
		return 2
	}
	if _, err := update.CompareVersions(*ver, *ver); err != nil {
		return fail(err)
	}
	base, err := url.Parse(strings.TrimSuffix(*urlBase, "/") + "/")
	if err != nil || base.Scheme != "https" || base.Host == "" {
		return fail(fmt.Errorf("--url-base %q: want an https:// URL (freecam fetches updates only over verified TLS)", *urlBase))
	}
	keyText, err := os.ReadFile(*keyFile)
	if err != nil {
		return fail(err)
	}
	key, err := update.ParsePrivateKey(string(keyText))
	if err != nil {
		return fail(fmt.Errorf("%s: %w", *keyFile, err))
	}
	m := update.Manifest{Version: *ver, Released: time.Now().UTC().Truncate(time.Second), Notes: *notes, Binaries: map[string]update.Binary{}}
	for _, path := range fs.Args() {
		platform, err := update.PlatformFromFileName(path)
		if err != nil {
			return fail(err)
		}
		if _, dup := m.Binaries[platform]; dup {
			return fail(fmt.Errorf("two binaries for %s", platform))
		}
		sum, size, err := hashFile(path)
		if err != nil {
			return fail(err)
		}
		sig, err := update.Sign(key, *ver, platform, sum, size)
		if err != nil {
			return fail(fmt.Errorf("%s: %w", path, err))
		}
		u := base.ResolveReference(&url.URL{Path: url.PathEscape(filepath.Base(path))})
		m.Binaries[platform] = update.Binary{URL: u.String(), SHA256: sum, Size: size, Signature: sig}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fail(err)
	}
	data = append(data, '\n')
	if *out == "" {
		stdout.Write(data)
		return 0
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stderr, "wrote %s: version %s, %s\n", *out, *ver, binaries(len(m.Binaries)))
	return 0
}

// hashFile streams path through SHA-256.
func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// binaries is "1 binary", "2 binaries" ….
func binaries(n int) string {
	if n == 1 {
		return "1 binary"
	}
	return fmt.Sprintf("%d binaries", n)
}
