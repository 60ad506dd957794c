package conn

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/freecam/freecam/internal/backoff"
)

const (
	connectTimeout = 10 * time.Second
	ackTimeout     = 30 * time.Second // a PUBACK/SUBACK that takes longer means a dead connection
	offlineTimeout = time.Second      // the clean "offline" at shutdown
	quiesceMillis  = 250
	inboxQueue     = 64
)

type inbound struct {
	topic   string
	payload []byte
}

// Run connects, keeps the connection (reconnecting with a jittered backoff between MinBackoff and
// MaxBackoff), delivers the spool and serves the subscriptions until ctx ends; then it publishes
// Will's payload on Will.Topic (retained: a clean "offline") and disconnects within about 2 s,
// and returns nil. It returns an error only when called twice.
func (c *Conn) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("conn: Run called twice")
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	inbox := make(chan inbound, inboxQueue)
	wg.Go(func() { c.dispatch(ctx, inbox) })

	bo := backoff.Backoff{Initial: c.o.MinBackoff, Max: c.o.MaxBackoff, ResetAfter: 30 * time.Second}
	var warned, authLogged bool // this outage's failure was logged
	for ctx.Err() == nil {
		client, lost, err := c.connect(ctx, inbox)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			c.logFailure(err, &warned, &authLogged)
			if !backoff.Sleep(ctx, c.delay(&bo, 0)) {
				break
			}
			continue
		}
		warned, authLogged = false, false
		c.log.Info("connected", "client_id", c.clientID)
		start := time.Now()
		err = c.session(ctx, client, lost)
		if ctx.Err() != nil {
			break
		}
		c.log.Warn("connection lost; reconnecting", "err", err)
		warned = true
		if !backoff.Sleep(ctx, c.delay(&bo, time.Since(start))) {
			break
		}
	}
	return nil
}

// delay is the next reconnect delay, never above MaxBackoff.
func (c *Conn) delay(bo *backoff.Backoff, ran time.Duration) time.Duration {
	return min(bo.Next(ran), c.o.MaxBackoff)
}

// logFailure logs a failed connect once per outage: refused credentials as one Error naming the
// broker and the user, anything else as one Warn.
func (c *Conn) logFailure(err error, warned, authLogged *bool) {
	if errors.Is(err, packets.ErrorRefusedBadUsernameOrPassword) || errors.Is(err, packets.ErrorRefusedNotAuthorised) {
		if !*authLogged {
			*authLogged = true
			c.log.Error("broker refused the credentials: check USER and PASS in mqtt.conf; retrying with backoff",
				"user", c.o.Config.User, "err", err)
		}
		return
	}
	if !*warned {
		*warned = true
		c.log.Warn("cannot connect; retrying with backoff", "err", err)
	}
}

// dispatch calls OnMessage for each inbound message, in order, on this one goroutine.
func (c *Conn) dispatch(ctx context.Context, inbox <-chan inbound) {
	for {
		select {
		case m := <-inbox:
			if c.o.OnMessage != nil {
				c.o.OnMessage(m.topic, m.payload)
			}
		case <-ctx.Done():
			return
		}
	}
}

// connect makes one connection attempt. Cancelling ctx aborts it (the socket is closed).
func (c *Conn) connect(ctx context.Context, inbox chan<- inbound) (paho.Client, chan error, error) {
	lost := make(chan error, 1)
	var mu sync.Mutex
	var stopAbort func() bool
	dial := func(u *url.URL, _ paho.ClientOptions) (net.Conn, error) {
		d := &net.Dialer{Timeout: connectTimeout}
		var nc net.Conn
		var err error
		if c.tls != nil {
			td := &tls.Dialer{NetDialer: d, Config: c.tls.Clone()}
			nc, err = td.DialContext(ctx, "tcp", u.Host)
		} else {
			nc, err = d.DialContext(ctx, "tcp", u.Host)
		}
		if err != nil {
			return nil, err
		}
		mu.Lock()
		stopAbort = context.AfterFunc(ctx, func() { nc.Close() })
		mu.Unlock()
		return nc, nil
	}
	o := paho.NewClientOptions().
		AddBroker(c.server).
		SetClientID(c.clientID).
		SetCleanSession(true).
		SetAutoReconnect(false).
		SetConnectRetry(false).
		SetConnectTimeout(connectTimeout).
		SetWriteTimeout(connectTimeout).
		SetKeepAlive(30 * time.Second).
		SetPingTimeout(10 * time.Second).
		SetOrderMatters(true).
		SetCustomOpenConnectionFn(dial).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			select {
			case lost <- err:
			default:
			}
		}).
		SetDefaultPublishHandler(func(_ paho.Client, m paho.Message) {
			select {
			case inbox <- inbound{topic: m.Topic(), payload: m.Payload()}:
			case <-ctx.Done():
			}
		})
	if c.o.Config.Protocol == "mqttv31" {
		o.SetProtocolVersion(3)
	} else {
		o.SetProtocolVersion(4)
	}
	if c.o.Config.User != "" {
		o.SetUsername(c.o.Config.User).SetPassword(string(c.o.Config.Pass))
	}
	if w := c.o.Will; w.Topic != "" {
		o.SetBinaryWill(w.Topic, w.Payload, w.QoS, w.Retain)
	}
	client := paho.NewClient(o)
	tok := client.Connect()
	tok.Wait() // bounded: the dial by ctx and connectTimeout, the handshake by paho's deadline
	mu.Lock()
	if stopAbort != nil {
		stopAbort()
	}
	mu.Unlock()
	if err := tok.Error(); err != nil {
		return nil, nil, err
	}
	if ctx.Err() != nil {
		client.Disconnect(0)
		return nil, nil, ctx.Err()
	}
	return client, lost, nil
}

// session serves one connection until it is lost (returning why) or ctx ends (publishing the
// clean offline and disconnecting).
func (c *Conn) session(ctx context.Context, client paho.Client, lost chan error) error {
	sctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		c.connected.Store(false)
		cancel()
		wg.Wait()
		c.dropQueued()
	}()
	fail := func(err error) error {
		client.Disconnect(0)
		return err
	}
	if on := c.o.Online; on.Topic != "" {
		if err := wait(sctx, client.Publish(on.Topic, on.QoS, true, on.Payload), ackTimeout); err != nil {
			return fail(fmt.Errorf("publish %s: %w", on.Topic, err))
		}
	}
	if len(c.o.Subscriptions) > 0 {
		filters := make(map[string]byte, len(c.o.Subscriptions))
		for _, f := range c.o.Subscriptions {
			filters[f] = 1
		}
		tok := client.SubscribeMultiple(filters, nil)
		if err := wait(sctx, tok, ackTimeout); err != nil {
			return fail(fmt.Errorf("subscribe: %w", err))
		}
		for f, code := range tok.(*paho.SubscribeToken).Result() {
			if code == 0x80 {
				c.log.Error("broker refused a subscription (check its ACL)", "topic", f)
			}
		}
	}
	c.connected.Store(true)
	wg.Go(func() { c.sendDurable(sctx, client, lost) })
	wg.Go(func() { c.sendBest(sctx, client) })
	if c.o.OnConnect != nil {
		c.o.OnConnect()
	}
	select {
	case err := <-lost:
		return fail(err)
	case <-ctx.Done():
	}
	// Clean shutdown: stop the senders, say offline, leave.
	c.connected.Store(false)
	cancel()
	wg.Wait()
	if w := c.o.Will; w.Topic != "" {
		tok := client.Publish(w.Topic, w.QoS, true, w.Payload)
		if !tok.WaitTimeout(offlineTimeout) || tok.Error() != nil {
			c.log.Warn("could not publish offline before disconnecting", "err", tok.Error())
		}
	}
	client.Disconnect(quiesceMillis)
	c.log.Info("disconnected")
	return nil
}

// sendDurable delivers the spool in order, one message at a time, removing each after its PUBACK.
// On a failure it reports the connection lost (the next connect resumes).
func (c *Conn) sendDurable(ctx context.Context, client paho.Client, lost chan<- error) {
	for {
		seq, m, ok := c.spool.oldest()
		if !ok {
			select {
			case <-c.kick:
				continue
			case <-ctx.Done():
				return
			}
		}
		if err := wait(ctx, client.Publish(m.Topic, m.QoS, m.Retain, m.Payload), ackTimeout); err != nil {
			if ctx.Err() == nil {
				select {
				case lost <- fmt.Errorf("durable publish %s: %w", m.Topic, err):
				default:
				}
			}
			return
		}
		c.spool.remove(seq)
	}
}

// sendBest publishes best-effort messages while the connection lasts.
func (c *Conn) sendBest(ctx context.Context, client paho.Client) {
	for {
		select {
		case m := <-c.best:
			if err := wait(ctx, client.Publish(m.Topic, m.QoS, m.Retain, m.Payload), ackTimeout); err != nil {
				c.dropped.Add(1)
			}
		case <-ctx.Done():
			return
		}
	}
}

// dropQueued empties the best-effort queue after a connection ended: states are re-published by
// OnConnect.
func (c *Conn) dropQueued() {
	for {
		select {
		case <-c.best:
			c.dropped.Add(1)
		default:
			return
		}
	}
}

// wait waits for tok, ctx or timeout.
func wait(ctx context.Context, tok paho.Token, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-tok.Done():
		return tok.Error()
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("no acknowledgement within %v", timeout)
	}
}
