// Drives freecam's event service with the npm onvif client (0.8.3): GetEventProperties,
// GetServiceCapabilities, then its own 'event' loop (CreatePullPointSubscription, PullMessages,
// Renew, and Unsubscribe once the listener is removed). Prints one JSON object per line.
// Usage: node npm_events.js http://127.0.0.1:PORT  (NODE_PATH must find 'onvif')
'use strict';
const url = require('url');
const Cam = require('onvif').Cam;

const base = url.parse(process.argv[2]);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const cam = new Cam({hostname: base.hostname, port: Number(base.port), autoconnect: false, timeout: 10000});
cam.uri = {events: url.parse(process.argv[2] + '/onvif/events_service')};
cam.on('eventsError', (e) => out({eventsError: String(e)}));

cam.getEventProperties((err, props) => {
	if (err) {
		out({error: 'GetEventProperties: ' + err});
		process.exit(1);
	}
	out({props: {fixed: props.fixedTopicSet, topics: Object.keys(props.topicSet)}});
	cam.getEventServiceCapabilities((err, caps) => {
		if (err) {
			out({error: 'GetServiceCapabilities: ' + err});
			process.exit(1);
		}
		out({caps: caps});
		let n = 0;
		cam.on('event', (msg) => {
			const m = msg.message.message;
			out({event: {
				topic: msg.topic._, dialect: msg.topic.$.Dialect, op: m.$.PropertyOperation,
				utc: m.$.UtcTime, source: m.source.simpleItem, data: m.data.simpleItem.$,
			}, terminationTime: cam.events.terminationTime && cam.events.terminationTime.getTime()});
			if (++n === 4) {
				cam.removeAllListeners('event'); // the loop renews, then unsubscribes
			}
		});
	});
});
