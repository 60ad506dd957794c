package events

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/onvif/soap"
)

const (
	nsTev  = soap.NSEvents
	nsWSNT = soap.NSWSNT
)

// fakeClock is an injectable clock for expiry and termination arithmetic.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 1, 31, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// dispatch is what package onvif does for this service: parse, ask Access, serve (the caller
// counts as authenticated).
func dispatch(b *Broker) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := soap.ParseRequest(r.Body, 0)
		if err != nil {
			soap.ParseError(w, err)
			return
		}
		if _, ok := b.Access(req.Operation.Local); !ok {
			soap.NotImplemented(w, req.Version)
			return
		}
		b.ServeSOAP(w, r, &soap.Call{Req: req, User: "viewer", BaseURL: "http://" + r.Host})
	})
}

// newServer serves b over loopback HTTP until the test ends.
func newServer(t testing.TB, b *Broker) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(dispatch(b))
	t.Cleanup(srv.Close)
	return srv
}

// envelope12 is a SOAP 1.2 request the way the npm onvif client writes it: the operation in a
// default namespace, an a:To header when addressed to a subscription.
func envelope12(op, ns, inner, to string) string {
	var h string
	if to != "" {
		h = "<a:To>" + to + "</a:To>"
	}
	return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header>` +
		h + `</s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
		"<" + op + ` xmlns="` + ns + `">` + inner + "</" + op + "></s:Body></s:Envelope>"
}

// zeepEnvelope is a request the way zeep (Home Assistant) writes it: prefixed operation, wsa
// headers with mustUnderstand.
func zeepEnvelope(op, ns, inner, to string) string {
	return `<?xml version='1.0' encoding='utf-8'?>
<soap-env:Envelope xmlns:soap-env="http://www.w3.org/2003/05/soap-envelope"><soap-env:Header xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Action soap-env:mustUnderstand="true">` +
		ns + "/" + op + `</wsa:Action><wsa:MessageID>urn:uuid:0d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6</wsa:MessageID><wsa:To soap-env:mustUnderstand="true">` +
		to + `</wsa:To></soap-env:Header><soap-env:Body><ns0:` + op + ` xmlns:ns0="` + ns + `">` + inner + `</ns0:` + op + `></soap-env:Body></soap-env:Envelope>`
}

// Parsed responses, by local names.
type simpleItemIn struct {
	Name  string `xml:"Name,attr"`
	Value string `xml:"Value,attr"`
}

type notificationIn struct {
	Topic struct {
		Dialect string `xml:"Dialect,attr"`
		Value   string `xml:",chardata"`
	} `xml:"Topic"`
	Message struct {
		UtcTime           string         `xml:"UtcTime,attr"`
		PropertyOperation string         `xml:"PropertyOperation,attr"`
		Source            []simpleItemIn `xml:"Source>SimpleItem"`
		Data              []simpleItemIn `xml:"Data>SimpleItem"`
	} `xml:"Message>Message"`
}

type faultIn struct {
	Code    string `xml:"Code>Value"`
	Subcode string `xml:"Code>Subcode>Value"`
	Reason  string `xml:"Reason>Text"`
}

type response struct {
	Status int
	Raw    string
	Body   struct {
		Fault  *faultIn `xml:"Fault"`
		Create *struct {
			Address         string `xml:"SubscriptionReference>Address"`
			CurrentTime     string `xml:"CurrentTime"`
			TerminationTime string `xml:"TerminationTime"`
		} `xml:"CreatePullPointSubscriptionResponse"`
		Pull *struct {
			CurrentTime     string           `xml:"CurrentTime"`
			TerminationTime string           `xml:"TerminationTime"`
			Messages        []notificationIn `xml:"NotificationMessage"`
		} `xml:"PullMessagesResponse"`
		Renew *struct {
			TerminationTime string `xml:"TerminationTime"`
			CurrentTime     string `xml:"CurrentTime"`
		} `xml:"RenewResponse"`
		Unsubscribe *struct{} `xml:"UnsubscribeResponse"`
		Sync        *struct{} `xml:"SetSynchronizationPointResponse"`
		Caps        *struct {
			Capabilities struct {
				WSSubscriptionPolicySupport string `xml:"WSSubscriptionPolicySupport,attr"`
				WSPullPointSupport          string `xml:"WSPullPointSupport,attr"`
				Pausable                    string `xml:"WSPausableSubscriptionManagerInterfaceSupport,attr"`
				MaxPullPoints               string `xml:"MaxPullPoints,attr"`
				MaxProducers                string `xml:"MaxNotificationProducers,attr"`
				Persistent                  string `xml:"PersistentNotificationStorage,attr"`
			} `xml:"Capabilities"`
		} `xml:"GetServiceCapabilitiesResponse"`
	} `xml:"Body"`
}

func parseResponse(t testing.TB, status int, raw []byte) *response {
	t.Helper()
	resp := &response{Status: status, Raw: string(raw)}
	if err := xml.Unmarshal(raw, resp); err != nil {
		t.Fatalf("parse response: %v\n%s", err, raw)
	}
	return resp
}

// post sends body to url and parses the answer.
func post(t testing.TB, client *http.Client, url, body string) *response {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Post(url, "application/soap+xml; charset=utf-8", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return parseResponse(t, res.StatusCode, raw)
}

// serve runs one request through b in-process (no network), as the dispatcher would.
func serve(t testing.TB, b *Broker, path, body string) *response {
	t.Helper()
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "http://192.0.2.2:8080"+path, strings.NewReader(body))
	dispatch(b).ServeHTTP(rec, r)
	return parseResponse(t, rec.Code, rec.Body.Bytes())
}

func create(t testing.TB, base, termination string) *response {
	t.Helper()
	inner := ""
	if termination != "" {
		inner = "<InitialTerminationTime>" + termination + "</InitialTerminationTime>"
	}
	resp := post(t, nil, base+DefaultPath, envelope12("CreatePullPointSubscription", nsTev, inner, ""))
	if resp.Body.Create == nil {
		t.Fatalf("CreatePullPointSubscription: got status %d, no response:\n%s", resp.Status, resp.Raw)
	}
	return resp
}

func pullBody(timeout string, limit int) string {
	return envelope12("PullMessages", nsTev, fmt.Sprintf("<Timeout>%s</Timeout><MessageLimit>%d</MessageLimit>", timeout, limit), "")
}

func pull(t testing.TB, client *http.Client, addr, timeout string, limit int) *response {
	t.Helper()
	return post(t, client, addr, pullBody(timeout, limit))
}

// wantFault checks resp is a fault with the code and subcode.
func wantFault(t testing.TB, resp *response, code, subcode string) {
	t.Helper()
	if resp.Body.Fault == nil {
		t.Fatalf("got status %d without a fault, want %s/%s:\n%s", resp.Status, code, subcode, resp.Raw)
	}
	f := resp.Body.Fault
	if f.Code != "env:"+code || f.Subcode != subcode {
		t.Fatalf("got fault %s/%s (%q), want env:%s/%s", f.Code, f.Subcode, f.Reason, code, subcode)
	}
}

// msgSummary is one message reduced to what clients read.
type msgSummary struct {
	Topic, Op, Source0, DataName, DataValue string
}

func summarize(msgs []notificationIn) []msgSummary {
	out := make([]msgSummary, len(msgs))
	for i, m := range msgs {
		s := msgSummary{Topic: m.Topic.Value, Op: m.Message.PropertyOperation}
		if len(m.Message.Source) > 0 {
			s.Source0 = m.Message.Source[0].Name + "=" + m.Message.Source[0].Value
		}
		if len(m.Message.Data) > 0 {
			s.DataName, s.DataValue = m.Message.Data[0].Name, m.Message.Data[0].Value
		}
		out[i] = s
	}
	return out
}

func motionSummary(op, value string) []msgSummary {
	return []msgSummary{
		{TopicMotionAlarm, op, "Source=" + VideoSourceToken, "State", value},
		{TopicCellMotion, op, "VideoSourceConfigurationToken=" + VideoSourceConfigurationToken, "IsMotion", value},
	}
}

func (b *Broker) waitingPulls() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.waiting
}

// pullAsync pulls in a goroutine (which must not call t.Fatal); the result or error arrives on
// the channel.
func pullAsync(addr, timeout string, limit int) <-chan asyncResult {
	out := make(chan asyncResult, 1)
	go func() {
		res, err := http.Post(addr, "application/soap+xml", strings.NewReader(pullBody(timeout, limit)))
		if err != nil {
			out <- asyncResult{err: err}
			return
		}
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		if err != nil {
			out <- asyncResult{err: err}
			return
		}
		resp := &response{Status: res.StatusCode, Raw: string(raw)}
		out <- asyncResult{resp: resp, err: xml.Unmarshal(raw, resp)}
	}()
	return out
}

type asyncResult struct {
	resp *response
	err  error
}
