package update

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Release is what Check found: the manifest's newest version and this platform's binary.
type Release struct {
	Version  string    // the manifest's version
	Released time.Time // as the manifest says (not signed)
	Notes    string    // as the manifest says (not signed)
	Platform string    // the entry chosen
	Binary   Binary    // its URL resolved against the manifest's
	Current  string    // Options.CurrentVersion
	// Newer is true when Version is newer than Current. It is false when Current is not a
	// version (a development build): such a build is updated only with Options.AllowOlder.
	Newer bool
}

// Check fetches the manifest from o.ManifestURL over verified TLS and returns the release for
// this platform, its signature already checked against o.PublicKeys (so a release it returns is
// one Apply will accept if the download matches). It does not download the binary.
func Check(ctx context.Context, o Options) (*Release, error) {
	mu, err := httpsURL(o.ManifestURL, "manifest URL")
	if err != nil {
		return nil, err
	}
	client, err := o.client()
	if err != nil {
		return nil, err
	}
	keys, err := o.keys()
	if err != nil {
		return nil, err
	}
	data, err := fetchSmall(ctx, client, mu.String(), maxManifestSize)
	if err != nil {
		return nil, fmt.Errorf("fetch the manifest: %w", err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", mu.Redacted(), err)
	}
	platform := o.platform()
	b, ok := m.Binaries[platform]
	if !ok {
		return nil, fmt.Errorf("release %s has no binary for this platform (%s)", m.Version, platform)
	}
	bu, err := url.Parse(b.URL)
	if err != nil {
		return nil, fmt.Errorf("release %s %s: binary url %q: %w", m.Version, platform, b.URL, err)
	}
	b.URL = mu.ResolveReference(bu).String()
	if _, err := httpsURL(b.URL, "binary URL"); err != nil {
		return nil, fmt.Errorf("release %s %s: %w", m.Version, platform, err)
	}
	if err := b.Verify(keys, m.Version, platform); err != nil {
		return nil, fmt.Errorf("release %s: %w", m.Version, err)
	}
	rel := &Release{Version: m.Version, Released: m.Released, Notes: m.Notes, Platform: platform, Binary: b, Current: o.CurrentVersion}
	if c, err := CompareVersions(m.Version, o.CurrentVersion); err == nil {
		rel.Newer = c > 0
	}
	return rel, nil
}

// httpsURL parses u and refuses anything but an absolute https URL.
func httpsURL(u, what string) (*url.URL, error) {
	if u == "" {
		return nil, fmt.Errorf("no %s", what)
	}
	p, err := url.Parse(u)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if p.Scheme != "https" || p.Host == "" {
		return nil, fmt.Errorf("%s %s: want https:// (updates are only fetched over verified TLS)", what, p.Redacted())
	}
	return p, nil
}

// get starts a GET and refuses any status but 200.
func get(ctx context.Context, client *http.Client, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		hint := serverSays(resp)
		resp.Body.Close()
		return nil, fmt.Errorf("server error: GET %s: %s%s", req.URL.Redacted(), resp.Status, hint)
	}
	return resp, nil
}

// serverSays returns ` (the server says "…")` with the first line of a text/plain error body,
// printable and at most 100 characters, and "" for any other body: an HTML error page (a
// proxy's, a web server's) would fill the log and the System page with markup.
func serverSays(resp *http.Response) string {
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "text/plain" {
		return ""
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	line, _, _ := strings.Cut(string(data), "\n")
	line = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, line))
	if r := []rune(line); len(r) > 100 {
		line = string(r[:100]) + "…"
	}
	if line == "" {
		return ""
	}
	return fmt.Sprintf(" (the server says %q)", line)
}

func fetchSmall(ctx context.Context, client *http.Client, u string, limit int64) ([]byte, error) {
	resp, err := get(ctx, client, u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errors.New("larger than 1 MiB")
	}
	return data, nil
}
