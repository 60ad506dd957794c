package conf

import (
	"strings"
	"testing"
)

// matrix.conf's host is what the firmware's bin/matrix puts in https://host:port: a scheme, a
// port or a path in it gave "https://http//127.0.0.1:19467/…" and a failed delivery.
func TestMatrixHost(t *testing.T) {
	tests := []struct {
		name, src, wantURL, wantErr string
	}{
		{"name", "host=matrix.example.org\n", "https://matrix.example.org:8448", ""},
		{"name and port", "host=matrix.example.org\nport=443\n", "https://matrix.example.org:443", ""},
		{"IPv4", "host=127.0.0.1\nport=19467\n", "https://127.0.0.1:19467", ""},
		{"IPv6", "host=::1\n", "https://[::1]:8448", ""},
		{"IPv6 in brackets", "host=[fd00::5]\n", "https://[fd00::5]:8448", ""},
		{"empty", "host=\n", "", ""},
		{"http scheme", "host=http://127.0.0.1\n", "",
			`matrix.conf:1: host: must be a host name or address, without http:// — freecam adds https:// (got "http://127.0.0.1")`},
		{"https scheme", "port=443\nhost=https://matrix.example.org\n", "",
			`matrix.conf:2: host: must be a host name or address, without https:// — freecam adds https:// (got "https://matrix.example.org")`},
		{"path", "host=matrix.example.org/synapse\n", "", `matrix.conf:1: host: must be a host name or address, without a path (got "matrix.example.org/synapse"); a homeserver under a path goes in base_url`},
		{"port inside", "host=matrix.example.org:443\n", "", `matrix.conf:1: host: must be a host name or address, without a port: set host=matrix.example.org and port=443 (got "matrix.example.org:443")`},
		{"IPv6 with port", "host=[::1]:8448\n", "", "host=::1 and port=8448"},
		{"trailing colon", "host=matrix.example.org:\n", "", `must be a host name or address (got "matrix.example.org:")`},
		{"space", "host='matrix example.org'\n", "", `must be a host name or address (got "matrix example.org")`},
		{"user", "host=me@matrix.example.org\n", "", `must be a host name or address (got "me@matrix.example.org")`},
		{"half a bracket", "host=[::1\n", "", `must be a host name or address (got "[::1")`},
		{"scheme with base_url", "host=https://m.example.org\nbase_url=https://m.example.org/synapse\n", "https://m.example.org/synapse", "without https://"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mx := Matrix{Port: 8448}
			errs, _, _ := decodeFile(t, MatrixFile, tc.src, mx.decode)
			joined := strings.Join(errs, "\n")
			if tc.wantErr == "" && joined != "" || !strings.Contains(joined, tc.wantErr) || tc.wantErr != "" && len(errs) != 1 {
				t.Fatalf("got errors %q, want %q", joined, tc.wantErr)
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
