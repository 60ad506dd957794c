package discovery

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/testutil"
)

// npmScript probes with the npm onvif client (lib/discovery.js, 0.8.3) and prints what it found
// (resolve: false: the parsed, lower-camel-cased ProbeMatches body per device) as JSON.
const npmScript = `
const onvif = require('onvif');
onvif.Discovery.on('error', () => {});
onvif.Discovery.probe({timeout: 3000, resolve: false}, (err, cams) => {
	process.stdout.write(JSON.stringify({err: err ? String(err) : null, cams: cams}));
});
`

// TestNpmOnvifDiscovery: the npm onvif client multicasts its Probe to 239.255.255.250:3702 and
// must find us with our endpoint, XAddrs, types and scopes.
func TestNpmOnvifDiscovery(t *testing.T) {
	node, modules := testutil.OnvifClient(t)
	ifi := testIface(t)
	// The client sends to port 3702 only. Other responders on this machine (a freecam under test
	// in another package) may answer too: ours is picked out by its endpoint address.
	o := testOptions(DefaultPort)
	local := ifi.addrs[0].Addr()
	o.Interfaces = nil // the default: every usable interface
	startRun(t, o)
	c := client(t, ifi)
	waitUp(t, c, &net.UDPAddr{IP: local.AsSlice(), Port: DefaultPort})

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "-e", npmScript)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node: %v\n%s", err, stderr)
	}
	var res struct {
		Err  *string `json:"err"`
		Cams []struct {
			ProbeMatches struct {
				ProbeMatch struct {
					EndpointReference struct {
						Address string `json:"address"`
					} `json:"endpointReference"`
					Types           string  `json:"types"`
					Scopes          string  `json:"scopes"`
					XAddrs          string  `json:"XAddrs"`
					MetadataVersion float64 `json:"metadataVersion"`
				} `json:"probeMatch"`
			} `json:"probeMatches"`
		} `json:"cams"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node output: %v\n%s", err, out)
	}
	if res.Err != nil {
		t.Errorf("the npm client reported errors: %s", *res.Err)
	}
	found := -1
	for i, c := range res.Cams {
		if c.ProbeMatches.ProbeMatch.EndpointReference.Address == testUUID {
			if found >= 0 {
				t.Fatalf("our endpoint %s answered twice\n%s", testUUID, out)
			}
			found = i
		}
	}
	if found < 0 {
		t.Fatalf("got %d devices, none with our endpoint %s\n%s", len(res.Cams), testUUID, out)
	}
	pm := res.Cams[found].ProbeMatches.ProbeMatch
	if want := xaddrFor(local); pm.XAddrs != want {
		t.Errorf("XAddrs: got %q, want %q", pm.XAddrs, want)
	}
	if pm.Types != "dn:NetworkVideoTransmitter tds:Device" {
		t.Errorf("types: got %q, want %q", pm.Types, "dn:NetworkVideoTransmitter tds:Device")
	}
	if want := strings.Join(testScopes, " "); pm.Scopes != want {
		t.Errorf("scopes: got %q, want %q", pm.Scopes, want)
	}
	if pm.MetadataVersion != 7 {
		t.Errorf("metadataVersion: got %v, want 7", pm.MetadataVersion)
	}
}
