package conf

import (
	"strings"
	"testing"
)

// matrix.conf's host is what the firmware's bin/matrix puts in https://host:port. A scheme, a
// port or a path in it gave "https://http//127.0.0.1:19467/…" and a failed delivery; what they
// mean is plain, so freecam uses the URL they spell and warns how to write it (a config it took
// before must not stop the camera after an update).
func TestMatrixHost(t *testing.T) {
	tests := []struct {
		name, src, wantURL, wantWarn, wantErr string
	}{
		{"name", "host=matrix.example.org\n", "https://matrix.example.org:8448", "", ""},
		{"name and port", "host=matrix.example.org\nport=443\n", "https://matrix.example.org:443", "", ""},
		{"IPv4", "host=127.0.0.1\nport=19467\n", "https://127.0.0.1:19467", "", ""},
		{"IPv6", "host=::1\n", "https://[::1]:8448", "", ""},
		{"IPv6 in brackets", "host=[fd00::5]\n", "https://[fd00::5]:8448", "", ""},
		{"empty", "host=\n", "", "", ""},
		{"http scheme", "host=http://127.0.0.1\n", "http://127.0.0.1:8448",
			"matrix.conf:1: host: holds more than a host name, which the firmware puts in https://host:port; freecam uses http://127.0.0.1:8448: write host=127.0.0.1 and port=8448, or base_url=…", ""},
		{"https scheme", "port=443\nhost=https://matrix.example.org\n", "https://matrix.example.org:443", "freecam uses https://matrix.example.org:443", ""},
		{"URL with port and path", "host=https://m.example.org:8008/synapse/\n", "https://m.example.org:8008/synapse", "write host=m.example.org and port=8008", ""},
		{"path", "host=matrix.example.org/synapse\n", "https://matrix.example.org:8448/synapse", "freecam uses https://matrix.example.org:8448/synapse", ""},
		{"port inside", "host=matrix.example.org:443\n", "https://matrix.example.org:443", "write host=matrix.example.org and port=443", ""},
		{"IPv6 with port", "host=[::1]:8448\n", "https://[::1]:8448", "write host=::1 and port=8448", ""},
		{"trailing colon", "host=matrix.example.org:\n", "", "", `must be a host name or address, such as matrix.example.org (got "matrix.example.org:")`},
		{"port out of range", "host=matrix.example.org:99999\n", "", "", `(got "matrix.example.org:99999")`},
		{"other scheme", "host=ftp://matrix.example.org\n", "", "", `(got "ftp://matrix.example.org")`},
		{"space", "host='matrix example.org'\n", "", "", `(got "matrix example.org")`},
		{"user", "host=me@matrix.example.org\n", "", "", `(got "me@matrix.example.org")`},
		{"half a bracket", "host=[::1\n", "", "", `(got "[::1")`},
		{"query", "host=https://m.example.org/?x=1\n", "", "", `(got "https://m.example.org/?x=1")`},
		{"scheme with base_url", "host=https://m.example.org\nbase_url=https://m.example.org/synapse\n", "https://m.example.org/synapse", "freecam uses", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mx := Matrix{Port: 8448}
			errs, warns, _ := decodeFile(t, MatrixFile, tc.src, mx.decode)
			joined := strings.Join(errs, "\n")
			if tc.wantErr == "" && joined != "" || !strings.Contains(joined, tc.wantErr) || tc.wantErr != "" && len(errs) != 1 {
				t.Fatalf("got errors %q, want %q", joined, tc.wantErr)
			}
			warned := strings.Join(warns, "\n")
			if tc.wantWarn == "" && warned != "" || !strings.Contains(warned, tc.wantWarn) {
				t.Errorf("got warnings %q, want %q", warned, tc.wantWarn)
			}
			if mx.BaseURL != tc.wantURL {
				t.Errorf("got BaseURL %q, want %q", mx.BaseURL, tc.wantURL)
			}
			if tc.wantErr != "" && mx.Host != "" {
				t.Errorf("got Host %q, want it left empty", mx.Host)
			}
		})
	}
}
