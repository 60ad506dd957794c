package dropbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
)

// nginxPage is the page of a proxy in front of the API whose upstream is down, as nginx sends it.
const nginxPage = "<!DOCTYPE html>\r\n<html>\r\n<head>\r\n<title>502 Bad Gateway</title>\r\n</head>\r\n<body>\r\n" +
	"<center><h1>502 Bad Gateway</h1></center>\r\n<p>The upstream server is down.</p>\r\n<hr><address>nginx/1.25</address>\r\n</body>\r\n</html>\r\n"

// A refused upload says the status once, with the answer's first line: an HTML error page's
// title, not its whole text.
func TestErrorAnswers(t *testing.T) {
	jpg := filepath.Join(t.TempDir(), "s.jpg")
	if err := os.WriteFile(jpg, []byte{0xff, 0xd8}, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, contentType, body string
		status                  int
		want                    string
	}{
		{"nginx page", "text/html", nginxPage, 502, "dropbox: upload: 502 Bad Gateway (to /motion/stills/n.jpg)"},
		{"page without the status", "text/html", "<html><body><h1>Service Unavailable</h1><p>Back soon.</p></body></html>", 503,
			"dropbox: upload: 503 Service Unavailable (to /motion/stills/n.jpg)"},
		{"empty answer", "", "", 504, "dropbox: upload: 504 Gateway Timeout (to /motion/stills/n.jpg)"},
		{"plain text", "text/plain", "Error in call to API function \"files/upload\": bad path\nmore detail\n", 500,
			"dropbox: upload: 500 Error in call to API function \"files/upload\": bad path … (to /motion/stills/n.jpg)"},
		{"API error", "application/json", `{"error_summary":"path/insufficient_space/.."}`, 409,
			"dropbox: upload: 409 path/insufficient_space/.. (to /motion/stills/n.jpg)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			d := New(conf.Remote{Snapshot: true, Host: srv.URL + "/2/files/upload", Password: token, StillsDir: "/motion/stills"}, Options{})
			err := d.Deliver(context.Background(), deliver.Item{ID: "a", Kind: deliver.Snapshot, Files: []string{jpg}, Name: "n"})
			var de *Error
			if !errors.As(err, &de) || de.Status != tc.status {
				t.Fatalf("got %v, want an *Error with status %d", err, tc.status)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			// The queue's line is the same text.
			if got := deliver.OneLine(err.Error()); got != tc.want {
				t.Errorf("OneLine: got %q, want %q", got, tc.want)
			}
		})
	}
}
