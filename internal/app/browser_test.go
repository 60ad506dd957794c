package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/freecam/freecam/internal/testutil/browsertest"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/testutil"
)

// stepTimeout bounds one browser step (a navigation, a click and what it causes).
const stepTimeout = 15 * time.Second

// e2eBrowser drives one headless Chromium tab against the running camera and records what the
// pages do wrong: exceptions, console errors, failed requests, and requests to anything but the
// camera.
type e2eBrowser struct {
	t      *testing.T
	ctx    context.Context // the tab; steps derive their timeouts from it
	origin string          // https://127.0.0.1:PORT

	mu       sync.Mutex
	problems []string                     // since the last takeProblems
	offsite  []string                     // every request that left the camera, for the whole session
	inflight map[network.RequestID]string // request id → URL, short-lived requests only
	urls     map[network.RequestID]string // request id → URL, for messages
	loaders  map[network.RequestID]cdp.LoaderID
	document cdp.LoaderID // the main frame's current document
}

// newBrowser starts Chromium with a fresh profile and opens a tab. The browser is stopped at the
// end of the test, and in any case after total.
func newBrowser(t *testing.T, origin string, total time.Duration) *e2eBrowser {
	t.Helper()
	b := &e2eBrowser{t: t, origin: origin,
		inflight: map[network.RequestID]string{}, urls: map[network.RequestID]string{},
		loaders: map[network.RequestID]cdp.LoaderID{}}
	allocCtx := browsertest.Allocator(t, total, chromedp.WindowSize(1280, 900))
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(b.onEvent))
	t.Cleanup(cancelTab)
	// The first action starts the browser; it must run on the tab's own context.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	b.ctx = ctx
	return b
}

// onCamera reports whether a request URL stays on the camera. data: and blob: URLs are the page's
// own memory, not the network.
func (b *e2eBrowser) onCamera(url string) bool {
	return url == b.origin || strings.HasPrefix(url, b.origin+"/") ||
		strings.HasPrefix(url, "data:") || strings.HasPrefix(url, "blob:")
}

// longLived reports whether a request may stay open while a page is idle (a stream).
func longLived(url string, typ network.ResourceType) bool {
	return typ == network.ResourceTypeEventSource || typ == network.ResourceTypeWebSocket ||
		strings.Contains(url, "/mjpeg")
}

// onEvent runs in the tab's message loop: it only records.
func (b *e2eBrowser) onEvent(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		b.problems = append(b.problems, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				if a.Description != "" {
					args = append(args, a.Description)
				} else {
					args = append(args, string(a.Value))
				}
			}
			b.problems = append(b.problems, "console."+string(ev.Type)+": "+strings.Join(args, " "))
		}
	case *cdplog.EventEntryAdded:
		if e := ev.Entry; e.Level == cdplog.EntryLevelError {
			b.problems = append(b.problems, fmt.Sprintf("console (%s): %s %s", e.Source, e.Text, e.URL))
		}
	case *network.EventRequestWillBeSent:
		url := ev.Request.URL
		b.urls[ev.RequestID] = url
		if !b.onCamera(url) {
			b.offsite = append(b.offsite, url)
			b.problems = append(b.problems, "request off the camera: "+url)
		}
		b.loaders[ev.RequestID] = ev.LoaderID
		// A late request of the document being left is cut with it.
		left := b.document != "" && ev.LoaderID != b.document && ev.Type != network.ResourceTypeDocument
		if !longLived(url, ev.Type) && !left {
			b.inflight[ev.RequestID] = url
		}
	case *page.EventFrameNavigated:
		if ev.Frame.ParentID == "" {
			// A new document: what the one before left in flight was cut by leaving it, and
			// Chromium does not always report that (seen with two scripts on a loaded machine).
			b.document = ev.Frame.LoaderID
			for id := range b.inflight {
				if b.loaders[id] != b.document {
					delete(b.inflight, id)
				}
			}
		}
	case *network.EventResponseReceived:
		if s := ev.Response.Status; s >= 400 {
			b.problems = append(b.problems, fmt.Sprintf("%s answered %d %s", ev.Response.URL, s, ev.Response.StatusText))
		}
	case *network.EventLoadingFinished:
		delete(b.inflight, ev.RequestID)
	case *network.EventRequestServedFromCache:
		// A memory-cache hit (the stylesheet on the next page) may get no loadingFinished.
		delete(b.inflight, ev.RequestID)
	case *network.EventLoadingFailed:
		delete(b.inflight, ev.RequestID)
		// A request cut by leaving the page (a picture being refreshed) is no failure.
		if !ev.Canceled {
			b.problems = append(b.problems, fmt.Sprintf("request %s failed: %s %s", b.urls[ev.RequestID], ev.ErrorText, ev.BlockedReason))
		}
	}
}

// takeProblems returns the problems recorded since the last call and forgets them.
func (b *e2eBrowser) takeProblems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.problems
	b.problems = nil
	return p
}

// pending counts the requests in flight, leaving out the live picture's refresh: the Live page
// asks for a new snapshot every second by design, and on a loaded machine one is nearly always
// on its way. (That it arrives is checked by the live-picture wait.)
func (b *e2eBrowser) pending() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, u := range b.inflight {
		if !strings.Contains(u, "/snapshot.jpg?") {
			n++
		}
	}
	return n
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// evalJS evaluates a JavaScript expression in the page, bounded by stepTimeout.
func evalJS[T any](b *e2eBrowser, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// mustJS evaluates expr and fails the test on an error.
func mustJS[T any](b *e2eBrowser, expr string) T {
	b.t.Helper()
	v, err := evalJS[T](b, expr)
	if err != nil {
		b.t.Fatalf("in the page at %s: %s: %v", b.location(), expr, err)
	}
	return v
}

// do runs actions bounded by stepTimeout.
func (b *e2eBrowser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// location is the page's URL, or why it is unknown.
func (b *e2eBrowser) location() string {
	loc, err := evalJS[string](b, "location.href")
	if err != nil {
		return fmt.Sprintf("(unknown: %v)", err)
	}
	return loc
}

// waitJS polls a boolean expression until it holds. Errors while a page is replaced count as
// false; the last one is reported if the deadline passes.
func (b *e2eBrowser) waitJS(expr, what string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	var lastErr error
	for {
		ok, err := evalJS[bool](b, expr)
		if err == nil && ok {
			return
		}
		if err != nil {
			lastErr = err
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waited %v for %s at %s; last error %v", timeout, what, b.location(), lastErr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// newDocument runs trigger (a navigation, a click that submits a form) and waits until a new
// document replaced the current one and has been parsed: the old document carries a mark the new
// one lacks.
func (b *e2eBrowser) newDocument(what string, trigger func()) {
	b.t.Helper()
	// about:blank before the first navigation has a window too.
	mustJS[chromedp.Void](b, "window.__freecamOld = true")
	trigger()
	b.waitJS("window.__freecamOld !== true && document.readyState !== 'loading'", what+": a new page", stepTimeout)
}

// settle waits until the page has loaded and no short request has been open for a few polls.
func (b *e2eBrowser) settle() {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	quiet := 0
	for quiet < 4 {
		ready, err := evalJS[bool](b, "document.readyState === 'complete'")
		if err == nil && ready && b.pending() > 0 {
			b.forgetFinished()
		}
		if err == nil && ready && b.pending() == 0 {
			quiet++
		} else {
			quiet = 0
		}
		if time.Now().After(deadline) {
			b.mu.Lock()
			open := fmt.Sprint(b.inflight)
			b.mu.Unlock()
			b.t.Fatalf("the page at %s did not settle in %v (ready %v, err %v); open requests %s", b.location(), stepTimeout, ready, err, open)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// forgetFinished drops from the requests in flight those the page's own resource timing says
// have finished: Chromium does not always report loadingFinished for a stylesheet it already
// had (seen on a loaded CI machine), while the document is complete.
func (b *e2eBrowser) forgetFinished() {
	done, err := evalJS[[]string](b, "performance.getEntriesByType('resource').filter(e => e.responseEnd > 0).map(e => e.name)")
	if err != nil {
		return
	}
	finished := map[string]bool{}
	for _, u := range done {
		finished[u] = true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for id, u := range b.inflight {
		if finished[u] {
			delete(b.inflight, id)
		}
	}
}

// open navigates to a path on the camera without waiting for the load event (a page with a
// stream never fires it) and waits for the new document.
func (b *e2eBrowser) open(path string) {
	b.t.Helper()
	b.newDocument("open "+path, func() {
		ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
		defer cancel()
		res, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: b.origin + path})
		if err == nil && res.ErrorText != "" {
			err = fmt.Errorf("%s", res.ErrorText)
		}
		if err != nil {
			b.t.Fatalf("navigate to %s: %v", path, err)
		}
	})
}

// path is the page's current path.
func (b *e2eBrowser) path() string {
	b.t.Helper()
	return mustJS[string](b, "location.pathname")
}

type box struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	W float64 `json:"w"`
	H float64 `json:"h"`
}

// rect scrolls the element into view and returns its box in viewport pixels; it fails the test
// when the page has no such element.
func (b *e2eBrowser) rect(id string) box {
	b.t.Helper()
	r := mustJS[*box](b, `(() => { const e = document.getElementById(`+jsString(id)+`);
		if (!e) return null;
		e.scrollIntoView({block: 'center', inline: 'center'});
		const r = e.getBoundingClientRect();
		return {x: r.left, y: r.top, w: r.width, h: r.height}; })()`)
	if r == nil {
		b.t.Fatalf("no element with id %q on %s", id, b.location())
	}
	if r.W <= 0 || r.H <= 0 {
		b.t.Fatalf("element %q on %s is not displayed (%gx%g)", id, b.location(), r.W, r.H)
	}
	return *r
}

// click clicks the middle of an element with the mouse, as a user does. It waits until the page
// has loaded (a stylesheet arriving moves things) and the element is the one under the pointer.
func (b *e2eBrowser) click(id string) {
	b.t.Helper()
	b.rect(id) // exists and is shown
	type target struct {
		X   float64 `json:"x"`
		Y   float64 `json:"y"`
		Hit bool    `json:"hit"`
	}
	expr := `(() => { const e = document.getElementById(` + jsString(id) + `);
		if (!e || document.readyState !== 'complete') return {x: 0, y: 0, hit: false};
		e.scrollIntoView({block: 'center', inline: 'center'});
		const r = e.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
		const under = document.elementFromPoint(x, y);
		return {x: x, y: y, hit: under !== null && (under === e || e.contains(under))}; })()`
	deadline := time.Now().Add(stepTimeout)
	for {
		p, err := evalJS[target](b, expr)
		if err == nil && p.Hit {
			b.do("click #"+id, chromedp.MouseClickXY(p.X, p.Y))
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("#%s on %s was not loaded and clickable within %v (err %v)", id, b.location(), stepTimeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// submit clicks a button that submits a form and waits for the page that answers.
func (b *e2eBrowser) submit(id string) {
	b.t.Helper()
	b.newDocument("click #"+id, func() { b.click(id) })
}

// typeInto empties a text field and types text into it key by key.
func (b *e2eBrowser) typeInto(id, text string) {
	b.t.Helper()
	b.rect(id) // exists and is shown
	mustJS[chromedp.Void](b, `(() => { const e = document.getElementById(`+jsString(id)+`); e.value = ''; e.focus(); })()`)
	b.do("type into #"+id, chromedp.KeyEvent(text))
	if got := mustJS[string](b, `document.getElementById(`+jsString(id)+`).value`); got != text {
		b.t.Fatalf("typed %q into #%s, got %q in the field", text, id, got)
	}
}

// setValue sets a select's or number field's value with script, as a user's choice does, and
// tells the page it changed.
func (b *e2eBrowser) setValue(id, value string) {
	b.t.Helper()
	got := mustJS[string](b, `(() => { const e = document.getElementById(`+jsString(id)+`);
		e.value = `+jsString(value)+`;
		e.dispatchEvent(new Event('input', {bubbles: true}));
		e.dispatchEvent(new Event('change', {bubbles: true}));
		return e.value; })()`)
	if got != value {
		b.t.Fatalf("set #%s to %q, got %q (not one of its choices?)", id, value, got)
	}
}

// screenshot saves a full-page PNG as dir/name.png.
func (b *e2eBrowser) screenshot(dir, name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot of %s: %v", name, err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		b.t.Fatalf("screenshot of %s: got %d bytes that are not a PNG", name, len(png))
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// screenshotDir is $FREECAM_SCREENSHOTS (made if missing), or a temporary directory.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("FREECAM_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// loadConfig reads the configuration the way the camera does.
func loadConfig(t *testing.T, dir string) *conf.Config {
	t.Helper()
	cfg, _, err := conf.Load(dir)
	if err != nil {
		t.Fatalf("loading the saved configuration: %v", err)
	}
	return cfg
}

// waitConfig polls the config dir until ok accepts what it holds.
func waitConfig(t *testing.T, dir, what string, ok func(*conf.Config) bool) *conf.Config {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		cfg, _, err := conf.Load(dir)
		if err == nil && ok(cfg) {
			return cfg
		}
		if time.Now().After(deadline) {
			text, _ := os.ReadFile(filepath.Join(dir, conf.MotionFile))
			t.Fatalf("got no %s in the config dir within 10 s (load error %v); motion.conf:\n%s", what, err, text)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserDrivesTheWebUI is issue 5's acceptance test in headless Chromium: log in (a wrong
// password is refused), change a motion setting, stop and start a service, draw a region of
// interest with the mouse, save a hostile value that must stay a quoted string, screenshot every
// page (no error, no request leaving the camera), log out.
func TestBrowserDrivesTheWebUI(t *testing.T) {
	testutil.Need(t, "chromium", "sh")
	t.Parallel()
	dir := writeConfig(t, nil)
	r := startApp(t, dir, Options{})
	if r.adminPass == "" {
		t.Fatalf("no admin password was printed on the console; logs:\n%s", r.logs)
	}
	shots := screenshotDir(t)
	b := newBrowser(t, strings.TrimSuffix(r.httpsURL(""), "/"), 2*time.Minute)
	checkPage := func(t *testing.T, name string) {
		t.Helper()
		for _, p := range b.takeProblems() {
			t.Errorf("page %s: %s", name, p)
		}
	}

	// 1. An account is needed; a wrong password is refused; the right one shows the picture.
	loggedIn := false
	t.Run("login", func(t *testing.T) {
		b.t = t
		b.open("/live")
		if got := b.path(); got != "/login" {
			t.Fatalf("opening /live without a session: got %s, want /login", got)
		}
		b.takeProblems()
		b.open("/login")
		b.settle()
		checkPage(t, "login")
		b.screenshot(shots, "01-login")

		b.typeInto("name", "admin")
		b.typeInto("password", r.adminPass+"x")
		b.submit("login")
		if got := b.path(); got != "/login" {
			t.Fatalf("after a wrong password: got %s, want still /login", got)
		}
		if msg := mustJS[string](b, `(document.getElementById('login-problem') || {}).textContent || ''`); !strings.Contains(msg, "wrong") {
			t.Errorf("after a wrong password the page says %q, want it to say the password is wrong", msg)
		}
		b.takeProblems() // the refusal is a 401, as it should be

		b.typeInto("name", "admin")
		b.typeInto("password", r.adminPass)
		b.submit("login")
		if got := b.path(); got != "/live" {
			t.Fatalf("after logging in: got %s, want /live (page says %q)", got,
				mustJS[string](b, `(document.getElementById('login-problem') || {}).textContent || ''`))
		}
		loggedIn = true
		b.waitJS(`Array.from(document.images).some(i => i.naturalWidth > 0)`, "a live picture on /live", stepTimeout)
	})
	if !loggedIn {
		return
	}

	// 2. A motion setting saved from the page lands in motion.conf.
	t.Run("motion setting", func(t *testing.T) {
		b.t = t
		const id = "f-motion.conf-motion_sensitivity"
		b.open("/motion")
		b.rect(id)
		cur := mustJS[string](b, `document.getElementById(`+jsString(id)+`).value`)
		want := "4"
		if cur == want {
			want = "1"
		}
		b.setValue(id, want)
		b.submit("motion-save")
		n, _ := strconv.Atoi(want)
		waitConfig(t, dir, "motion_sensitivity="+want, func(c *conf.Config) bool { return c.Motion.Sensitivity == n })
		if got := mustJS[string](b, `document.getElementById(`+jsString(id)+`).value`); got != want {
			t.Errorf("the page shows sensitivity %q after saving, want %q", got, want)
		}
	})

	// 4. A rectangle dragged on the picture becomes a region of interest in stream pixels.
	t.Run("region of interest", func(t *testing.T) {
		b.t = t
		before := loadConfig(t, dir).Motion.Regions
		b.open("/motion")
		b.settle()
		c := b.rect("roi-canvas")
		valueBefore := mustJS[string](b, `document.getElementById('roi-value').value`)
		// From a quarter of the picture to three quarters across and five eighths down.
		fx0, fy0, fx1, fy1 := 0.25, 0.25, 0.75, 0.625
		x0, y0 := c.X+fx0*c.W, c.Y+fy0*c.H
		x1, y1 := c.X+fx1*c.W, c.Y+fy1*c.H
		left := func(p *input.DispatchMouseEventParams) { p.Button = input.MouseButtonLeft; p.Buttons = 1 }
		steps := []chromedp.Action[chromedp.Void]{
			chromedp.MouseEvent(chromedp.MouseMoved, x0, y0),
			chromedp.MouseEvent(chromedp.MousePressed, x0, y0, left, chromedp.ClickCount(1)),
		}
		for i := 1; i <= 8; i++ {
			f := float64(i) / 8
			steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x0+f*(x1-x0), y0+f*(y1-y0), left))
		}
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x1, y1, left, chromedp.ClickCount(1)))
		b.do("drag on the canvas", steps...)
		b.waitJS(`document.getElementById('roi-value').value !== `+jsString(valueBefore), "the drag to change the regions field", 5*time.Second)

		b.submit("motion-save")
		width, height := 320.0, 240.0 // RTSPOPTS in writeConfig
		want := image.Rect(int(fx0*width+0.5), int(fy0*height+0.5), int(fx1*width+0.5), int(fy1*height+0.5))
		const slack = 4
		near := func(a, b int) bool { return a-b <= slack && b-a <= slack }
		matches := func(g image.Rectangle) bool {
			return near(g.Min.X, want.Min.X) && near(g.Min.Y, want.Min.Y) && near(g.Max.X, want.Max.X) && near(g.Max.Y, want.Max.Y)
		}
		isNew := func(g image.Rectangle) bool {
			for _, o := range before {
				if o == g {
					return false
				}
			}
			return true
		}
		cfg := waitConfig(t, dir, "new region of interest", func(c *conf.Config) bool { return len(c.Motion.Regions) > len(before) })
		found := false
		for _, g := range cfg.Motion.Regions {
			found = found || (isNew(g) && matches(g))
		}
		if !found {
			t.Errorf("got region_of_interest %v after dragging, want a new rectangle within %d px of %v", cfg.Motion.Regions, slack, want)
		}
	})

	// 3. A service stopped and started from the page stops and starts.
	t.Run("services", func(t *testing.T) {
		b.t = t
		b.open("/services")
		for _, step := range []struct{ button, want string }{{"svc-rtsp-stop", "stopped"}, {"svc-rtsp-start", "running"}} {
			b.submit(step.button)
			b.waitJS(`((document.getElementById('svc-rtsp-state') || {}).textContent || '').includes(`+jsString(step.want)+`)`,
				"svc-rtsp-state to say "+step.want, stepTimeout)
			if info := serviceInfo(r.app, "rtsp"); info == nil || string(info.State) != step.want {
				t.Errorf("after %s the page says %s but the camera has rtsp %+v", step.button, step.want, info)
			}
		}
	})

	// 5. A value written to break out of its quotes stays a plain string in the file.
	t.Run("hostile value", func(t *testing.T) {
		b.t = t
		const id, hostile = "f-motion.conf-ftp_host", `x"; reboot; "`
		b.open("/storage")
		b.typeInto(id, hostile)
		b.submit("save")
		if got := mustJS[string](b, `document.getElementById(`+jsString(id)+`).value`); got != hostile {
			t.Errorf("the page shows %q after saving, want %q", got, hostile)
		}
		// Source the file as the firmware's scripts do, with a reboot that only leaves a mark.
		bin := t.TempDir()
		mark := filepath.Join(bin, "rebooted")
		if err := os.WriteFile(filepath.Join(bin, "reboot"), []byte("#!/bin/sh\necho ran >> "+mark+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, conf.MotionFile)
		var got string
		deadline := time.Now().Add(10 * time.Second)
		for {
			cmd := exec.Command("sh", "-c", `. "$1"; printf %s "$ftp_host"`, "sh", file)
			cmd.Env = []string{"PATH=" + bin}
			out, err := cmd.CombinedOutput()
			got = string(out)
			if err == nil && got != "" {
				break
			}
			if time.Now().After(deadline) {
				text, _ := os.ReadFile(file)
				t.Fatalf("sourcing motion.conf: got %q (err %v), want ftp_host set; the file:\n%s", got, err, text)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if got != hostile {
			t.Errorf("sourcing motion.conf gave ftp_host %q, want exactly %q", got, hostile)
		}
		if _, err := os.Stat(mark); err == nil {
			t.Errorf("sourcing motion.conf ran reboot, want the value to stay quoted")
		}
	})

	// 5b. A backup downloaded through the API is restored from the System page: the setting
	// changed since comes back, after the page's confirmation dialog.
	t.Run("backup and restore", func(t *testing.T) {
		b.t = t
		resp, err := r.get(t, "/api/v1/config/backup")
		if err != nil {
			t.Fatal(err)
		}
		archive, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("backup: got %d, %v", resp.StatusCode, err)
		}
		path := filepath.Join(t.TempDir(), "freecam-config.tar.gz")
		if err := os.WriteFile(path, archive, 0o600); err != nil {
			t.Fatal(err)
		}
		osdPath := filepath.Join(dir, conf.OSDFile)
		orig, err := os.ReadFile(osdPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(osdPath, append(slices.Clone(orig), "SIZE=40\n"...), 0o600); err != nil {
			t.Fatal(err)
		}
		dialogs := chromedp.Events(b.ctx, page.JavascriptDialogOpening)
		go func() {
			for _, err := range dialogs {
				if err != nil {
					return
				}
				chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true}) //nolint:errcheck // the wait below fails if it did not close
			}
		}()
		b.open("/system")
		b.settle()
		b.do("choose the backup", chromedp.SetUploadFiles(chromedp.ID("restore-archive"), []string{path}))
		b.click("restore-submit")
		b.waitJS(`(document.getElementById('restore-result') || {}).textContent.includes('Restored and applied')`,
			"the restore report", stepTimeout)
		if got, _ := os.ReadFile(osdPath); !bytes.Equal(got, orig) {
			t.Errorf("osd.conf after the restore:\n%s\nwant as backed up:\n%s", got, orig)
		}
		checkPage(t, "system (restore)")
	})

	// 5c. The Network part of the System page: a gateway outside the static network is refused
	// with nothing written; a good static address is written in the firmware's format; Wi-Fi's
	// password is saved but never shown again. (The system service is off on this computer:
	// nothing is applied to its network.)
	t.Run("network settings", func(t *testing.T) {
		b.t = t
		b.open("/system")
		b.settle()
		b.click("address-static")
		b.typeInto("address-address", "192.168.7.20")
		b.typeInto("address-netmask", "255.255.255.0")
		b.typeInto("address-gateway", "10.0.0.1")
		b.typeInto("address-dns", "192.168.7.1")
		b.submit("address-save")
		b.waitJS(`(document.getElementById('problem') || {textContent: ''}).textContent.includes('Gateway')`,
			"the refusal naming the gateway", stepTimeout)
		if _, err := os.Stat(filepath.Join(dir, "staticip.conf")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("got %v for staticip.conf after a refused save, want nothing written", err)
		}
		b.takeProblems() // the refusal's 422, wanted
		b.click("address-static")
		b.typeInto("address-gateway", "192.168.7.1")
		b.submit("address-save")
		b.waitJS(`!!document.getElementById('flash')`, "the saved message", stepTimeout)
		for name, want := range map[string]string{"staticip.conf": "192.168.7.20 netmask 255.255.255.0", "defaultgw.conf": "192.168.7.1"} {
			if got, _ := os.ReadFile(filepath.Join(dir, name)); strings.TrimSpace(string(got)) != want {
				t.Errorf("%s: got %q, want %q", name, got, want)
			}
		}

		b.typeInto("wifi-ssid", "Shelf Net")
		b.typeInto("wifi-password", "correct horse battery")
		b.submit("wifi-save")
		b.waitJS(`!!document.getElementById('flash')`, "the saved message", stepTimeout)
		wpa := filepath.Join(dir, "wpa_supplicant.conf")
		if fi, err := os.Stat(wpa); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("wpa_supplicant.conf: got %v, %v, want mode 0600", fi, err)
		}
		if got, _ := os.ReadFile(wpa); !bytes.Contains(got, []byte(`psk="correct horse battery"`)) || !bytes.Contains(got, []byte(`ssid="Shelf Net"`)) {
			t.Errorf("wpa_supplicant.conf: got %q, want the SSID and password", got)
		}
		if html := mustJS[string](b, `document.documentElement.outerHTML`); strings.Contains(html, "correct horse") {
			t.Errorf("the Wi-Fi password is in the page after saving it")
		}
		checkPage(t, "system (network)")
	})

	// 5d. A new time zone: freecam restarts itself (in cmd/freecam; not in this test) and the
	// sessions it kept in memory are gone. The restarting page must then take the user to the
	// login page and, after it, back to the System page, not wait for ever.
	t.Run("time zone restart", func(t *testing.T) {
		b.t = t
		b.open("/system")
		b.settle()
		b.typeInto("host-timezone", "Europe/London")
		b.submit("host-save")
		b.waitJS(`(document.getElementById('restarting') || {dataset: {}}).dataset.next === '/system'`,
			"the restarting page", stepTimeout)
		if _, err := chromedp.Call(b.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		b.waitJS(`location.pathname === '/login' && location.search === '?next=%2Fsystem'`,
			"the login page asking to go back to /system", 30*time.Second)
		b.takeProblems() // the polls' redirects while the session is gone
		b.typeInto("name", "admin")
		b.typeInto("password", r.adminPass)
		b.submit("login")
		if got := b.path(); got != "/system" {
			t.Errorf("after logging in again: got %s, want /system", got)
		}
	})

	// 6. Every page loads without an error and without the network beyond the camera.
	t.Run("every page", func(t *testing.T) {
		b.t = t
		for i, name := range []string{"live", "camera", "motion", "notifications", "storage", "services", "system", "events", "logs"} {
			b.takeProblems()
			b.open("/" + name)
			if got := b.path(); got != "/"+name {
				t.Errorf("opening /%s: got %s", name, got)
				continue
			}
			b.settle()
			if name == "live" {
				b.waitJS(`Array.from(document.images).some(i => i.naturalWidth > 0)`, "a live picture on /live", stepTimeout)
			}
			checkPage(t, name)
			b.screenshot(shots, fmt.Sprintf("%02d-%s", i+2, name))
		}
	})

	// 7. Logging out ends the session.
	t.Run("logout", func(t *testing.T) {
		b.t = t
		b.open("/live")
		b.submit("logout")
		if got := b.path(); got != "/login" {
			t.Errorf("after logging out: got %s, want /login", got)
		}
		b.open("/live")
		if got := b.path(); got != "/login" {
			t.Errorf("opening /live after logging out: got %s, want /login", got)
		}
	})

	b.t = t
	b.mu.Lock()
	offsite := b.offsite
	b.mu.Unlock()
	if len(offsite) > 0 {
		t.Errorf("the UI made requests beyond the camera, want none: %q", offsite)
	}
	t.Logf("screenshots in %s", shots)
}

// curl runs the real curl against the camera and returns the HTTP status, the headers and the
// body.
func curl(t *testing.T, args ...string) (status int, header, body string) {
	t.Helper()
	tmp := t.TempDir()
	hfile, bfile := filepath.Join(tmp, "header"), filepath.Join(tmp, "body")
	all := append([]string{"-k", "-sS", "--noproxy", "*", "--max-time", "20", "-D", hfile, "-o", bfile, "-w", "%{http_code}"}, args...)
	out, err := runPeer(t, 30*time.Second, "curl", all...)
	if err != nil {
		t.Fatalf("curl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	status, err = strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("curl wrote %q, want a status code", out)
	}
	h, _ := os.ReadFile(hfile)
	bd, _ := os.ReadFile(bfile)
	return status, string(h), string(bd)
}

// TestCurlFetchesCurrentPicLikeHomeAssistant is the seed's Home Assistant generic camera: HTTP
// Basic over HTTPS with the camera's self-signed certificate gets a JPEG; no credentials get 401.
func TestCurlFetchesCurrentPicLikeHomeAssistant(t *testing.T) {
	testutil.Need(t, "curl")
	t.Parallel()
	r := startApp(t, writeConfig(t, nil), Options{})
	if r.adminPass == "" {
		t.Fatal("no admin password was printed on the console")
	}
	url := r.httpsURL("/cgi-bin/currentpic.cgi")

	// The first picture may still be on its way just after the start: 503 means "retry shortly".
	var status int
	var body string
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, _, body = curl(t, "-u", "admin:"+r.adminPass, url)
		if status != 503 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status != 200 {
		t.Fatalf("curl -u admin:PASS currentpic.cgi: got status %d (%.200q), want 200", status, body)
	}
	if !strings.HasPrefix(body, "\xff\xd8\xff") {
		t.Fatalf("currentpic.cgi: got a body starting %q, want the JPEG magic FF D8 FF", body[:min(len(body), 8)])
	}
	img, err := jpeg.Decode(strings.NewReader(body))
	if err != nil {
		t.Fatalf("currentpic.cgi: got an undecodable JPEG: %v", err)
	}
	if got := img.Bounds().Size(); got != image.Pt(320, 240) {
		t.Errorf("currentpic.cgi: got %v, want 320x240", got)
	}

	status, header, body := curl(t, url)
	if status != 401 {
		t.Errorf("curl currentpic.cgi without credentials: got status %d, want 401", status)
	}
	if !strings.Contains(strings.ToLower(header), "www-authenticate: basic") {
		t.Errorf("the 401 asks for no Basic credentials (headers %q), want WWW-Authenticate: Basic", header)
	}
	if strings.HasPrefix(body, "\xff\xd8") {
		t.Errorf("got a JPEG without credentials, want none")
	}
}
