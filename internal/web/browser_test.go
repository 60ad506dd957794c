package web

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/freecam/freecam/internal/testutil/browsertest"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/web/auth"
)

// browserTab is one headless Chromium tab against a test server; it records the page's
// exceptions and any dialog the browser opens (a dialog fails the test: it would be in front of
// the user).
type browserTab struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string
}

func newBrowserTab(t *testing.T) *browserTab {
	t.Helper()
	allocCtx := browsertest.Allocator(t, 60*time.Second)
	b := &browserTab{}
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			b.problems = append(b.problems, "exception: "+ev.ExceptionDetails.Text+" "+exceptionText(ev.ExceptionDetails))
		case *page.EventJavascriptDialogOpening:
			b.problems = append(b.problems, "dialog: "+ev.Message)
		}
	}))
	t.Cleanup(cancelTab)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	b.ctx = ctx
	return b
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}

// check fails the test if the page had problems so far.
func (b *browserTab) check(t *testing.T, what string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.problems) > 0 {
		t.Fatalf("%s: the page had problems: %q", what, b.problems)
	}
}

// js evaluates a statement or expression in the page (bounded by 15 s).
func (b *browserTab) js(t *testing.T, what, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](expr)); err != nil {
		t.Fatalf("%s: %s: %v", what, expr, err)
	}
	b.check(t, what)
}

// waitJS polls a boolean expression until it holds (within 15 s). Errors while a page is
// replaced count as false.
func (b *browserTab) waitJS(t *testing.T, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var last error
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			b.check(t, what)
			return
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
			where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " " + document.body.innerText.slice(0, 400)`))
			cancel()
			t.Fatalf("waited 15s for %s (%s); page %q; last error %v", what, expr, where, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *browserTab) login(t *testing.T, base, pass, next string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login?next="+next)); err != nil {
		t.Fatalf("open the login page: %v", err)
	}
	b.waitJS(t, "the login form", `!!document.querySelector("input[name=password]")`)
	b.js(t, "log in", fmt.Sprintf(`(function () {
		var f = document.querySelector("input[name=password]").form;
		f.elements.name.value = "admin"; f.elements.password.value = %q; f.submit(); })()`, pass))
	b.waitJS(t, "landing on "+next, fmt.Sprintf("location.pathname === %q && document.readyState === 'complete'", next))
}

// status is a JavaScript expression: the update status line's text.
const status = `document.getElementById("update-status").textContent`

// The System page installs an update; freecam execs into the new version, which ends the
// sessions, and the page's next poll gets 401. The page must say that freecam restarts into the
// new version, open no password dialog (the server sends no challenge to a browser's fetch), and
// go on as the restart page does: to the login page, then back to the System page.
func TestBrowserInstallThenSessionGone(t *testing.T) {
	ts := newTestServer(t, false)
	ts.cam.SetUpdate(camera.UpdateState{Configured: true, Installed: "1.0.0", Latest: "1.1.0", Available: true})
	b := newBrowserTab(t)
	b.login(t, ts.base, ts.adminPass, "/system")
	b.waitJS(t, "the Install button", `!document.getElementById("update-apply").hidden`)
	b.js(t, "install", `window.confirm = function () { return true; }; document.getElementById("update-apply").click()`)
	b.waitJS(t, "installing", status+`.indexOf("Installing freecam 1.1.0: 0 %") >= 0`)
	st := ts.cam.Update()
	st.Percentage = 91
	ts.cam.SetUpdate(st)
	b.waitJS(t, "91 %", status+`.indexOf("91 %") >= 0`)

	// The new process: no session of the old one is valid.
	if err := ts.auth.SetPassword("admin", auth.Admin, "the-new-process-1", false); err != nil {
		t.Fatal(err)
	}
	ts.cam.SetUpdate(camera.UpdateState{Configured: true, Installed: "1.1.0", Latest: "1.1.0", Pending: "1.1.0"})
	b.waitJS(t, "restarting shown", status+`.indexOf("restarting into the new version") >= 0`)
	b.waitJS(t, "the login page", `location.pathname === "/login" && location.search === "?next=%2Fsystem"`)
	b.login(t, ts.base, "the-new-process-1", "/system")
	b.waitJS(t, "the new version", status+`.indexOf("Running freecam 1.1.0.") === 0`)
}

// A browser that still authenticates after the restart (its session survived, or Basic) sees
// another version: that also means the restart happened, and the page goes back to the System
// page once freecam is up.
func TestBrowserInstallThenVersionChanged(t *testing.T) {
	ts := newTestServer(t, false)
	ts.cam.SetUpdate(camera.UpdateState{Configured: true, Installed: "1.0.0", Latest: "1.1.0", Available: true})
	b := newBrowserTab(t)
	b.login(t, ts.base, ts.adminPass, "/system")
	b.waitJS(t, "the Install button", `!document.getElementById("update-apply").hidden`)
	b.js(t, "install", `window.confirm = function () { return true; };
		window.seen = false;
		new MutationObserver(function () {
			if (`+status+`.indexOf("restarting into the new version") >= 0) { window.seen = true; }
		}).observe(document.getElementById("update-status"), {childList: true, characterData: true, subtree: true});
		document.getElementById("update-apply").click()`)
	b.waitJS(t, "installing", status+`.indexOf("Installing") >= 0`)
	ts.cam.SetUpdate(camera.UpdateState{Configured: true, Installed: "1.1.0", Latest: "1.1.0", Pending: "1.1.0"})
	b.waitJS(t, "restarting shown", `window.seen === true`)
	// restart.js opens the System page again once freecam has answered for a few seconds.
	b.waitJS(t, "the System page again", `location.pathname === "/system" && window.seen === undefined &&
		`+status+`.indexOf("Running freecam 1.1.0.") === 0`)
}

// After `freecam update --rollback` from a shell the camera still runs the version removed: the
// System page names both versions and the reason, says a restart runs the one on disk, and has
// the Restart button right there, which comes back to the System page (not the Live page).
func TestBrowserRollbackOnDiskThenRestart(t *testing.T) {
	ts := newTestServer(t, false)
	ts.cam.SetUpdate(camera.UpdateState{Configured: true, Installed: "1.1.0", Latest: "1.1.0", DiskVersion: "1.0.0",
		LastRollback: &camera.UpdateRollback{Version: "1.1.0", RestoredVersion: "1.0.0", At: time.Now(), Reason: "asked for by freecam update --rollback"}})
	b := newBrowserTab(t)
	b.login(t, ts.base, ts.adminPass, "/system")
	b.waitJS(t, "the rollback on disk", status+`.indexOf("freecam 1.1.0 was rolled back to 1.0.0 (asked for by freecam update --rollback); restart freecam to run 1.0.0.") >= 0`)
	b.waitJS(t, "the Restart button", `!document.getElementById("update-restart").hidden &&
		document.getElementById("update-restart-button").textContent === "Restart freecam to run 1.0.0"`)
	b.js(t, "restart", `document.getElementById("update-restart-button").click()`)
	b.waitJS(t, "the restarting page", `!!document.getElementById("restarting")`)
	if n := ts.cam.Restarts(); n != 1 {
		t.Errorf("got %d restarts, want 1", n)
	}
	// The new process runs 1.0.0; restart.js opens the System page again once freecam answers.
	ts.cam.SetUpdate(camera.UpdateState{Configured: true, Installed: "1.0.0", Latest: "1.1.0", Available: true,
		LastRollback: &camera.UpdateRollback{Version: "1.1.0", RestoredVersion: "1.0.0", At: time.Now(), Reason: "asked for by freecam update --rollback"}})
	b.waitJS(t, "the System page again", `location.pathname === "/system" && `+status+`.indexOf("Running freecam 1.0.0.") === 0 &&
		`+status+`.indexOf("freecam 1.1.0 was rolled back to 1.0.0 on ") >= 0 && document.getElementById("update-restart").hidden`)
}

// With errors in update.conf the System page says updates are off and why, and the check
// button is off.
func TestBrowserUpdatesOff(t *testing.T) {
	ts := newTestServer(t, false)
	ts.cam.SetUpdate(camera.UpdateState{Installed: "1.0.0", Error: "updates are off: update.conf:2: UPDATE_CA_FILE: cannot read the CA file"})
	b := newBrowserTab(t)
	b.login(t, ts.base, ts.adminPass, "/system")
	b.waitJS(t, "updates off", status+` === "Running freecam 1.0.0. Updates are off." &&
		document.getElementById("update-error").textContent === "update.conf:2: UPDATE_CA_FILE: cannot read the CA file" &&
		!document.getElementById("update-error").hidden && document.getElementById("update-check").disabled`)
}
