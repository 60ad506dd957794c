package mqtt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/mqtt/conn"
)

// Options configure a Bridge. Config and Camera are required.
type Options struct {
	// Config is mqtt.conf (the broker, TOPIC, LOCATION, the discovery prefix …).
	Config conf.MQTT
	// Camera is the running camera the bridge reports on and controls.
	Camera camera.Camera
	// Bus delivers night, motion, service, hardware and reload events; nil means none (states are
	// then published on connect, on commands and every StatusInterval only).
	Bus *event.Bus
	// Version is freecam's version (sw_version, the status JSON); "" means Camera.Status().Version.
	Version string
	// WebURL is the web UI's address for Home Assistant's device page (configuration_url), such as
	// https://192.168.1.50:8443; "" leaves it out.
	WebURL string
	// SpoolDir keeps motion events on disk while the broker is away, across restarts
	// (required: conn.Options.SpoolDir).
	SpoolDir string
	// Log receives connection trouble and failed commands; nil discards.
	Log *slog.Logger
	// MinBackoff is the first reconnect delay (tests shorten it); 0 means conn's default.
	MinBackoff time.Duration
}

// Timeouts of the camera calls a command or an event makes.
const (
	switchTimeout    = 10 * time.Second // LEDs, IR cut (a 1 s pulse), night mode, services, config
	motorTimeout     = 30 * time.Second // the longest move is about 2600 steps × 1.3 ms
	calibrateTimeout = 60 * time.Second
	snapshotTimeout  = 5 * time.Second
	maxBackoff       = 4 * time.Second // the longest reconnect delay
)

// publisher is what the bridge needs of a broker connection (a *conn.Conn; a recorder in fuzz
// tests).
type publisher interface {
	Publish(m conn.Message)
	PublishDurable(m conn.Message) error
}

// Bridge connects one camera to an MQTT broker. Create it with New and call Run once.
type Bridge struct {
	opts     Options
	log      *slog.Logger
	t        topics
	id       string // device id: the MAC without colons, or a hash of the config dir
	node     string // discovery node id
	commands map[string]command
	cgi      map[string]cgiCommand

	// announceJitter is the largest random delay before re-announcing on Home Assistant's birth
	// message (3 s; tests shorten it).
	announceJitter time.Duration
	announceReq    chan struct{} // a birth message arrived (cap 1)
	connected      chan struct{} // the connection (re)started (cap 1)
	running        atomic.Bool

	pub  publisher                 // set by Run before the connection starts
	conn atomic.Pointer[conn.Conn] // the same, for tests and diagnostics

	stateMu sync.Mutex
	last    map[string]string // state topic (relative) → payload published on this connection
}

// New checks opts and returns a bridge. It refuses a configuration without a broker.
func New(opts Options) (*Bridge, error) {
	if !opts.Config.Configured() {
		return nil, errors.New("mqtt: no broker configured: set HOST in mqtt.conf (it is still the placeholder mqtt-host)")
	}
	if opts.Camera == nil {
		return nil, errors.New("mqtt: no camera")
	}
	if opts.SpoolDir == "" {
		return nil, errors.New("mqtt: no spool dir for motion events")
	}
	if opts.Config.Topic == "" {
		return nil, errors.New("mqtt: empty TOPIC in mqtt.conf")
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bridge{
		opts:           opts,
		log:            log.With("component", "mqtt"),
		t:              topics{base: opts.Config.Topic, location: opts.Config.Location + "/set"},
		announceJitter: 3 * time.Second,
		announceReq:    make(chan struct{}, 1),
		connected:      make(chan struct{}, 1),
		last:           make(map[string]string),
	}
	if p := opts.Config.DiscoveryPrefix; p != "" {
		b.t.birth = p + "/status"
	}
	b.id = deviceID(opts.Camera.Status().MAC, opts.Camera.ConfigDir())
	b.node = nodeID(opts.Config.DeviceName, b.id)
	b.commands = b.commandTable()
	b.cgi = cgiCommands()
	return b, nil
}

// Run connects to the broker and serves until ctx ends: it announces the camera on every
// connect, publishes states on events and every StatusInterval, and answers commands. It
// returns nil when ctx ends (after the connection has published offline), or the connection's
// error. Run may be called only once.
func (b *Bridge) Run(ctx context.Context) error {
	if !b.running.CompareAndSwap(false, true) {
		return errors.New("mqtt: Run called twice")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cfg := b.opts.Config
	clientID := cfg.ClientID
	if clientID == "" {
		clientID = "freecam-" + cfg.DeviceName
	}
	subs := []string{b.t.base + "/#", b.t.location}
	if b.t.birth != "" {
		subs = append(subs, b.t.birth)
	}
	avail := b.t.abs(topicAvail)
	c, err := conn.New(conn.Options{
		Config:        cfg,
		ClientID:      clientID,
		Will:          conn.Message{Topic: avail, Payload: []byte("offline"), QoS: 1, Retain: true},
		Online:        conn.Message{Topic: avail, Payload: []byte("online"), QoS: 1, Retain: true},
		Subscriptions: subs,
		OnMessage:     func(topic string, payload []byte) { b.handle(ctx, topic, payload) },
		OnConnect:     func() { signal(b.connected) },
		SpoolDir:      b.opts.SpoolDir,
		MinBackoff:    b.opts.MinBackoff,
		// A camera on a LAN can afford a connect attempt every few seconds: the bridge is back
		// within 5 s of the broker's return however long it was away.
		MaxBackoff: maxBackoff,
		Log:        b.log,
	})
	if err != nil {
		return fmt.Errorf("mqtt: %w", err)
	}
	b.pub = c
	b.conn.Store(c)

	var events <-chan event.Event
	if b.opts.Bus != nil {
		sub := b.opts.Bus.Subscribe("mqtt", 256, event.NightOn, event.NightOff, event.MotionStart, event.MotionEnd,
			event.ServiceState, event.Hardware, event.ConfigReloaded, event.MotionClip)
		defer sub.Close()
		events = sub.C()
	}

	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()

	interval := cfg.StatusInterval
	if interval <= 0 {
		interval = 30 * time.Second
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	// The update entity's progress: an install started anywhere shows in Home Assistant within
	// a second (publishUpdate sends only changes).
	updateTick := time.NewTicker(time.Second)
	defer updateTick.Stop()
	jitter := time.NewTimer(time.Hour)
	jitter.Stop()
	defer jitter.Stop()

	for {
		select {
		case <-ctx.Done():
			err := <-done
			if err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("mqtt: %w", err)
			}
			return nil
		case err := <-done:
			if err == nil || errors.Is(err, context.Canceled) {
				return nil
			}
			return fmt.Errorf("mqtt: %w", err)
		case <-b.connected:
			b.resetStates()
			b.announce(ctx)
		case <-b.announceReq:
			// Home Assistant restarted: wait a random while so that many devices do not answer
			// its birth message at once, as its docs ask.
			d := time.Duration(0)
			if b.announceJitter > 0 {
				d = rand.N(b.announceJitter)
			}
			jitter.Reset(d)
		case <-jitter.C:
			b.announce(ctx)
		case ev := <-events:
			b.event(ctx, ev)
		case <-updateTick.C:
			b.publishUpdate()
		case <-tick.C:
			b.publishStates(true)
			b.publishJPEG(ctx, topicImage, false)
		}
	}
}

// announce publishes the discovery configs, every state and a picture for the camera entity.
func (b *Bridge) announce(ctx context.Context) {
	b.publishDiscovery()
	b.publishStates(true)
	b.publishJPEG(ctx, topicImage, false)
}

// event publishes what a bus event changed.
func (b *Bridge) event(ctx context.Context, ev event.Event) {
	switch ev.Kind {
	case event.MotionStart, event.MotionEnd:
		b.motion(ctx, ev.Kind == event.MotionStart)
	case event.MotionClip:
		b.motionVideo(ev.Path)
		return
	}
	b.publishStates(false)
}

// motion reports a motion event on <TOPIC>/motion (ON/OFF) and, with publish_mqtt_snapshot, the
// picture on <TOPIC>/motion/snapshot/image. Both are durable: spooled while the broker is away.
func (b *Bridge) motion(ctx context.Context, start bool) {
	m := conn.Message{Topic: b.t.abs(topicMotion), Payload: []byte(onOff(start)), QoS: 1, Retain: true}
	if err := b.pub.PublishDurable(m); err != nil {
		b.log.Warn("motion event lost", "topic", m.Topic, "err", err)
	}
	if start && b.opts.Camera.Config().Motion.Actions.MQTTSnapshot {
		b.publishJPEG(ctx, topicMotionImage, true)
	}
}

// maxVideoMessage bounds the clip sent on <TOPIC>/motion/video: brokers refuse large messages
// (mosquitto's default limit is 256 MB, many are set far lower) and the camera has little memory.
const maxVideoMessage = 16 << 20

// motionVideo publishes a motion clip on <TOPIC>/motion/video (publish_mqtt_video), durable, and
// removes the file, which the motion actions left for it.
func (b *Bridge) motionVideo(path string) {
	defer os.Remove(path)
	if !b.opts.Camera.Config().Motion.Actions.MQTTVideo {
		return
	}
	data, err := os.ReadFile(path)
	if err != nil || len(data) > maxVideoMessage {
		b.log.Warn("motion video not published", "path", path, "bytes", len(data), "err", err)
		return
	}
	m := conn.Message{Topic: b.t.abs(topicMotionVideo), Payload: data, QoS: 1}
	if err := b.pub.PublishDurable(m); err != nil {
		b.log.Warn("motion video lost", "topic", m.Topic, "err", err)
	}
}

// publishJPEG publishes the current picture on the relative topic rel, not retained: durable
// (QoS 1, spooled) or best effort with the configured QoS.
func (b *Bridge) publishJPEG(ctx context.Context, rel string, durable bool) error {
	ctx, cancel := context.WithTimeout(ctx, snapshotTimeout)
	defer cancel()
	jpg, err := b.opts.Camera.SnapshotJPEG(ctx)
	if err != nil {
		err = fmt.Errorf("snapshot: %w", err)
		b.log.Debug("no picture to publish", "topic", rel, "err", err)
		return err
	}
	m := conn.Message{Topic: b.t.abs(rel), Payload: jpg, QoS: b.qos()}
	if durable {
		m.QoS = 1
		if err := b.pub.PublishDurable(m); err != nil {
			b.log.Warn("motion snapshot lost", "topic", m.Topic, "err", err)
			return err
		}
		return nil
	}
	b.pub.Publish(m)
	return nil
}

// qos is the QoS of state messages (mqtt.conf -q).
func (b *Bridge) qos() byte { return byte(min(max(b.opts.Config.QoS, 0), 2)) }

// version is the version reported to Home Assistant and in the status.
func (b *Bridge) version() string {
	if b.opts.Version != "" {
		return b.opts.Version
	}
	return b.opts.Camera.Status().Version
}

// signal sends on a channel of capacity 1 without blocking (a pending signal is enough).
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
