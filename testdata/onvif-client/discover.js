// Probes for ONVIF cameras with the npm onvif client (0.8.3, lib/discovery.js) as Node-RED and
// Homebridge do, for internal/app's ONVIF end-to-end tests.
//
// Usage: node discover.js TIMEOUT_MS ROUNDS PORT   (NODE_PATH must find 'onvif')
//
// Each round is one Discovery.probe({timeout, resolve: false}) and prints one JSON line:
// {"err": null or "…", "cams": [the parsed, lower-camel-cased ProbeMatches body per device]}.
// It stops after the first round that found a camera whose XAddrs name PORT, or after ROUNDS.
// Why rounds: the library keeps one answer per endpoint address, and every freecam on a machine
// has the same one (it is made from the MAC); another freecam under test that answers first
// hides ours for that probe.
'use strict';
const { Discovery } = require('onvif');

const [timeout, rounds, port] = process.argv.slice(2).map(Number);
Discovery.on('error', () => {}); // a foreign responder's unparsable answer is not ours to judge

const ours = (cam) => String(cam.probeMatches.probeMatch.XAddrs).split(' ')
	.some((x) => { try { return Number(new URL(x).port) === port; } catch (e) { return false; } });

let round = 0;
const probe = () => Discovery.probe({ timeout, resolve: false }, (err, cams) => {
	cams = cams || [];
	process.stdout.write(JSON.stringify({ err: err ? String(err) : null, cams }) + '\n');
	if (++round < rounds && !cams.some(ours)) {
		probe();
	}
});
probe();
