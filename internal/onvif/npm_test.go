package onvif

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/onvif/events"
	"github.com/freecam/freecam/internal/testutil"
)

// npmScript connects with the npm onvif client as Node-RED and Homebridge do, then reads what
// they use; it prints one JSON line.
const npmScript = `
const { Cam } = require('onvif');
const [host, port, user, pass] = process.argv.slice(1);
const out = {};
new Cam({ hostname: host, port: +port, username: user, password: pass, timeout: 5000 }, function (err) {
  if (err) { out.connectError = String(err.message || err); console.log(JSON.stringify(out)); return; }
  out.uri = Object.fromEntries(Object.entries(this.uri).map(([k, v]) => [k, v.href]));
  out.profiles = this.profiles.length;
  out.activeSource = this.activeSource;
  this.getStreamUri({ protocol: 'RTSP' }, (err, s) => {
    out.stream = err ? String(err) : s.uri;
    this.getSnapshotUri({}, (err, s) => {
      out.snapshot = err ? String(err) : s.uri;
      this.getDeviceInformation((err, d) => {
        out.model = err ? String(err) : d.model;
        this.createPullPointSubscription((err, sub) => {
          const a = err ? null : sub.subscriptionReference.address;
          out.pullPoint = err ? String(err) : (typeof a === 'string' ? a : a.href);
          console.log(JSON.stringify(out));
        });
      });
    });
  });
});
`

// TestNPMClient runs the real npm onvif client against the server with the real event service.
func TestNPMClient(t *testing.T) {
	node, mods := testutil.OnvifClient(t)
	broker := events.New(events.Options{})
	t.Cleanup(broker.Close)
	e := newTestEnv(t, func(o *Options) {
		o.Events = broker
		o.Now = time.Now // the client signs with the time it read from us
	})
	hostport := strings.TrimPrefix(e.ts.URL, "http://")
	host, port, _ := strings.Cut(hostport, ":")
	run := func(user, pass string) map[string]any {
		cmd := exec.Command(node, "-e", npmScript, host, port, user, pass)
		cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Clean(mods))
		outb, err := cmd.Output()
		if err != nil {
			t.Fatalf("node: %v\n%s", err, outb)
		}
		var out map[string]any
		if err := json.Unmarshal(outb, &out); err != nil {
			t.Fatalf("node printed %q: %v", outb, err)
		}
		return out
	}
	out := run("admin", "secret")
	if out["connectError"] != nil {
		t.Fatalf("connect: %v", out["connectError"])
	}
	as, _ := out["activeSource"].(map[string]any)
	ptz, _ := as["ptz"].(map[string]any)
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"profiles", out["profiles"], float64(1)},
		{"activeSource.profileToken", as["profileToken"], ProfileToken},
		{"activeSource.encoding", as["encoding"], "H264"},
		{"activeSource.width", as["width"], float64(1920)},
		{"activeSource.ptz.token", ptz["token"], "PTZConfig_1"},
		{"stream", out["stream"], "rtsp://" + host + ":8554/unicast"},
		{"snapshot", out["snapshot"], e.ts.URL + SnapshotPath},
		{"model", out["model"], "Dafang"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if pp, _ := out["pullPoint"].(string); !strings.HasPrefix(pp, e.ts.URL+EventsPath+"/subscription/") {
		t.Errorf("pull point: got %v, want an address under %s", out["pullPoint"], e.ts.URL+EventsPath)
	}
	bad := run("admin", "wrong")
	if msg, _ := bad["connectError"].(string); !strings.Contains(msg, "Sender not Authorized") {
		t.Errorf("wrong password: got %v, want the connect to fail with 'Sender not Authorized'", bad)
	}
}
