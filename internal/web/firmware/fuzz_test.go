package firmware

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzAction feeds arbitrary queries to action.cgi and state.cgi: no panic, no server error from
// parsing, and every answer is plain text or a JPEG.
func FuzzAction(f *testing.F) {
	for _, s := range []string{"cmd=blue_led_on", "cmd=motor_left&val=99999999999999999999", "cmd=motor_PTZ&x_axis=-1&y_axis=%00",
		"cmd=x;reboot", "cmd=set_region_of_interest&x0=1&y0=2&x1=3&y1=%0a", "cmd=set_region_of_interest&motion_timeout=1e9",
		"cmd=motion_detection_mail_on&cmd=reboot", "cmd=%ff%fe", "cmd=all", "cmd=snapshot"} {
		f.Add(s)
	}
	g := newRig(f)
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, path := range []string{"/cgi-bin/action.cgi", "/cgi-bin/state.cgi"} {
			w := g.get(t, path, q)
			if w.Code >= 500 {
				t.Errorf("%s?%s: got %d %q, want no server error", path, raw, w.Code, w.Body.String())
			}
			ct := w.Header().Get("Content-Type")
			if !strings.HasPrefix(ct, "text/plain") && ct != "image/jpeg" && w.Code != http.StatusForbidden {
				t.Errorf("%s?%s: Content-Type %q, want text/plain or image/jpeg", path, raw, ct)
			}
		}
	})
}
