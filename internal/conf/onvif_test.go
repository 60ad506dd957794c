package conf

import (
	"strings"
	"testing"
)

func TestONVIFDist(t *testing.T) {
	dist, ok := Dist(ONVIFFile)
	if !ok {
		t.Fatal("no built-in onvif.conf.dist")
	}
	got := ONVIF{}
	errs, warns, _ := decodeFile(t, ONVIFFile, string(dist), got.decode)
	if len(errs)+len(warns) > 0 {
		t.Errorf("got errors %q and warnings %q, want none", errs, warns)
	}
	// The dist leaves Discovery and the rest as the defaults, from an empty struct.
	if got != DefaultONVIF() {
		t.Errorf("dist gives %+v, want the defaults %+v", got, DefaultONVIF())
	}
}

func TestONVIFDecode(t *testing.T) {
	tests := []struct {
		src     string
		want    func(*ONVIF)
		wantErr string
	}{
		{"ONVIF_NAME='Garage cam'\nONVIF_LOCATION=garage\nONVIF_DISCOVERY=off\n", func(c *ONVIF) {
			c.Name, c.Location, c.Discovery = "Garage cam", "garage", false
		}, ""},
		{"PTZ_FOV_STEPS_X=700\nPTZ_FOV_STEPS_Y=400\nONVIF_MAX_SUBSCRIPTIONS=4\n", func(c *ONVIF) {
			c.FOVStepsX, c.FOVStepsY, c.MaxSubscriptions = 700, 400, 4
		}, ""},
		{"ONVIF_DISCOVERY=perhaps\n", func(*ONVIF) {}, "onvif.conf:1: ONVIF_DISCOVERY:"},
		{"\nONVIF_MAX_SUBSCRIPTIONS=0\n", func(*ONVIF) {}, "onvif.conf:2: ONVIF_MAX_SUBSCRIPTIONS: must be between 1 and 256"},
		{"PTZ_FOV_STEPS_X=wide\n", func(*ONVIF) {}, "onvif.conf:1: PTZ_FOV_STEPS_X:"},
	}
	for _, tc := range tests {
		t.Run(strings.TrimSpace(tc.src), func(t *testing.T) {
			got, want := DefaultONVIF(), DefaultONVIF()
			tc.want(&want)
			errs, _, _ := decodeFile(t, ONVIFFile, tc.src, got.decode)
			joined := strings.Join(errs, "\n")
			if tc.wantErr == "" && joined != "" || !strings.Contains(joined, tc.wantErr) {
				t.Fatalf("got errors %q, want %q", joined, tc.wantErr)
			}
			if tc.wantErr == "" && got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}
