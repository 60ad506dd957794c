package camera

import "testing"

func TestURLForClient(t *testing.T) {
	for _, tc := range []struct{ u, host, want string }{
		{"rtsp://localhost:8554/unicast", "192.168.1.50:8443", "rtsp://192.168.1.50:8554/unicast"},
		{"rtsp://localhost:8554/unicast", "cam.lan", "rtsp://cam.lan:8554/unicast"},
		{"rtsp://localhost:8554/unicast", "[fe80::1]:8443", "rtsp://[fe80::1]:8554/unicast"},
		{"rtsp://10.0.0.9:8554/unicast", "cam.lan:8443", "rtsp://10.0.0.9:8554/unicast"}, // a real address stays
		{"rtsp://localhost:8554/unicast", "", "rtsp://localhost:8554/unicast"},
	} {
		if got := URLForClient(tc.u, tc.host); got != tc.want {
			t.Errorf("URLForClient(%q, %q) = %q, want %q", tc.u, tc.host, got, tc.want)
		}
	}
}
