package onvif

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// Synology writes back the encoder configuration it read: that succeeds; a change is refused
// with ter:ConfigModify naming what differs, and a viewer may not write at all.
func TestSetVideoConfigurations(t *testing.T) {
	e := newTestEnv(t, nil)
	m := soap.NSMedia
	encoder := func(w, h, fps, kbps, gov int) string {
		return `<ns0:Configuration token="VideoEncoderConfig_1"><Name xmlns="http://www.onvif.org/ver10/schema">VideoEncoderConfig</Name>` +
			`<Encoding xmlns="http://www.onvif.org/ver10/schema">H264</Encoding>` +
			`<Resolution xmlns="http://www.onvif.org/ver10/schema"><Width>` + strconv.Itoa(w) + `</Width><Height>` + strconv.Itoa(h) + `</Height></Resolution>` +
			`<Quality xmlns="http://www.onvif.org/ver10/schema">70</Quality>` +
			`<RateControl xmlns="http://www.onvif.org/ver10/schema"><FrameRateLimit>` + strconv.Itoa(fps) + `</FrameRateLimit><EncodingInterval>1</EncodingInterval><BitrateLimit>` + strconv.Itoa(kbps) + `</BitrateLimit></RateControl>` +
			`<H264 xmlns="http://www.onvif.org/ver10/schema"><GovLength>` + strconv.Itoa(gov) + `</GovLength><H264Profile>Baseline</H264Profile></H264>` +
			`</ns0:Configuration><ns0:ForcePersistence>true</ns0:ForcePersistence>`
	}
	e.call(m, "SetVideoEncoderConfiguration", encoder(1920, 1080, 20, 2000, 40)).ok(t, m, "SetVideoEncoderConfiguration")

	reason := e.call(m, "SetVideoEncoderConfiguration", encoder(1280, 720, 20, 1000, 40)).
		wantFault(t, http.StatusBadRequest, "Sender", "ter:InvalidArgVal", "ter:ConfigModify")
	if !strings.Contains(reason, "resolution 1280x720 (the camera runs 1920x1080)") || !strings.Contains(reason, "bitrate 1000") {
		t.Errorf("got reason %q, want the resolution and bitrate named", reason)
	}
	e.call(m, "SetVideoEncoderConfiguration", strings.Replace(encoder(1920, 1080, 20, 2000, 40), "VideoEncoderConfig_1", "other", 1)).
		wantFault(t, http.StatusBadRequest, "Sender", "ter:InvalidArgVal", "ter:NoConfig")

	source := func(w, h int) string {
		return `<ns0:Configuration token="VideoSourceConfig_1"><Name xmlns="http://www.onvif.org/ver10/schema">VideoSourceConfig</Name>` +
			`<SourceToken xmlns="http://www.onvif.org/ver10/schema">VideoSource_1</SourceToken>` +
			`<Bounds xmlns="http://www.onvif.org/ver10/schema" x="0" y="0" width="` + strconv.Itoa(w) + `" height="` + strconv.Itoa(h) + `"/></ns0:Configuration><ns0:ForcePersistence>true</ns0:ForcePersistence>`
	}
	e.call(m, "SetVideoSourceConfiguration", source(1920, 1080)).ok(t, m, "SetVideoSourceConfiguration")
	e.call(m, "SetVideoSourceConfiguration", source(640, 480)).
		wantFault(t, http.StatusBadRequest, "Sender", "ter:InvalidArgVal", "ter:ConfigModify")

	viewer := e.post(DevicePath, zeepEnvelope("SetVideoEncoderConfiguration", m, encoder(1920, 1080, 20, 2000, 40), "viewer", "watch", e.freshNonce()))
	viewer.wantFault(t, http.StatusBadRequest, "Sender", "ter:NotAuthorized")
}
