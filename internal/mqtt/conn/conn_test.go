package conn

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/backoff"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/mqtt/mosquittotest"

	"github.com/freecam/freecam/internal/testutil"
)

var (
	avail   = "home/cam/availability"
	online  = Message{Topic: avail, Payload: []byte("online"), QoS: 1, Retain: true}
	offline = Message{Topic: avail, Payload: []byte("offline"), QoS: 1, Retain: true}
)

func TestOnlineRetainedAfterConnectAndOfflineAfterCleanStop(t *testing.T) {
	b := mosquittotest.Start(t, mosquittotest.Options{Users: map[string]string{"cam": "pw", "ha": "ha"}})
	sub := mosquittotest.Subscribe(t, b, "ha", "ha", "home/#")
	o := options(t, b, "cam", "pw")
	o.Will, o.Online = offline, online
	c := run(t, o)
	sub.Wait(t, mosquittotest.Topic(avail, []byte("online")), 5*time.Second)
	testutil.WaitWithin(t, 5*time.Second, "Connected", c.Connected)

	late := mosquittotest.Subscribe(t, b, "ha", "ha", avail)
	if m := late.Wait(t, mosquittotest.Topic(avail, nil), 5*time.Second); !m.Retained || string(m.Payload) != "online" {
		t.Errorf("got %v for a late subscriber, want the retained online", m)
	}

	c.Publish(Message{Topic: "home/cam/state", Payload: []byte{0, 0xff}})
	if m := sub.Wait(t, mosquittotest.Topic("home/cam/state", nil), 5*time.Second); string(m.Payload) != "\x00\xff" {
		t.Errorf("got payload %q, want the binary state", m.Payload)
	}

	if took := c.stop(); took > 2500*time.Millisecond {
		t.Errorf("got Run returning %v after cancel, want within about 2 s", took)
	}
	if c.Connected() {
		t.Errorf("got Connected after Run ended, want false")
	}
	after := mosquittotest.Subscribe(t, b, "ha", "ha", avail)
	if m := after.Wait(t, mosquittotest.Topic(avail, nil), 5*time.Second); !m.Retained || string(m.Payload) != "offline" {
		t.Errorf("got %v after a clean stop, want the retained offline", m)
	}
	if n := len(logLines(c.logs, "INFO")); n == 0 || !strings.Contains(c.logs.String(), `"msg":"connected"`) {
		t.Errorf("got no Info \"connected\" line in:\n%s", c.logs)
	}
}

func TestWillArrivesWhenTheConnectionDiesAndOnlineReturnsOnReconnect(t *testing.T) {
	b := mosquittotest.Start(t, mosquittotest.Options{})
	p := newProxy(t, b.Addr)
	sub := mosquittotest.Subscribe(t, b, "", "", avail)
	o := options(t, b, "", "")
	o.Config.Port = p.port()
	o.Will, o.Online = offline, online
	connects := make(chan struct{}, 10)
	o.OnConnect = func() { connects <- struct{}{} }
	c := run(t, o)
	<-connects
	sub.Wait(t, mosquittotest.Topic(avail, []byte("online")), 5*time.Second)

	p.cut() // a crash as the broker sees it: the socket dies without DISCONNECT
	sub.Wait(t, mosquittotest.Topic(avail, []byte("offline")), 5*time.Second)
	select {
	case <-connects:
	case <-time.After(5 * time.Second):
		t.Fatalf("got no reconnect within 5 s of the cut")
	}
	// The new "online" is published before OnConnect, but reaches the subscriber a moment later.
	deadline := time.Now().Add(5 * time.Second)
	for len(sub.All()) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var seq []string
	for _, m := range sub.All() {
		seq = append(seq, string(m.Payload))
	}
	if got, want := strings.Join(seq, ","), "online,offline,online"; got != want {
		t.Errorf("got availability %s, want %s", got, want)
	}
	if n := len(logLines(c.logs, "WARN")); n != 1 {
		t.Errorf("got %d Warn lines for one lost connection, want 1:\n%s", n, c.logs)
	}
}

func TestTLS(t *testing.T) {
	b := mosquittotest.Start(t, mosquittotest.Options{TLS: true})
	other, err := mosquittotest.NewCA(t.TempDir(), "other")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		caFile    string
		insecure  bool
		host      string
		connected bool
		logWant   string
	}{
		{name: "the broker's CA", caFile: b.CAFile, host: "127.0.0.1", connected: true},
		{name: "host name checked", caFile: b.CAFile, host: "localhost", connected: true},
		{name: "a wrong CA", caFile: other.File, host: "127.0.0.1", logWant: "certificate signed by unknown authority"},
		{name: "a wrong CA is refused even with --insecure", caFile: other.File, host: "127.0.0.1", insecure: true, logWant: "certificate signed by unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := options(t, b, "", "")
			o.Config.Host, o.Config.Port, o.Config.CAFile, o.Config.Insecure = tt.host, b.TLSPort, tt.caFile, tt.insecure
			c := run(t, o)
			if tt.connected {
				testutil.WaitWithin(t, 5*time.Second, "TLS connection", c.Connected)
				return
			}
			testutil.WaitWithin(t, 5*time.Second, "warning", func() bool { return len(logLines(c.logs, "WARN")) > 0 })
			if c.Connected() {
				t.Errorf("got connected, want refused")
			}
			if w := logLines(c.logs, "WARN")[0]; !strings.Contains(w, tt.logWant) || !strings.Contains(w, "ssl://") {
				t.Errorf("got warning %s, want it to name the broker and say %q", w, tt.logWant)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	ca, err := mosquittotest.NewCA(dir, "ca")
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no spool dir", Options{}, "SpoolDir is required"},
		{"a missing cafile", Options{SpoolDir: dir, Config: conf.MQTT{Host: "h", CAFile: missing}}, missing},
		{"a cafile without certificates", Options{SpoolDir: dir, Config: conf.MQTT{Host: "h", CAFile: junk}}, junk},
		{"a missing capath", Options{SpoolDir: dir, Config: conf.MQTT{Host: "h", CAPath: missing}}, missing},
		{"a missing client certificate", Options{SpoolDir: dir, Config: conf.MQTT{Host: "h", CAFile: ca.File, CertFile: missing, KeyFile: junk}}, missing},
		{"a bad client key", Options{SpoolDir: dir, Config: conf.MQTT{Host: "h", CAFile: ca.File, CertFile: ca.File, KeyFile: junk}}, junk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error naming %q", err, tt.want)
			}
		})
	}
}

func TestWrongPasswordLogsOnceAndBacksOff(t *testing.T) {
	b := mosquittotest.Start(t, mosquittotest.Options{Users: map[string]string{"cam": "right"}})
	p := newProxy(t, b.Addr)
	o := options(t, b, "cam", "wrong-secret")
	o.Config.Port = p.port()
	o.MinBackoff, o.MaxBackoff = 100*time.Millisecond, 0 // default cap
	c := run(t, o)
	const window = 3 * time.Second
	time.Sleep(window) // observing the retry rate over a window, not waiting for a goroutine
	n := p.accepted.Load()
	// 100 ms doubling (±20 %): attempts at about 0, 0.1, 0.3, 0.7, 1.5 and 3.1 s.
	if n < 2 || n > 8 { // the upper bound is the point (no busy loop); a loaded machine may manage fewer
		t.Errorf("got %d connection attempts in %v, want 2 to 8 (doubling backoff from 100 ms)", n, window)
	}
	errs := logLines(c.logs, "ERROR")
	if len(errs) != 1 {
		t.Fatalf("got %d Error lines, want exactly 1:\n%s", len(errs), c.logs)
	}
	for _, want := range []string{`"user":"cam"`, fmt.Sprintf("tcp://127.0.0.1:%d", p.port()), "not Authorized"} {
		if !strings.Contains(errs[0], want) {
			t.Errorf("got error line %s, want it to contain %s", errs[0], want)
		}
	}
	if strings.Contains(c.logs.String(), "wrong-secret") {
		t.Errorf("got the password in the log:\n%s", c.logs)
	}
	if c.Connected() {
		t.Errorf("got connected with a wrong password")
	}
}

func TestDefaultBackoffIsCappedAt60s(t *testing.T) {
	c, err := New(Options{SpoolDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if c.o.MinBackoff != time.Second || c.o.MaxBackoff != 60*time.Second {
		t.Fatalf("got backoff %v..%v, want 1s..1m0s", c.o.MinBackoff, c.o.MaxBackoff)
	}
	bo := backoff.Backoff{Initial: c.o.MinBackoff, Max: c.o.MaxBackoff}
	var last time.Duration
	for i := range 30 {
		d := c.delay(&bo, 0)
		if d > 60*time.Second {
			t.Fatalf("attempt %d: got delay %v, want at most 60s", i, d)
		}
		last = d
	}
	if last < 48*time.Second {
		t.Errorf("got delay %v after 30 failures, want near the 60s cap", last)
	}
}

func TestDurableMessagesSurviveABrokerOutage(t *testing.T) {
	b := mosquittotest.Start(t, mosquittotest.Options{Persistence: true})
	sub := mosquittotest.Subscribe(t, b, "", "", "home/cam/event")
	c := run(t, options(t, b, "", ""))
	testutil.WaitWithin(t, 5*time.Second, "connection", c.Connected)

	b.Stop()
	testutil.WaitWithin(t, 5*time.Second, "disconnect", func() bool { return !c.Connected() })
	for i := range 20 {
		if err := c.PublishDurable(Message{Topic: "home/cam/event", Payload: []byte(itoa(i))}); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Spooled(); n != 20 {
		t.Errorf("got %d spooled during the outage, want 20", n)
	}
	b.Restart()
	back := time.Now()
	testutil.WaitWithin(t, 5*time.Second, "reconnect after the broker's return", c.Connected)
	t.Logf("reconnected %v after the broker's return", time.Since(back).Round(time.Millisecond))
	sub.Wait(t, mosquittotest.Topic("home/cam/event", []byte("19")), 10*time.Second)
	testutil.WaitWithin(t, 5*time.Second, "empty spool", func() bool { return c.Spooled() == 0 })
	var got []string
	for _, m := range sub.All() {
		got = append(got, string(m.Payload))
	}
	want := make([]string, 20)
	for i := range want {
		want[i] = itoa(i)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v (in order, once each)", got, want)
	}
}

func TestDurableMessagesSurviveAFreecamRestart(t *testing.T) {
	b := mosquittotest.Start(t, mosquittotest.Options{})
	spool := t.TempDir()

	// The first freecam cannot reach a broker (nothing listens on its port) and is stopped.
	o := options(t, b, "", "")
	o.Config.Port = newProxy(t, "127.0.0.1:1").port() // accepts, then the far side refuses
	o.SpoolDir = spool
	first := run(t, o)
	for i := range 5 {
		if err := first.PublishDurable(Message{Topic: "home/cam/event", Payload: []byte(itoa(i)), Retain: i == 4}); err != nil {
			t.Fatal(err)
		}
	}
	first.stop()

	sub := mosquittotest.Subscribe(t, b, "", "", "home/cam/event")
	o = options(t, b, "", "")
	o.SpoolDir = spool
	second := run(t, o)
	if err := second.PublishDurable(Message{Topic: "home/cam/event", Payload: []byte("5")}); err != nil {
		t.Fatal(err)
	}
	sub.Wait(t, mosquittotest.Topic("home/cam/event", []byte("5")), 10*time.Second)
	var got []string
	for _, m := range sub.All() {
		got = append(got, string(m.Payload))
	}
	if g := strings.Join(got, ","); g != "0,1,2,3,4,5" {
		t.Errorf("got %s, want 0,1,2,3,4,5", g)
	}
	late := mosquittotest.Subscribe(t, b, "", "", "home/cam/event")
	if m := late.Wait(t, mosquittotest.Topic("home/cam/event", nil), 5*time.Second); !m.Retained || string(m.Payload) != "4" {
		t.Errorf("got %v, want message 4 retained as spooled", m)
	}
}

func TestSpoolMaxDropsTheOldestWithOneWarning(t *testing.T) {
	b := mosquittotest.Start(t, mosquittotest.Options{})
	sub := mosquittotest.Subscribe(t, b, "", "", "home/cam/event")
	o := options(t, b, "", "")
	o.SpoolMax = 5
	o.Config.Port = newProxy(t, "127.0.0.1:1").port()
	spool := o.SpoolDir
	offline := run(t, o)
	for i := range 8 {
		if err := offline.PublishDurable(Message{Topic: "home/cam/event", Payload: []byte(itoa(i))}); err != nil {
			t.Fatal(err)
		}
	}
	if n := offline.Spooled(); n != 5 {
		t.Errorf("got %d spooled, want SpoolMax 5", n)
	}
	offline.stop()
	var full int
	for _, l := range logLines(offline.logs, "WARN") {
		if strings.Contains(l, "queue full") {
			full++
		}
	}
	if full != 1 {
		t.Errorf("got %d queue-full warnings for 3 drops, want 1:\n%s", full, offline.logs)
	}

	o = options(t, b, "", "")
	o.SpoolDir, o.SpoolMax = spool, 5
	run(t, o)
	sub.Wait(t, mosquittotest.Topic("home/cam/event", []byte("7")), 10*time.Second)
	var got []string
	for _, m := range sub.All() {
		got = append(got, string(m.Payload))
	}
	if g := strings.Join(got, ","); g != "3,4,5,6,7" {
		t.Errorf("got %s, want the newest five 3,4,5,6,7", g)
	}
}

func TestSubscriptionsAreRestoredAfterABrokerRestart(t *testing.T) {
	b := mosquittotest.Start(t, mosquittotest.Options{})
	o := options(t, b, "", "")
	o.Subscriptions = []string{"home/cam/+/set"}
	got := make(chan string, 100)
	o.OnMessage = func(topic string, payload []byte) { got <- topic + "=" + string(payload) }
	connects := make(chan struct{}, 10)
	o.OnConnect = func() { connects <- struct{}{} }
	run(t, o)
	<-connects

	b.Restart()
	select {
	case <-connects:
	case <-time.After(5 * time.Second):
		t.Fatalf("got no reconnect within 5 s of the broker's return")
	}
	ha := mosquittotest.Subscribe(t, b, "", "", "unrelated")
	for i := range 10 {
		ha.Publish("home/cam/led/set", []byte(itoa(i)), false)
	}
	ha.Publish("home/other/set", []byte("x"), false) // not subscribed
	for i := range 10 {
		select {
		case m := <-got:
			if want := "home/cam/led/set=" + itoa(i); m != want {
				t.Fatalf("got command %s, want %s (in order)", m, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("got no command %d within 5 s of publishing it", i)
		}
	}
}

func TestPublishNeverBlocksWhenDisconnected(t *testing.T) {
	c, err := New(Options{SpoolDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for range 10000 {
		c.Publish(Message{Topic: "t", Payload: []byte("x")})
	}
	if got := c.Dropped(); got != 10000 {
		t.Errorf("got %d dropped, want 10000", got)
	}
}
