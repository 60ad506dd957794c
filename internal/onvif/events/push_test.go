package events

import (
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/freecam/freecam/internal/onvif/soap"

	"github.com/freecam/freecam/internal/testutil"
)

// pushed is one Notify as a consumer received it.
type pushed struct {
	ContentType, Authorization, Cookie string
	Action                             string
	Messages                           []pushedIn
}

type pushedIn struct {
	SubscriptionReference string `xml:"SubscriptionReference>Address"`
	notificationIn
}

type notifyEnvelope struct {
	XMLName xml.Name
	Header  struct {
		Action string `xml:"Action"`
	} `xml:"Header"`
	Notify *struct {
		XMLName  xml.Name
		Messages []pushedIn `xml:"NotificationMessage"`
	} `xml:"Body>Notify"`
}

// hook is a real HTTP push consumer that records every Notify it accepts. status, when set,
// chooses the answer to the nth request (from 1); nil answers 204.
type hook struct {
	srv    *httptest.Server
	got    chan pushed
	hits   atomic.Int64
	status func(n int64, w http.ResponseWriter) int
	errs   chan error
}

func newHook(t testing.TB, status func(n int64, w http.ResponseWriter) int) *hook {
	h := &hook{got: make(chan pushed, 256), status: status, errs: make(chan error, 16)}
	h.srv = httptest.NewServer(h)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := h.hits.Add(1)
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	code := http.StatusNoContent
	if h.status != nil {
		code = h.status(n, w)
	}
	w.WriteHeader(code)
	if code/100 != 2 {
		return
	}
	var env notifyEnvelope
	if err := xml.Unmarshal(raw, &env); err != nil || env.XMLName.Space != soap.NSSoap12 || env.Notify == nil || env.Notify.XMLName.Space != soap.NSWSNT {
		h.errs <- errors.New("not a SOAP 1.2 wsnt:Notify: " + string(raw))
		return
	}
	h.got <- pushed{
		ContentType:   r.Header.Get("Content-Type"),
		Authorization: r.Header.Get("Authorization"),
		Cookie:        r.Header.Get("Cookie"),
		Action:        env.Header.Action,
		Messages:      env.Notify.Messages,
	}
}

// next returns the next Notify, failing after a short deadline.
func (h *hook) next(t testing.TB, what string) pushed {
	t.Helper()
	select {
	case p := <-h.got:
		return p
	case err := <-h.errs:
		t.Fatalf("%s: %v", what, err)
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: no Notify within 5 s (%d requests seen)", what, h.hits.Load())
	}
	return pushed{}
}

func (p pushed) summary() []msgSummary {
	in := make([]notificationIn, len(p.Messages))
	for i, m := range p.Messages {
		in[i] = m.notificationIn
	}
	return summarize(in)
}

// haSubscribe is Home Assistant's Subscribe as zeep writes it (python-onvif-zeep-async's
// NotificationManager: ConsumerReference/Address is the webhook, InitialTerminationTime is
// SUBSCRIPTION_TIME, 3 minutes). Credentials are the dispatcher's business and left out.
func haSubscribe(to, webhook string) string {
	return `<?xml version='1.0' encoding='utf-8'?>
<soap-env:Envelope xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope"><soap-env:Header xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Action soap-env:mustUnderstand="true">http://docs.oasis-open.org/wsn/bw-2/NotificationProducer/SubscribeRequest</wsa:Action><wsa:MessageID>urn:uuid:4c0f7a6e-5b0b-4b8e-9d4f-3f1e2a7c9b10</wsa:MessageID><wsa:To soap-env:mustUnderstand="true">` +
		to + `</wsa:To></soap-env:Header><soap-env:Body><ns0:Subscribe xmlns:ns0="http://docs.oasis-open.org/wsn/b-2"><ns0:ConsumerReference><ns1:Address xmlns:ns1="http://www.w3.org/2005/08/addressing">` +
		webhook + `</ns1:Address></ns0:ConsumerReference><ns0:InitialTerminationTime>PT3M</ns0:InitialTerminationTime></ns0:Subscribe></soap-env:Body></soap-env:Envelope>`
}

// subscribeBody is a Subscribe the way the npm-style helper writes requests, with optional
// filter XML and termination.
func subscribeBody(address, filter, termination string) string {
	inner := "<ConsumerReference><Address xmlns=\"" + soap.NSWSA + "\">" + address + "</Address></ConsumerReference>" + filter
	if termination != "" {
		inner += "<InitialTerminationTime>" + termination + "</InitialTerminationTime>"
	}
	return envelope12("Subscribe", nsWSNT, inner, "")
}

func topicFilter(dialect, expr string) string {
	return `<Filter><TopicExpression Dialect="` + dialect + `" xmlns:tns1="` + soap.NSTopics + `">` + expr + `</TopicExpression></Filter>`
}

type subscribeOut struct {
	Status int
	Raw    string
	Body   struct {
		Fault *faultIn `xml:"Fault"`
		Resp  *struct {
			Address         string `xml:"SubscriptionReference>Address"`
			CurrentTime     string `xml:"CurrentTime"`
			TerminationTime string `xml:"TerminationTime"`
		} `xml:"SubscribeResponse"`
	} `xml:"Body"`
}

func postSubscribe(t testing.TB, url, body string) *subscribeOut {
	t.Helper()
	res, err := http.Post(url, "application/soap+xml; charset=utf-8", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST Subscribe: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &subscribeOut{Status: res.StatusCode, Raw: string(raw)}
	if err := xml.Unmarshal(raw, out); err != nil {
		t.Fatalf("parse Subscribe answer: %v\n%s", err, raw)
	}
	return out
}

func mustSubscribe(t testing.TB, url, body string) string {
	t.Helper()
	out := postSubscribe(t, url, body)
	if out.Body.Resp == nil {
		t.Fatalf("Subscribe: got status %d, want SubscribeResponse:\n%s", out.Status, out.Raw)
	}
	return out.Body.Resp.Address
}

func wantSubscribeFault(t testing.TB, out *subscribeOut, code, subcode, reason string) {
	t.Helper()
	f := out.Body.Fault
	if f == nil {
		t.Fatalf("got status %d without a fault, want %s/%s:\n%s", out.Status, code, subcode, out.Raw)
	}
	if f.Code != "env:"+code || f.Subcode != subcode || !strings.Contains(f.Reason, reason) {
		t.Fatalf("got fault %s/%s %q, want env:%s/%s with %q", f.Code, f.Subcode, f.Reason, code, subcode, reason)
	}
}

// consumerOf returns the push side of the only subscription to url.
func consumerOf(b *Broker, address string) *consumer {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.subs {
		if s.consumer != nil && s.consumer.address == address {
			return s.consumer
		}
	}
	return nil
}

func fastRetry(o Options) Options {
	o.PushRetryInitial, o.PushRetryMax = 5*time.Millisecond, 20*time.Millisecond
	return o
}

// TestSubscribeHomeAssistant replays Home Assistant's webhook sequence against a real HTTP
// consumer: Subscribe, the Initialized Notify, SetSynchronizationPoint, a change, Renew,
// Unsubscribe; then nothing more arrives and the sender is gone.
func TestSubscribeHomeAssistant(t *testing.T) {
	h := newHook(t, nil)
	b := New(Options{})
	defer b.Close()
	srv := newServer(t, b)
	leaks := goleak.IgnoreCurrent()

	webhook := h.srv.URL + "/api/webhook/onvif0242ac110002"
	out := postSubscribe(t, srv.URL+DefaultPath, haSubscribe(srv.URL+DefaultPath, webhook))
	if out.Body.Resp == nil {
		t.Fatalf("Subscribe: got status %d:\n%s", out.Status, out.Raw)
	}
	addr := out.Body.Resp.Address
	if want := srv.URL + DefaultPath + "/subscription/"; !strings.HasPrefix(addr, want) || len(addr) != len(want)+16 {
		t.Fatalf("got SubscriptionReference %q, want %s<16 hex>", addr, want)
	}
	cur, _ := time.Parse(time.RFC3339, out.Body.Resp.CurrentTime)
	term, _ := time.Parse(time.RFC3339, out.Body.Resp.TerminationTime)
	if got := term.Sub(cur); got != 3*time.Minute {
		t.Errorf("got TerminationTime-CurrentTime %v, want 3m0s", got)
	}

	p := h.next(t, "Initialized")
	if got, want := p.summary(), motionSummary("Initialized", "false"); !slices.Equal(got, want) {
		t.Fatalf("first Notify: got %+v, want %+v", got, want)
	}
	if p.ContentType != "application/soap+xml; charset=utf-8" || p.Authorization != "" || p.Cookie != "" {
		t.Errorf("got Content-Type %q Authorization %q Cookie %q, want application/soap+xml; charset=utf-8 and no credentials", p.ContentType, p.Authorization, p.Cookie)
	}
	if p.Action != actionNotify {
		t.Errorf("got wsa:Action %q, want %s", p.Action, actionNotify)
	}
	for _, m := range p.Messages {
		if m.SubscriptionReference != addr || m.Topic.Dialect != dialectConcreteSet {
			t.Errorf("got SubscriptionReference %q Dialect %q, want %q and %s", m.SubscriptionReference, m.Topic.Dialect, addr, dialectConcreteSet)
		}
	}

	// HA then calls SetSynchronizationPoint on the subscription: the state again.
	if r := post(t, nil, addr, zeepEnvelope("SetSynchronizationPoint", nsTev, "", addr)); r.Body.Sync == nil {
		t.Fatalf("SetSynchronizationPoint: got %s", r.Raw)
	}
	if got, want := h.next(t, "after SetSynchronizationPoint").summary(), motionSummary("Initialized", "false"); !slices.Equal(got, want) {
		t.Fatalf("after SetSynchronizationPoint: got %+v, want %+v", got, want)
	}

	b.SetMotion(true, time.Date(2025, 1, 31, 12, 0, 5, 0, time.UTC))
	p = h.next(t, "Changed")
	if got, want := p.summary(), motionSummary("Changed", "true"); !slices.Equal(got, want) {
		t.Fatalf("after SetMotion(true): got %+v, want %+v", got, want)
	}
	if p.Messages[0].Message.UtcTime != "2025-01-31T12:00:05Z" {
		t.Errorf("got UtcTime %q, want 2025-01-31T12:00:05Z", p.Messages[0].Message.UtcTime)
	}

	if r := post(t, nil, addr, zeepEnvelope("Renew", nsWSNT, "<ns0:TerminationTime>PT3M</ns0:TerminationTime>", addr)); r.Body.Renew == nil {
		t.Fatalf("Renew: got %s", r.Raw)
	}
	wantFault(t, post(t, nil, addr, pullBody("PT1S", 10)), "Sender", subResourceUnknown)

	c := consumerOf(b, addr)
	if r := post(t, nil, addr, zeepEnvelope("Unsubscribe", nsWSNT, "", addr)); r.Body.Unsubscribe == nil {
		t.Fatalf("Unsubscribe: got %s", r.Raw)
	}
	select {
	case <-c.exited:
	default:
		t.Fatal("Unsubscribe answered before the sender ended")
	}
	hits := h.hits.Load()
	b.SetMotion(false, time.Now())
	if n := b.Subscriptions(); n != 0 {
		t.Errorf("after Unsubscribe: got %d subscriptions, want 0", n)
	}
	if got := h.hits.Load(); got != hits {
		t.Errorf("after Unsubscribe: got %d more requests, want none", got-hits)
	}
	b.client.CloseIdleConnections()
	http.DefaultClient.CloseIdleConnections()
	goleak.VerifyNone(t, leaks)
}

func TestSubscribeFaults(t *testing.T) {
	b := New(Options{})
	defer b.Close()
	srv := newServer(t, b)
	const addrReason = "ConsumerReference/Address must be an absolute http:// or https:// URL"
	tests := []struct {
		name, body, code, subcode, reason string
	}{
		{"relative", subscribeBody("/api/webhook/x", "", ""), "Sender", subSubscribeFailed, addrReason},
		{"no scheme", subscribeBody("192.0.2.9:8123/api/webhook/x", "", ""), "Sender", subSubscribeFailed, addrReason},
		{"ftp", subscribeBody("ftp://192.0.2.9/x", "", ""), "Sender", subSubscribeFailed, addrReason},
		{"no host", subscribeBody("http:///x", "", ""), "Sender", subSubscribeFailed, addrReason},
		{"malformed", subscribeBody("http://[::1/x", "", ""), "Sender", subSubscribeFailed, addrReason},
		{"missing", envelope12("Subscribe", nsWSNT, "<InitialTerminationTime>PT60S</InitialTerminationTime>", ""), "Sender", subSubscribeFailed, "missing"},
		{"credentials", subscribeBody("http://u:p@192.0.2.9/x", "", ""), "Sender", subSubscribeFailed, "without a user name or password"},
		{"unknown dialect", subscribeBody("http://192.0.2.9/x", topicFilter("urn:x-dialect", "tns1:VideoSource/MotionAlarm"), ""), "Sender", subDialectUnknown, "urn:x-dialect"},
		{"empty expression", subscribeBody("http://192.0.2.9/x", topicFilter(dialectConcreteSet, " "), ""), "Sender", subInvalidTopicExpression, "empty"},
		{"bad expression", subscribeBody("http://192.0.2.9/x", topicFilter(dialectConcreteSet, "tns1:VideoSource//MotionAlarm"), ""), "Sender", subInvalidTopicExpression, "invalid"},
		{"bad termination", subscribeBody("http://192.0.2.9/x", "", "soon"), "Sender", subUnacceptableInitial, "soon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantSubscribeFault(t, postSubscribe(t, srv.URL+DefaultPath, tt.body), tt.code, tt.subcode, tt.reason)
		})
	}
	if n := b.Subscriptions(); n != 0 {
		t.Errorf("got %d subscriptions after refused ones, want 0", n)
	}
}

// TestPushFilter: a subscription carries only the topics its filter names.
func TestPushFilter(t *testing.T) {
	tests := []struct {
		name, dialect, expr string
		want                []string // topics of every Notify
	}{
		{"MotionAlarm only", dialectConcreteSet, "tns1:VideoSource/MotionAlarm", []string{TopicMotionAlarm}},
		{"CellMotion by subtree", dialectConcrete, "tns1:RuleEngine//.", []string{TopicCellMotion}},
		{"both, Synology style", dialectConcreteSet, "tns1:VideoSource/MotionAlarm|tns1:RuleEngine/CellMotionDetector/Motion", []string{TopicMotionAlarm, TopicCellMotion}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHook(t, nil)
			b := New(Options{})
			defer b.Close()
			srv := newServer(t, b)
			mustSubscribe(t, srv.URL+DefaultPath, subscribeBody(h.srv.URL+"/hook", topicFilter(tt.dialect, tt.expr), "PT60S"))
			check := func(what string) {
				t.Helper()
				p := h.next(t, what)
				var got []string
				for _, m := range p.Messages {
					got = append(got, m.Topic.Value)
				}
				if strings.Join(got, ",") != strings.Join(tt.want, ",") {
					t.Fatalf("%s: got topics %v, want %v", what, got, tt.want)
				}
			}
			check("Initialized")
			b.SetMotion(true, time.Now())
			check("Changed")
		})
	}
}

func TestParseTopicExpression(t *testing.T) {
	tests := []struct {
		expr string
		want topicMask
		err  error
	}{
		{"tns1:VideoSource/MotionAlarm", 1 << topicMotionAlarmIndex, nil},
		{"tns:VideoSource/MotionAlarm/", 1 << topicMotionAlarmIndex, nil},
		{"tns1:RuleEngine/CellMotionDetector/Motion", 1 << topicCellMotionIndex, nil},
		{"tns1:RuleEngine/*/Motion", 1 << topicCellMotionIndex, nil},
		{"tns1:VideoSource//.", 1 << topicMotionAlarmIndex, nil},
		{"tns1:VideoSource/MotionAlarm//.", 1 << topicMotionAlarmIndex, nil},
		{"tns1:VideoSource/MotionAlarm | tns1:RuleEngine//.", allTopics, nil},
		{"tns1:*//.", allTopics, nil},
		{"tns1:VideoSource", 0, nil}, // names a topic node, not one of ours
		{"tns1:Device/Trigger/DigitalInput", 0, nil},
		{"tns1:RuleEngine/CellMotionDetector/Motion/Extra", 0, nil},
		{"", 0, errInvalidTopicExp},
		{"tns1:VideoSource/MotionAlarm|", 0, errInvalidTopicExp},
		{"tns1:Video Source", 0, errInvalidTopicExp},
		{"tns1:A//B", 0, errInvalidTopicExp},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := parseTopicExpression(dialectConcreteSet, tt.expr)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("got %b, %v; want %b, %v", got, err, tt.want, tt.err)
			}
		})
	}
	if _, err := parseTopicExpression("http://www.w3.org/TR/1999/REC-xpath-19991116", "tns1:VideoSource"); !errors.Is(err, errUnknownDialect) {
		t.Errorf("XPath dialect: got %v, want %v", err, errUnknownDialect)
	}
}

// TestPushCapsAreSeparate: pull points cannot take the push share, nor push subscriptions
// the pull points'.
func TestPushCapsAreSeparate(t *testing.T) {
	h := newHook(t, nil)
	b := New(Options{MaxSubscriptions: 6, MaxPushSubscriptions: 2})
	defer b.Close()
	srv := newServer(t, b)
	for range 4 {
		create(t, srv.URL, "PT60S")
	}
	wantFault(t, post(t, nil, srv.URL+DefaultPath, envelope12("CreatePullPointSubscription", nsTev, "", "")), "Receiver", subSubscribeFailed)
	for i := range 2 {
		mustSubscribe(t, srv.URL+DefaultPath, subscribeBody(h.srv.URL+"/hook"+string(rune('a'+i)), "", "PT60S"))
	}
	wantSubscribeFault(t, postSubscribe(t, srv.URL+DefaultPath, subscribeBody(h.srv.URL+"/hookc", "", "PT60S")),
		"Receiver", subSubscribeFailed, "pull points (CreatePullPointSubscription) are still available")
	if n := b.Subscriptions(); n != 6 {
		t.Fatalf("got %d subscriptions, want 6", n)
	}
}

// TestPushCapLeavesPullPoints: with every push slot taken, pull points can still be created.
func TestPushCapLeavesPullPoints(t *testing.T) {
	h := newHook(t, nil)
	b := New(Options{})
	defer b.Close()
	srv := newServer(t, b)
	for range DefaultMaxPushSubscriptions {
		mustSubscribe(t, srv.URL+DefaultPath, subscribeBody(h.srv.URL+"/hook", "", ""))
	}
	wantSubscribeFault(t, postSubscribe(t, srv.URL+DefaultPath, subscribeBody(h.srv.URL+"/hook", "", "")), "Receiver", subSubscribeFailed, "maximum number of push subscriptions (4)")
	addr := create(t, srv.URL, "PT60S").Body.Create.Address
	if r := pull(t, nil, addr, "PT1S", 10); r.Body.Pull == nil || len(r.Body.Pull.Messages) != 2 {
		t.Fatalf("pull point next to full push slots: got %s", r.Raw)
	}
}

// TestPushRetriesUntilConsumerIsBack: a consumer that refuses connections and then answers
// 503 is retried (with backoff) until it takes the messages; meanwhile the queue stays
// bounded, keeping the newest.
func TestPushRetriesUntilConsumerIsBack(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hostport := ln.Addr().String()
	ln.Close() // nothing listens: connection refused

	b := New(fastRetry(Options{MaxQueue: 4}))
	defer b.Close()
	srv := newServer(t, b)
	mustSubscribe(t, srv.URL+DefaultPath, subscribeBody("http://"+hostport+"/hook", "", "PT60S"))
	testutil.WaitFor(t, "two failed attempts", func() bool { _, failed := b.PushDeliveries(); return failed >= 2 })

	// Five changes while down: 2 Initialized + 10 Changed, of which MaxQueue=4 are kept.
	at := time.Date(2025, 1, 31, 12, 0, 0, 0, time.UTC)
	for i := range 5 {
		b.SetMotion(i%2 == 0, at.Add(time.Duration(i)*time.Second))
	}

	// The consumer comes back on the same address, first answering 503 twice.
	var ln2 net.Listener
	testutil.WaitFor(t, "the address to be free again", func() bool {
		ln2, err = net.Listen("tcp", hostport)
		return err == nil || !errors.Is(err, syscall.EADDRINUSE)
	})
	if err != nil {
		t.Fatal(err)
	}
	h := &hook{got: make(chan pushed, 16), errs: make(chan error, 16), status: func(n int64, _ http.ResponseWriter) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}}
	h.srv = httptest.NewUnstartedServer(h)
	h.srv.Listener.Close()
	h.srv.Listener = ln2
	h.srv.Start()
	defer h.srv.Close()

	p := h.next(t, "delivery after the outage")
	got := p.summary()
	if len(got) != 4 || got[0].Op != "Changed" || got[3].DataValue != "true" || p.Messages[3].Message.UtcTime != "2025-01-31T12:00:04Z" {
		t.Fatalf("got %+v, want the newest 4 messages (the last change, true at 12:00:04)", got)
	}
	if n := h.hits.Load(); n != 3 {
		t.Errorf("got %d requests to the consumer, want 3 (two 503, one accepted)", n)
	}
	if d := b.Dropped(); d != 8 {
		t.Errorf("got %d dropped, want 8", d)
	}
	testutil.WaitFor(t, "the delivery to be counted", func() bool { sent, _ := b.PushDeliveries(); return sent == 1 })
	if _, failed := b.PushDeliveries(); failed < 4 {
		t.Errorf("got %d failed, want at least 4 (two refused, two 503)", failed)
	}
}

// TestPushRedirectNotFollowed: a consumer that redirects is retried, never followed.
func TestPushRedirectNotFollowed(t *testing.T) {
	target := newHook(t, nil)
	redirect := newHook(t, func(_ int64, w http.ResponseWriter) int {
		w.Header().Set("Location", target.srv.URL+"/elsewhere")
		return http.StatusTemporaryRedirect
	})
	b := New(fastRetry(Options{}))
	defer b.Close()
	srv := newServer(t, b)
	mustSubscribe(t, srv.URL+DefaultPath, subscribeBody(redirect.srv.URL+"/hook", "", "PT60S"))
	// The consumer counts a request when it arrives, the sender a failure when the answer is
	// back: wait for both.
	testutil.WaitFor(t, "three failed attempts at the redirecting consumer", func() bool {
		_, failed := b.PushDeliveries()
		return redirect.hits.Load() >= 3 && failed >= 3
	})
	if n := target.hits.Load(); n != 0 {
		t.Fatalf("got %d requests at the redirect target, want 0", n)
	}
	if sent, _ := b.PushDeliveries(); sent != 0 {
		t.Errorf("got %d sent, want 0: a redirect is a failure", sent)
	}
}

// TestPushExpiry: at its termination time a push subscription is freed and its sender ends.
func TestPushExpiry(t *testing.T) {
	clk := newFakeClock()
	h := newHook(t, nil)
	b := New(Options{Now: clk.Now})
	defer b.Close()
	srv := newServer(t, b)
	addr := mustSubscribe(t, srv.URL+DefaultPath, subscribeBody(h.srv.URL+"/hook", "", "PT60S"))
	h.next(t, "Initialized")
	c := consumerOf(b, addr)
	clk.Add(60 * time.Second)
	if n := b.Subscriptions(); n != 0 {
		t.Fatalf("after the termination time: got %d subscriptions, want 0", n)
	}
	select {
	case <-c.exited:
	case <-time.After(5 * time.Second):
		t.Fatal("the sender of an expired subscription did not end")
	}
	hits := h.hits.Load()
	b.SetMotion(true, clk.Now())
	if got := h.hits.Load(); got != hits {
		t.Errorf("after expiry: got %d more requests, want none", got-hits)
	}
	wantFault(t, post(t, nil, addr, envelope12("Renew", nsWSNT, "<TerminationTime>PT60S</TerminationTime>", addr)), "Sender", subResourceUnknown)
	// The slot is free again.
	for range DefaultMaxPushSubscriptions {
		mustSubscribe(t, srv.URL+DefaultPath, subscribeBody(h.srv.URL+"/hook", "", "PT60S"))
	}
}

// stalledHook is a consumer that never answers until the request is cancelled.
func stalledHook(t testing.TB) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) //nolint:errcheck // read so that a closed connection cancels r's context
		hits.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first
	return srv, &hits
}

// TestCloseStopsStalledSenders: Close cancels a Notify in flight and waits for the senders.
func TestCloseStopsStalledSenders(t *testing.T) {
	stalled, hits := stalledHook(t)
	b := New(Options{})
	srv := newServer(t, b)
	mustSubscribe(t, srv.URL+DefaultPath, subscribeBody(stalled.URL+"/hook", "", "PT60S"))
	mustSubscribe(t, srv.URL+DefaultPath, subscribeBody(stalled.URL+"/hook", "", "PT60S"))
	testutil.WaitFor(t, "both Notify in flight", func() bool { return hits.Load() == 2 })
	done := make(chan struct{})
	go func() { b.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second): // far below the 5 s client timeout
		t.Fatal("Close did not return while Notify requests were in flight")
	}
	b.mu.Lock()
	n := len(b.subs)
	b.mu.Unlock()
	if n != 0 {
		t.Errorf("got %d subscriptions after Close, want 0", n)
	}
}

// TestSetMotionPushDoesNotAllocate: with push subscriptions whose consumers hang, SetMotion
// still returns at once and allocates nothing (the messages go into the preallocated rings).
func TestSetMotionPushDoesNotAllocate(t *testing.T) {
	stalled, hits := stalledHook(t)
	b := New(Options{HTTPClient: &http.Client{}}) // no timeout: the senders stay blocked
	defer b.Close()
	srv := newServer(t, b)
	for range 4 {
		mustSubscribe(t, srv.URL+DefaultPath, subscribeBody(stalled.URL+"/hook", "", "PT60S"))
	}
	for range 8 {
		create(t, srv.URL, "PT60S")
	}
	testutil.WaitFor(t, "every sender blocked on its consumer", func() bool { return hits.Load() == 4 })
	at := time.Now()
	var i int
	allocs := testing.AllocsPerRun(200, func() {
		i++
		b.SetMotion(i%2 == 0, at)
	})
	if allocs != 0 {
		t.Errorf("got %v allocations per SetMotion, want 0", allocs)
	}
}

func TestParseConsumer(t *testing.T) {
	tests := []struct{ in, want, log string }{
		{"http://192.168.1.10:8123/api/webhook/onvif0242ac110002", "http://192.168.1.10:8123/api/webhook/onvif0242ac110002", "http://192.168.1.10:8123"},
		{" HTTPS://nvr.local/notify#frag ", "https://nvr.local/notify", "https://nvr.local"},
		{"http://[fe80::1%25eth0]:80/x?a=b", "http://[fe80::1%25eth0]:80/x?a=b", "http://[fe80::1%eth0]:80"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := parseConsumer(tt.in)
			if err != nil || c.url != tt.want || c.logName != tt.log {
				t.Fatalf("got %+v, %v; want %s (log %s)", c, err, tt.want, tt.log)
			}
		})
	}
}

// TestPushClientRefusesRedirects: a caller's client is used as a copy that never follows
// redirects and has no cookie jar; the caller's own is left alone.
func TestPushClientRefusesRedirects(t *testing.T) {
	jar := &fakeJar{}
	given := &http.Client{Timeout: time.Second, Jar: jar}
	c, own := pushClient(given)
	if own || c == given || c.Jar != nil || c.CheckRedirect == nil || c.Timeout != time.Second {
		t.Fatalf("got %+v own=%v, want a copy with CheckRedirect, no jar, the same timeout", c, own)
	}
	if given.CheckRedirect != nil || given.Jar != jar {
		t.Error("the caller's client was modified")
	}
	c, own = pushClient(nil)
	tr, _ := c.Transport.(*http.Transport)
	if !own || tr == nil || tr.Proxy != nil || tr.TLSClientConfig != nil || c.Timeout != DefaultPushTimeout {
		t.Errorf("default client: got %+v, want its own transport without proxy, verified TLS, 5 s timeout", c)
	}
	if err := c.CheckRedirect(nil, nil); !errors.Is(err, http.ErrUseLastResponse) {
		t.Errorf("CheckRedirect: got %v, want http.ErrUseLastResponse", err)
	}
}

type fakeJar struct{ http.CookieJar }
