package events

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/testutil"
)

// npmRequests are the exact bodies the npm onvif client 0.8.3 sends (lib/events.js), with the
// WS-Security header left out (the dispatcher checks it before the service is called).
func npmRequests(addr string) map[string]string {
	head := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header>`
	body := `<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">`
	foot := `</s:Body></s:Envelope>`
	to := `<a:To>` + addr + `</a:To></s:Header>`
	return map[string]string{
		"GetEventProperties":     head + `</s:Header>` + body + `<GetEventProperties xmlns="http://www.onvif.org/ver10/events/wsdl"/>` + foot,
		"GetServiceCapabilities": head + `</s:Header>` + body + `<GetServiceCapabilities xmlns="http://www.onvif.org/ver10/events/wsdl"/>` + foot,
		"CreatePullPointSubscription": head + `</s:Header>` + body + `<CreatePullPointSubscription xmlns="http://www.onvif.org/ver10/events/wsdl">` +
			`<InitialTerminationTime>PT2M</InitialTerminationTime></CreatePullPointSubscription>` + foot,
		"PullMessages": head + to + body + `<PullMessages xmlns="http://www.onvif.org/ver10/events/wsdl"><Timeout>PT1M</Timeout>` +
			`<MessageLimit>10</MessageLimit></PullMessages>` + foot,
		"Renew":       head + to + body + `<Renew xmlns="http://docs.oasis-open.org/wsn/b-2"><TerminationTime>PT2M</TerminationTime></Renew>` + foot,
		"Unsubscribe": head + to + body + `<Unsubscribe xmlns="http://docs.oasis-open.org/wsn/b-2"/>` + foot,
	}
}

// TestNPMRequestBodies replays the npm client's requests and checks the fields it reads.
func TestNPMRequestBodies(t *testing.T) {
	b := New(Options{})
	defer b.Close()
	srv := newServer(t, b)
	req := npmRequests("")
	cr := post(t, nil, srv.URL+DefaultPath, req["CreatePullPointSubscription"])
	if cr.Body.Create == nil || cr.Body.Create.Address == "" {
		t.Fatalf("CreatePullPointSubscription: got %s", cr.Raw)
	}
	// _terminationTime needs both times in the form its dateRE turns into a Date.
	for _, v := range []string{cr.Body.Create.CurrentTime, cr.Body.Create.TerminationTime} {
		if _, err := time.Parse("2006-01-02T15:04:05Z", v); err != nil {
			t.Errorf("got time %q, want YYYY-MM-DDThh:mm:ssZ", v)
		}
	}
	addr := cr.Body.Create.Address
	req = npmRequests(addr)
	r := post(t, nil, addr, req["PullMessages"])
	if r.Body.Pull == nil || len(r.Body.Pull.Messages) != 2 || r.Body.Pull.CurrentTime == "" || r.Body.Pull.TerminationTime == "" {
		t.Fatalf("PullMessages: got %s, want CurrentTime, TerminationTime and 2 messages", r.Raw)
	}
	rr := post(t, nil, addr, req["Renew"])
	if rr.Body.Renew == nil || rr.Body.Renew.CurrentTime == "" || rr.Body.Renew.TerminationTime == "" {
		t.Fatalf("Renew: got %s", rr.Raw)
	}
	if ur := post(t, nil, addr, req["Unsubscribe"]); ur.Body.Unsubscribe == nil {
		t.Fatalf("Unsubscribe: got %s", ur.Raw)
	}
	if c := post(t, nil, srv.URL+DefaultPath, req["GetServiceCapabilities"]); c.Body.Caps == nil || c.Body.Caps.Capabilities.WSPullPointSupport != "true" {
		t.Fatalf("GetServiceCapabilities: got %s", c.Raw)
	}
	if p := post(t, nil, srv.URL+DefaultPath, req["GetEventProperties"]); !strings.Contains(p.Raw, "<wstop:TopicSet>") {
		t.Fatalf("GetEventProperties: got %s", p.Raw)
	}
}

// TestNPMClient runs the npm onvif client itself against the broker: its event loop must emit
// the Initialized state, then the change SetMotion publishes, then renew and unsubscribe.
func TestNPMClient(t *testing.T) {
	node, modules := testutil.OnvifClient(t)
	b := New(Options{})
	defer b.Close()
	srv := newServer(t, b)

	cmd := exec.Command(node, "testdata/npm_events.js", srv.URL)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)

	type event struct {
		Topic, Dialect, Op, UTC string
		Data                    struct {
			Name  string
			Value any // linerase turns "true" into true
		}
	}
	type line struct {
		Error, EventsError string
		Props              *struct {
			Fixed  bool
			Topics []string
		}
		Caps  map[string]any
		Event *event
	}
	lines := make(chan line)
	defer func() {
		cmd.Process.Kill() //nolint:errcheck // it may have exited
		for range lines {  // unblock the reader
		}
		<-done
	}()
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var l line
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				l.Error = "unparsable line " + sc.Text()
			}
			lines <- l
		}
		done <- cmd.Wait()
	}()
	next := func() line {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the npm client exited early")
			}
			if l.Error != "" || l.EventsError != "" {
				t.Fatalf("npm client: %s%s", l.Error, l.EventsError)
			}
			return l
		case <-time.After(20 * time.Second):
			t.Fatal("timed out waiting for the npm client")
		}
		return line{}
	}

	if l := next(); l.Props == nil || !l.Props.Fixed || strings.Join(l.Props.Topics, ",") != "videoSource,ruleEngine" {
		t.Fatalf("GetEventProperties as npm reads it: got %+v, want fixed topics videoSource,ruleEngine (lower-camel-cased by the client)", l.Props)
	}
	if l := next(); l.Caps["WSPullPointSupport"] != true || l.Caps["MaxPullPoints"] != float64(DefaultMaxSubscriptions-DefaultMaxPushSubscriptions) ||
		l.Caps["MaxNotificationProducers"] != float64(DefaultMaxPushSubscriptions) {
		t.Fatalf("GetServiceCapabilities as npm reads it: got %v", l.Caps)
	}
	wantEvents := func(op, value string) {
		t.Helper()
		for i, topic := range []string{TopicMotionAlarm, TopicCellMotion} {
			e := next().Event
			if e == nil || e.Topic != topic || e.Op != op || fmt.Sprint(e.Data.Value) != value || e.Dialect != dialectConcreteSet {
				t.Fatalf("event %d: got %+v, want %s %s %s", i, e, topic, op, value)
			}
		}
	}
	wantEvents("Initialized", "false")
	testutil.WaitFor(t, "the npm client's long poll", func() bool { return b.waitingPulls() == 1 })
	b.SetMotion(true, time.Now())
	wantEvents("Changed", "true")
	// With its listener gone, the client renews, then unsubscribes.
	testutil.WaitFor(t, "the npm client to unsubscribe", func() bool { return b.Subscriptions() == 0 })
}
