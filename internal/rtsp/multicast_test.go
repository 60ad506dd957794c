package rtsp

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestMulticast(t *testing.T) {
	port := freeUDPPair(t)
	group := "239.255.42.42"
	s, url := startServer(t, Options{Hub: h264Hub(t), MulticastDest: fmt.Sprintf("%s:%d", group, port)})
	addr := s.Addr().String()

	t.Run("SETUP offers the configured group and port", func(t *testing.T) {
		res := rawRequest(t, addr, fmt.Sprintf("SETUP rtsp://%s/multicast/trackID=0 RTSP/1.0\r\nCSeq: 1\r\n"+
			"Transport: RTP/AVP;multicast\r\n\r\n", addr))
		for _, want := range []string{
			"RTSP/1.0 200",
			fmt.Sprintf("destination=%s", group),
			fmt.Sprintf("port=%d-%d", port, port+1),
		} {
			if !strings.Contains(res, want) {
				t.Errorf("SETUP response %q: want it to contain %q", res, want)
			}
		}
	})

	t.Run("unicast transports are refused on the multicast path", func(t *testing.T) {
		res := rawRequest(t, addr, fmt.Sprintf("SETUP rtsp://%s/multicast/trackID=0 RTSP/1.0\r\nCSeq: 1\r\n"+
			"Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n", addr))
		if !strings.HasPrefix(res, "RTSP/1.0 461") {
			t.Errorf("got %q, want 461 Unsupported Transport", strings.SplitN(res, "\r\n", 2)[0])
		}
	})

	t.Run("ffprobe", func(t *testing.T) {
		ffprobe := needBinary(t, "ffprobe")
		out, stderr, err := runPeer(t, 20*time.Second, ffprobe, "-v", "error", "-rtsp_transport", "udp_multicast",
			"-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", url+"/multicast")
		if err != nil {
			t.Fatalf("ffprobe: %v: %s", err, stderr)
		}
		if got, want := strings.TrimSpace(out), "h264,320,240"; got != want {
			t.Errorf("ffprobe: got %q, want %q", got, want)
		}
	})
}
