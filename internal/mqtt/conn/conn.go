// Package conn is freecam's one connection to the MQTT broker: it connects with the options of
// mqtt.conf (credentials, TLS, protocol, client id), reconnects with a jittered backoff of its own,
// announces availability (a retained "online" and a last will), restores subscriptions, and
// delivers events through a durable on-disk queue that survives broker outages and freecam
// restarts. It knows nothing of topics' meaning: internal/mqtt builds status, commands and
// discovery on top of it.
package conn

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/freecam/freecam/internal/conf"
)

// Message is one MQTT message to publish.
type Message struct {
	Topic   string
	Payload []byte
	QoS     byte
	Retain  bool
}

// Options configure a Conn. Only SpoolDir is required.
type Options struct {
	// Config is mqtt.conf: broker, credentials, TLS options, Protocol and ClientID.
	Config conf.MQTT
	// ClientID overrides Config.ClientID; default "freecam-" + Config.DeviceName.
	ClientID string
	// Will is the last will the broker publishes when freecam vanishes (availability "offline",
	// retained, QoS 1). Run also publishes it itself when it ends cleanly. No will when
	// Will.Topic is empty.
	Will Message
	// Online is published (retained, whatever Online.Retain says) right after every connect,
	// before OnConnect. Nothing when Online.Topic is empty.
	Online Message
	// Subscriptions are topic filters subscribed with QoS 1 on every connect.
	Subscriptions []string
	// OnMessage is called for each message on the subscriptions, on ONE goroutine, in arrival
	// order. It may block briefly (it holds back later messages meanwhile).
	OnMessage func(topic string, payload []byte)
	// OnConnect is called after every (re)connect once Online is published and the subscriptions
	// are in place, on the connection's goroutine; the caller re-publishes its states (Publish
	// does not block).
	OnConnect func()
	// SpoolDir is the durable queue's directory (required; created 0700).
	SpoolDir string
	// SpoolMax is how many messages the spool keeps; default 1000. When full, the oldest is
	// dropped (one warning per overflow).
	SpoolMax int
	// MinBackoff and MaxBackoff bound the reconnect delay (doubling, ±20 % jitter, never above
	// MaxBackoff); defaults 1 s and 60 s.
	MinBackoff, MaxBackoff time.Duration
	// Log receives connection state changes; default slog.Default().
	Log *slog.Logger
}

// Conn is a connection to the broker. Publish, PublishDurable and Connected are safe for
// concurrent use, also before and after Run; Run is called once.
type Conn struct {
	o        Options
	log      *slog.Logger
	clientID string
	server   string      // tcp://host:port or ssl://host:port, for paho and the logs
	tls      *tls.Config // nil without TLS

	spool *spool
	kick  chan struct{} // a durable message was spooled (capacity 1)
	best  chan Message  // best-effort messages waiting for the sender

	connected atomic.Bool
	running   atomic.Bool
	dropped   atomic.Uint64 // best-effort messages dropped
}

// bestQueue is how many best-effort messages may wait for the connection's sender.
const bestQueue = 256

// New validates o, opens (or creates) the spool and returns a Conn that does not connect until
// Run. Errors name what is wrong: a missing SpoolDir, an unreadable certificate file.
func New(o Options) (*Conn, error) {
	if o.SpoolDir == "" {
		return nil, errors.New("conn: SpoolDir is required (the durable queue's directory)")
	}
	if o.SpoolMax <= 0 {
		o.SpoolMax = 1000
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 60 * time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	c := &Conn{o: o, kick: make(chan struct{}, 1), best: make(chan Message, bestQueue)}
	c.clientID = o.ClientID
	if c.clientID == "" {
		c.clientID = o.Config.ClientID
	}
	if c.clientID == "" {
		c.clientID = "freecam-" + o.Config.DeviceName
	}
	scheme := "tcp"
	if o.Config.TLS() {
		scheme = "ssl"
		ts, err := loadTLS(o.Config)
		if err != nil {
			return nil, err
		}
		c.tls = ts
	}
	port := o.Config.Port
	if port == 0 {
		port = 1883
		if scheme == "ssl" {
			port = 8883
		}
	}
	c.server = fmt.Sprintf("%s://%s", scheme, hostPort(o.Config.Host, port))
	c.log = o.Log.With("broker", c.server) // the caller names the component
	sp, err := openSpool(o.SpoolDir, o.SpoolMax, c.log)
	if err != nil {
		return nil, err
	}
	c.spool = sp
	return c, nil
}

// Connected reports whether the broker connection is up (and its subscriptions in place).
func (c *Conn) Connected() bool { return c.connected.Load() }

// Publish sends m best effort (states): it never blocks; m is dropped when not connected or
// when the small send queue is full (the caller's OnConnect re-publishes states). m.Payload
// must not be changed afterwards.
func (c *Conn) Publish(m Message) {
	if !c.connected.Load() {
		c.dropped.Add(1)
		return
	}
	select {
	case c.best <- m:
	default:
		c.dropped.Add(1)
	}
}

// Dropped returns how many best-effort messages Publish dropped so far.
func (c *Conn) Dropped() uint64 { return c.dropped.Load() }

// PublishDurable writes m (events) to the spool, synced to disk, before returning. The spool is
// delivered in order with QoS 1 (m.QoS is raised to 1 if lower) and a message is removed only
// after the broker's PUBACK, so it survives broker outages and freecam restarts (at least once:
// a crash between PUBACK and removal re-sends it).
func (c *Conn) PublishDurable(m Message) error {
	if m.QoS < 1 {
		m.QoS = 1
	}
	if err := c.spool.put(m); err != nil {
		return err
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
	return nil
}

// Spooled returns how many durable messages wait for delivery.
func (c *Conn) Spooled() int { return c.spool.len() }

func hostPort(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }
