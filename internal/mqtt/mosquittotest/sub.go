package mosquittotest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Message is one message a Sub received.
type Message struct {
	Topic    string
	Payload  []byte
	Retained bool
}

func (m Message) String() string {
	return fmt.Sprintf("%s %q retained=%t", m.Topic, m.Payload, m.Retained)
}

// Sub is a second MQTT client in the test process (paho, QoS 1, so binary payloads survive) that
// records every message on its topics in arrival order, as Home Assistant would see them, and can
// publish commands. It reconnects by itself and re-subscribes; its session is persistent (clean
// session off), so with Options.Persistence messages queued while it was away survive a Restart.
// Safe for concurrent use.
type Sub struct {
	t      testing.TB
	client paho.Client

	mu      sync.Mutex
	msgs    []Message
	changed chan struct{} // closed and replaced on every new message
}

// Subscribe connects a subscriber to b's plain listener (user "" for anonymous) and subscribes
// to topics with QoS 1; it returns once the subscription is in place. The test's cleanup
// disconnects it.
func Subscribe(t testing.TB, b *Broker, user, pass string, topics ...string) *Sub {
	t.Helper()
	s := &Sub{t: t, changed: make(chan struct{})}
	filters := make(map[string]byte, len(topics))
	for _, tp := range topics {
		filters[tp] = 1
	}
	subscribed := make(chan error, 1)
	o := paho.NewClientOptions().
		AddBroker("tcp://" + b.Addr).
		SetClientID(fmt.Sprintf("mosquittotest-sub-%d", time.Now().UnixNano())).
		SetUsername(user).SetPassword(pass).
		SetCleanSession(false).
		SetOrderMatters(true).
		SetAutoReconnect(true).
		SetMaxReconnectInterval(200 * time.Millisecond).
		SetConnectTimeout(5 * time.Second).
		SetDefaultPublishHandler(s.record)
	o.SetOnConnectHandler(func(c paho.Client) {
		tok := c.SubscribeMultiple(filters, s.record)
		tok.Wait()
		select {
		case subscribed <- tok.Error():
		default:
		}
	})
	s.client = paho.NewClient(o)
	tok := s.client.Connect()
	if !tok.WaitTimeout(10 * time.Second) {
		t.Fatalf("mosquittotest: subscriber: connect to %s timed out", b.Addr)
	}
	if err := tok.Error(); err != nil {
		t.Fatalf("mosquittotest: subscriber: connect to %s: %v", b.Addr, err)
	}
	t.Cleanup(func() { s.client.Disconnect(250) })
	select {
	case err := <-subscribed:
		if err != nil {
			t.Fatalf("mosquittotest: subscribe %v: %v", topics, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("mosquittotest: subscribe %v timed out", topics)
	}
	return s
}

func (s *Sub) record(_ paho.Client, m paho.Message) {
	s.mu.Lock()
	s.msgs = append(s.msgs, Message{Topic: m.Topic(), Payload: slices.Clone(m.Payload()), Retained: m.Retained()})
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// All returns a copy of every message received so far, in arrival order.
func (s *Sub) All() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// Wait returns the first message received (since the start, not since the last Wait) for which
// pred is true, waiting up to timeout for it; the test fails when none comes.
func (s *Sub) Wait(t testing.TB, pred func(Message) bool, timeout time.Duration) Message {
	t.Helper()
	m, ok := s.WaitOK(pred, timeout)
	if !ok {
		t.Fatalf("mosquittotest: no matching message within %v; got %d messages:\n%v", timeout, len(s.All()), s.All())
	}
	return m
}

// WaitOK is Wait without failing the test: ok is false after timeout.
func (s *Sub) WaitOK(pred func(Message) bool, timeout time.Duration) (m Message, ok bool) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	seen := 0
	for {
		s.mu.Lock()
		msgs, changed := s.msgs[seen:], s.changed
		s.mu.Unlock()
		for _, m := range msgs {
			if pred(m) {
				return m, true
			}
		}
		seen += len(msgs)
		select {
		case <-changed:
		case <-timer.C:
			return Message{}, false
		}
	}
}

// Topic is a Wait predicate: a message on topic, with payload when payload is not nil.
func Topic(topic string, payload []byte) func(Message) bool {
	return func(m Message) bool {
		return m.Topic == topic && (payload == nil || string(m.Payload) == string(payload))
	}
}

// Publish sends a message with QoS 1 as Home Assistant would send a command, and waits for the
// broker's acknowledgement; the test fails when it cannot. Call it from the test's goroutine.
func (s *Sub) Publish(topic string, payload []byte, retain bool) {
	t := s.t
	t.Helper()
	tok := s.client.Publish(topic, 1, retain, payload)
	if !tok.WaitTimeout(10 * time.Second) {
		t.Fatalf("mosquittotest: publish %s timed out", topic)
	}
	if err := tok.Error(); err != nil {
		t.Fatalf("mosquittotest: publish %s: %v", topic, err)
	}
}
