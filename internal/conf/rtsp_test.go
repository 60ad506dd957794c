package conf

import (
	"slices"
	"strings"
	"testing"
)

// A user name with an empty password leaves the stream open to anyone who knows the name:
// `freecam conf check` (and a reload) warn about it, on the line that set the user.
func TestRTSPEmptyPasswordWarns(t *testing.T) {
	const warning = "the password is empty while the user name"
	for _, tc := range []struct {
		name, src string
		want      string // the warning's "file:line: KEY" prefix; empty: no such warning
	}{
		{"user without password", "USERNAME=cam\nUSERPASSWORD=\n", "rtspserver.conf:2: USERPASSWORD"},
		{"user, no password key", "# x\nUSERNAME=cam\n", "rtspserver.conf:2: USERNAME"},
		{"-U with an empty password", "RTSPOPTS=\"-W1280 -H720 -U cam:\"\n", "rtspserver.conf:1: RTSPOPTS"},
		{"user and password", "USERNAME=cam\nUSERPASSWORD=camRtspPw\n", ""},
		{"-U with a password", "RTSPOPTS=\"-U cam:pw\"\n", ""},
		{"no user", "USERNAME=\nUSERPASSWORD=\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultRTSPServer()
			errs, warns, _ := decodeFile(t, RTSPServerFile, tc.src, c.decode)
			if len(errs) > 0 {
				t.Fatalf("got errors %v, want none", errs)
			}
			i := slices.IndexFunc(warns, func(w string) bool { return strings.Contains(w, warning) })
			switch {
			case tc.want == "" && i >= 0:
				t.Errorf("got warning %q, want none", warns[i])
			case tc.want != "" && i < 0:
				t.Errorf("got warnings %v, want one containing %q", warns, warning)
			case tc.want != "" && !strings.HasPrefix(warns[i], tc.want):
				t.Errorf("got warning %q, want it at %q", warns[i], tc.want)
			}
		})
	}
}
