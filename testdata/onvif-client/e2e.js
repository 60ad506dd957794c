// Drives a running freecam with the npm onvif client (0.8.3), as Node-RED and Homebridge do, for
// internal/app's ONVIF end-to-end tests. Prints one JSON object per line on stdout.
//
// Usage: node e2e.js HOST PORT USER PASSWORD MODE   (NODE_PATH must find 'onvif')
//
// Every mode first connects (new Cam: GetSystemDateAndTime, GetServices or GetCapabilities,
// GetProfiles, GetVideoSources) and prints {"step":"connect"} or {"step":"connect","error":…}
// (then exits 0: a refused login is an answer, not a failure of the script).
//
// Modes:
//   info    {"step":"deviceInformation","result":…}, {"step":"profiles","result":[…]},
//           {"step":"streamUri","result":"rtsp://…"}, {"step":"snapshotUri","result":"http://…"},
//           then exits.
//   events  subscribes with the library's own event loop (cam.on('event'): a pull point, long
//           polls, renews) and prints {"event":{topic,op,utc,source:[{Name,Value}],data:[…]}} per
//           message and {"eventsError":…} per error, until killed.
//   rpc     reads one JSON command per line on stdin, {"op":"absoluteMove","args":{…}}, calls
//           cam[op](args, callback) and prints {"op":…,"result":…} or {"op":…,"error":…}.
//           Extra ops: "waitIdle" polls getStatus every 50 ms until PanTilt is IDLE (at most
//           args.ms, default 20000) and returns that status; "sleep" waits args.ms.
'use strict';
const readline = require('readline');
const { Cam } = require('onvif');

const [host, port, username, password, mode] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const errText = (err) => String((err && err.message) || err);

// items turns a linerased SimpleItem (one object or an array of them) into [{Name, Value}].
const items = (group) => {
	if (!group || group.simpleItem === undefined) {
		return [];
	}
	const list = Array.isArray(group.simpleItem) ? group.simpleItem : [group.simpleItem];
	return list.map((it) => it.$);
};

const cam = new Cam({ hostname: host, port: Number(port), username, password, timeout: 15000 }, function (err) {
	if (err) {
		out({ step: 'connect', error: errText(err) });
		process.exit(0);
	}
	out({ step: 'connect' });
	switch (mode) {
	case 'info':
		info();
		break;
	case 'events':
		events();
		break;
	case 'rpc':
		rpc();
		break;
	default:
		out({ error: 'unknown mode ' + mode });
		process.exit(2);
	}
});
cam.on('warning', (w) => out({ warning: String(w) }));

function info() {
	cam.getDeviceInformation((err, d) => {
		out(err ? { step: 'deviceInformation', error: errText(err) } : { step: 'deviceInformation', result: d });
		out({ step: 'profiles', result: cam.profiles.map((p) => ({
			token: p.$.token,
			name: p.name,
			encoding: p.videoEncoderConfiguration && p.videoEncoderConfiguration.encoding,
			width: p.videoEncoderConfiguration && p.videoEncoderConfiguration.resolution.width,
			height: p.videoEncoderConfiguration && p.videoEncoderConfiguration.resolution.height,
			ptz: p.PTZConfiguration !== undefined,
		})) });
		cam.getStreamUri({ protocol: 'RTSP' }, (err, s) => {
			out(err ? { step: 'streamUri', error: errText(err) } : { step: 'streamUri', result: s.uri });
			cam.getSnapshotUri({}, (err, s) => {
				out(err ? { step: 'snapshotUri', error: errText(err) } : { step: 'snapshotUri', result: s.uri });
				process.exit(0);
			});
		});
	});
}

function events() {
	cam.on('eventsError', (e) => out({ eventsError: errText(e) }));
	cam.on('event', (msg) => {
		const m = msg.message.message;
		out({ event: {
			topic: msg.topic._,
			op: m.$.PropertyOperation,
			utc: m.$.UtcTime,
			source: items(m.source),
			data: items(m.data),
		} });
	});
}

function rpc() {
	const rl = readline.createInterface({ input: process.stdin });
	const queue = [];
	let busy = false;
	const reply = (op, err, result) => {
		out(err ? { op, error: errText(err) } : { op, result: result === undefined ? null : result });
		busy = false;
		next();
	};
	const waitIdle = (args, done) => {
		const until = Date.now() + (args.ms || 20000);
		const poll = () => cam.getStatus({}, (err, st) => {
			if (err) {
				return done(err);
			}
			const pt = st.moveStatus && (st.moveStatus.panTilt !== undefined ? st.moveStatus.panTilt : st.moveStatus);
			if (pt === 'IDLE') {
				return done(null, st);
			}
			if (Date.now() > until) {
				return done(new Error('still ' + JSON.stringify(st.moveStatus) + ' after ' + (args.ms || 20000) + ' ms'));
			}
			setTimeout(poll, 50);
		});
		poll();
	};
	const next = () => {
		if (busy || queue.length === 0) {
			return;
		}
		busy = true;
		const { op, args = {} } = queue.shift();
		try {
			if (op === 'waitIdle') {
				return waitIdle(args, (err, st) => reply(op, err, st));
			}
			if (op === 'sleep') {
				return setTimeout(() => reply(op, null, null), args.ms);
			}
			if (typeof cam[op] !== 'function') {
				return reply(op, new Error('no such operation'));
			}
			cam[op](args, (err, result) => reply(op, err, result));
		} catch (e) {
			reply(op, e);
		}
	};
	rl.on('line', (line) => {
		if (line.trim() === '') {
			return;
		}
		try {
			queue.push(JSON.parse(line));
		} catch (e) {
			out({ error: 'bad command ' + line });
			return;
		}
		next();
	});
	rl.on('close', () => process.exit(0));
}
