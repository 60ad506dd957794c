// Package browsertest starts the headless Chromium that the UI tests drive, with the flags a
// test on loopback in a container needs, so that every browser test starts it the same way.
package browsertest

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Allocator returns a chromedp allocator context for a fresh headless Chromium with its own
// profile, ended after total or at the end of the test. extra options come after the common ones.
// The test fails when chromium is not installed: scripts/install-deps.sh test installs it.
func Allocator(t testing.TB, total time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	exe, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("%v: run scripts/install-deps.sh test", err)
	}
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// The camera's certificate is self-signed.
		chromedp.Flag("ignore-certificate-errors", true),
		// Not from the environment's proxy: the camera is on loopback.
		chromedp.Flag("no-proxy-server", true),
		// Containers have a small /dev/shm.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	}, extra...)
	root, cancelRoot := context.WithTimeout(context.Background(), total)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	t.Cleanup(func() { cancelAlloc(); cancelRoot() })
	return allocCtx
}
