package deliver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/freecam/freecam/internal/testutil"
)

const nginx502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"

// reviewPage is what the review's proxy answered: the title, a heading, a paragraph and an
// address, each on its own line only because of the elements.
const reviewPage = `<!DOCTYPE html>
<html>
<head>
<title>502 Bad Gateway</title>
<style>body { width: 35em; margin: 0 auto; }</style>
</head>
<body>
<h1>502 Bad Gateway</h1>
<p>The upstream server is down.</p>
<hr>
<address>nginx/1.25</address>
</body>
</html>
`

func TestFailureSaysTargetAndItemOnce(t *testing.T) {
	const id = "20261126-143501-snap"
	tests := []struct {
		name   string
		target string
		err    error
		want   string
	}{
		{"a bare cause", "ftp", errors.New("dial tcp 10.0.0.9:21: connection refused"),
			"deliver: ftp: item " + id + ": dial tcp 10.0.0.9:21: connection refused"},
		{"the target names itself", "telegram", errors.New("telegram: sendPhoto: 502 Bad Gateway"),
			"deliver: telegram: item " + id + ": sendPhoto: 502 Bad Gateway"},
		{"the target names itself and the item", "telegram", fmt.Errorf("item %s: %w", id, errors.New("telegram: sendPhoto: 502 Bad Gateway")),
			"deliver: telegram: item " + id + ": sendPhoto: 502 Bad Gateway"},
		{"permanent", "telegram", &Permanent{Err: errors.New("telegram: sendPhoto: 400 Bad Request: PHOTO_INVALID_DIMENSIONS")},
			"deliver: telegram: item " + id + ": permanent: sendPhoto: 400 Bad Request: PHOTO_INVALID_DIMENSIONS"},
		{"the item in the target's own words", "mail", fmt.Errorf("mail: item %s to smtp.example.org:587: %w", id, errors.New("535 authentication failed")),
			"deliver: mail: item " + id + " to smtp.example.org:587: 535 authentication failed"},
		{"another name's prefix is kept", "ftp-backup", errors.New("ftp: 550 no such directory"),
			"deliver: ftp-backup: item " + id + ": ftp: 550 no such directory"},
		{"an HTML error page", "dropbox", fmt.Errorf("dropbox: upload: 502 %s (to /cam/a.jpg)", nginx502),
			"deliver: dropbox: item " + id + ": upload: 502 Bad Gateway (to /cam/a.jpg)"},
		{"the review's page", "dropbox", fmt.Errorf("dropbox: upload: 502 %s (to /motion/stills/a.jpg)", reviewPage),
			"deliver: dropbox: item " + id + ": upload: 502 Bad Gateway (to /motion/stills/a.jpg)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &failure{Target: tc.target, Item: id, Err: tc.err}
			if got := f.Error(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if got := strings.Count(f.Error(), id); got != 1 {
				t.Errorf("got the item id %d times, want once", got)
			}
			if !errors.Is(f, tc.err) {
				t.Errorf("errors.Is(failure, cause): got false, want true")
			}
		})
	}
	if !IsPermanent(&failure{Target: "x", Item: id, Err: &Permanent{Err: errors.New("no")}}) {
		t.Errorf("IsPermanent of a failure wrapping a Permanent: got false, want true")
	}
}

func TestOneLine(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct{ name, in, want string }{
		{"short stays", "dial tcp: connection refused", "dial tcp: connection refused"},
		{"first line of many", "exit status 1\nstderr: bad thing\nmore", "exit status 1 …"},
		{"blank lines skipped", "\n\n  first  \n", "first"},
		{"control characters", "a\tb\x1b[31mc\x00d", "a b [31mc d"},
		{"cut to 200 in the middle", long, strings.Repeat("x", 80) + " … " + strings.Repeat("x", 120)},
		{"the end is kept", "a" + long + " no such host", "a" + strings.Repeat("x", 79) + " … " + strings.Repeat("x", 107) + " no such host"},
		{"a long query string goes first", `upload: Post "https://h.example.org/up?name=` + long + `": dial tcp: lookup h.example.org: no such host`,
			`upload: Post "https://h.example.org/up?…": dial tcp: lookup h.example.org: no such host`},
		{"a long line of many", long + "\nmore", strings.Repeat("x", 80) + " … " + strings.Repeat("x", 120) + " …"},
		{"html page", nginx502, "502 Bad Gateway"},
		{"the review's page", reviewPage, "502 Bad Gateway"},
		{"a status the page repeats is said once", "upload: 502 " + nginx502 + " (to /a.jpg)", "upload: 502 Bad Gateway (to /a.jpg)"},
		{"a status the page does not repeat stays", "upload: 503 " + nginx502, "upload: 503 502 Bad Gateway"},
		{"a number that is no status stays", "upload: 5020 " + nginx502, "upload: 5020 502 Bad Gateway"},
		{"no title: the first block", "<html><body><div>Service <b>down</b> for maintenance</div><p>Back at 10:00.</p></body></html>", "Service down for maintenance"},
		{"br breaks a line", "<p>Forbidden<br>You do not have access</p>", "Forbidden"},
		{"a page cut short", "upload: 500 <html><head><title>Internal Server Error</title></head><body><h1>Intern", "upload: 500 Internal Server Error"},
		{"a page with no text", "send: 500 <html><body></body></html> (retry later)", "send: 500 (retry later)"},
		{"a < in the text of a page", "<p>1 < 2 and 3 &lt; 4</p>", "1 < 2 and 3 < 4"},
		{"html with script, style, comment and entities", "<!DOCTYPE html><html><head><style>body{color:red}</style><script>var a = 1 < 2;</script></head><body><!-- hi --><p>Service&nbsp;Unavailable &amp; down</p></body></html>",
			"Service Unavailable & down"},
		{"unclosed tag", "upload: 500 <html><body>Oops <b", "upload: 500 Oops"},
		{"a < without HTML stays", "a < b", "a < b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := oneLine(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// Through a queue: the status and the log lines say the target and the item once.
func TestQueueErrorsSayTargetAndItemOnce(t *testing.T) {
	const id = "20261126-143501-snap"
	f := newFake("telegram", func(_ context.Context, it Item, n int) error {
		if n == 1 {
			return fmt.Errorf("item %s: %w", it.ID, fmt.Errorf("telegram: sendPhoto: 502 %s", nginx502))
		}
		return nil
	})
	o, logs := fastOptions(t, f)
	q, err := NewQueue(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Enqueue(Item{ID: id, Kind: Text}); err != nil {
		t.Fatal(err)
	}
	stop := run(t, q)
	testutil.WaitWithin(t, 5*time.Second, "delivered after one failure", func() bool { return q.Status().Delivered == 1 })
	stop()
	want := "deliver: telegram: item " + id + ": sendPhoto: 502 Bad Gateway"
	if got := q.Status().LastError; got != want {
		t.Errorf("last error: got %q, want %q", got, want)
	}
	var warn string
	for line := range strings.SplitSeq(logs.String(), "\n") {
		if strings.Contains(line, "delivery failed") {
			warn = line
		}
	}
	if warn == "" {
		t.Fatalf("logs: got no \"delivery failed\" line in %q", logs.String())
	}
	if strings.Count(warn, id) != 1 || strings.Count(warn, "telegram") != 1 || strings.Contains(warn, "<") {
		t.Errorf("log line: got %q, want the item and the target once each and no HTML", warn)
	}
}

// A failed upload's error from net/http names the URL first and the reason last; the failure
// keeps the reason however long the URL and the prefixes are.
func TestFailureKeepsTheReasonOfAURLError(t *testing.T) {
	const id = "20261126-215148-snap"
	long := strings.Repeat("motion-front-door-", 12) + ".jpg"
	for _, tc := range []struct{ name, path string }{
		{"the review's", "upload?filename=2026-11-26_21-51-48.jpg"},
		{"a long query string", "upload?filename=" + long},
		{"a long path", "upload/" + long},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// .invalid never resolves (RFC 6761): a real *url.Error without network.
			resp, err := http.Post("https://matrix.freecam-test.invalid:8448/_matrix/media/v3/"+tc.path, "image/jpeg", nil)
			if err == nil {
				resp.Body.Close()
				t.Fatal("got no error posting to a .invalid host")
			}
			var ue *url.Error
			if !errors.As(err, &ue) {
				t.Fatalf("got %T %v, want a *url.Error", err, err)
			}
			raw := err.Error()
			reason := raw[strings.LastIndex(raw, ": ")+2:] // "no such host", or what this machine's resolver says
			wrapped := fmt.Errorf("matrix: item %s: %w", id, fmt.Errorf("matrix: upload: %w", err))
			f := &failure{Target: "matrix", Item: id, Err: wrapped}
			got := f.Error()
			if !strings.HasSuffix(got, ": "+reason) {
				t.Errorf("got %q, want it to end with the reason %q", got, reason)
			}
			if want := "deliver: matrix: item " + id + ": upload: Post \"https://matrix.freecam-test.invalid:8448/"; !strings.HasPrefix(got, want) {
				t.Errorf("got %q, want it to start with %q", got, want)
			}
			if n := utf8.RuneCountInString(f.cause()); n > maxLine+len(" … ") {
				t.Errorf("got a cause of %d characters, want at most about %d: %q", n, maxLine, f.cause())
			}
			if strings.Count(got, id) != 1 || strings.Count(got, "matrix:") != 1 {
				t.Errorf("got %q, want the item once and no repeated target", got)
			}
		})
	}
}
