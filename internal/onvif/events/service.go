package events

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// Fault subcodes this service writes (the envelope declares the wsnt and wsrf-rw prefixes).
const (
	subResourceUnknown        = "wsrf-rw:ResourceUnknownFault"
	subSubscribeFailed        = "wsnt:SubscribeCreationFailedFault"
	subUnacceptableInitial    = "wsnt:UnacceptableInitialTerminationTimeFault"
	subUnacceptableRenew      = "wsnt:UnacceptableTerminationTimeFault"
	subInvalidTopicExpression = "wsnt:InvalidTopicExpressionFault"
	subDialectUnknown         = "wsnt:TopicExpressionDialectUnknownFault"
	defaultMessageLimit       = 100
	reasonUnknownSubscription = "unknown or expired subscription"
)

// operation returns the namespace and access class of an implemented operation.
func operation(op string) (ns string, access soap.Access, ok bool) {
	switch op {
	case "GetServiceCapabilities":
		return soap.NSEvents, soap.Open, true
	case "GetEventProperties", "CreatePullPointSubscription", "PullMessages", "SetSynchronizationPoint":
		return soap.NSEvents, soap.Viewer, true
	case "Renew", "Unsubscribe", "Subscribe":
		return soap.NSWSNT, soap.Viewer, true
	}
	return "", 0, false
}

// Access implements soap.Service. Subscribe is not implemented when push subscriptions are
// off (Options.MaxPushSubscriptions negative), so clients fall back to pull points.
func (b *Broker) Access(op string) (soap.Access, bool) {
	if op == "Subscribe" && b.pushCap == 0 {
		return 0, false
	}
	_, access, ok := operation(op)
	return access, ok
}

// ServeSOAP implements soap.Service. PullMessages may block up to its (capped) Timeout; it
// returns early when a message is queued, r's context ends, the subscription is freed or the
// Broker is closed.
func (b *Broker) ServeSOAP(w http.ResponseWriter, r *http.Request, c *soap.Call) {
	op := c.Req.Operation
	if ns, _, ok := operation(op.Local); !ok || ns != op.Space {
		soap.NotImplemented(w, c.Req.Version)
		return
	}
	if _, ok := b.Access(op.Local); !ok {
		soap.NotImplemented(w, c.Req.Version)
		return
	}
	switch op.Local {
	case "GetServiceCapabilities":
		b.capabilities(w, c)
	case "GetEventProperties":
		soap.WriteResponse(w, c.Req.Version, []byte(eventProperties)) //nolint:errcheck // raw bytes cannot fail
	case "CreatePullPointSubscription":
		b.createPullPoint(w, c)
	case "Subscribe":
		b.subscribe(w, c)
	case "PullMessages":
		b.pullMessages(w, r, c)
	case "SetSynchronizationPoint":
		b.synchronize(w, r, c)
	case "Renew":
		b.renew(w, r, c)
	case "Unsubscribe":
		b.unsubscribe(w, r, c)
	}
}

func (b *Broker) writeResponse(w http.ResponseWriter, c *soap.Call, body any) {
	if err := soap.WriteResponse(w, c.Req.Version, body); err != nil {
		b.log.Warn("write response", "op", c.Req.Operation.Local, "err", err)
	}
}

func (b *Broker) invalidArg(w http.ResponseWriter, c *soap.Call, reason string) {
	soap.WriteFault(w, c.Req.Version, soap.Sender, []string{soap.SubInvalidArgVal}, reason, 0)
}

// lockSubscription returns the subscription r addresses with b.mu held; or, when there is none,
// nil with the fault written and b.mu not held.
func (b *Broker) lockSubscription(w http.ResponseWriter, r *http.Request, c *soap.Call) *subscription {
	b.mu.Lock()
	s := b.lookupLocked(b.subscriptionID(r.URL.Path))
	if s == nil {
		b.mu.Unlock()
		b.unknownSubscription(w, c)
	}
	return s
}

func (b *Broker) unknownSubscription(w http.ResponseWriter, c *soap.Call) {
	soap.WriteFault(w, c.Req.Version, soap.Sender, []string{subResourceUnknown}, reasonUnknownSubscription, 0)
}

// subscriptionID returns the id addressed by path, "" when path is not a subscription's.
func (b *Broker) subscriptionID(path string) string {
	id, ok := strings.CutPrefix(path, b.opt.Path+"/subscription/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return ""
	}
	return id
}

type capabilitiesResponse struct {
	XMLName      xml.Name `xml:"tev:GetServiceCapabilitiesResponse"`
	Capabilities struct {
		WSSubscriptionPolicySupport                   bool `xml:"WSSubscriptionPolicySupport,attr"`
		WSPullPointSupport                            bool `xml:"WSPullPointSupport,attr"`
		WSPausableSubscriptionManagerInterfaceSupport bool `xml:"WSPausableSubscriptionManagerInterfaceSupport,attr"`
		MaxNotificationProducers                      int  `xml:"MaxNotificationProducers,attr"`
		MaxPullPoints                                 int  `xml:"MaxPullPoints,attr"`
		PersistentNotificationStorage                 bool `xml:"PersistentNotificationStorage,attr"`
	} `xml:"tev:Capabilities"`
}

func (b *Broker) capabilities(w http.ResponseWriter, c *soap.Call) {
	var resp capabilitiesResponse
	resp.Capabilities.WSPullPointSupport = true
	// Subscribe accepts no SubscriptionPolicy, so WSSubscriptionPolicySupport stays false.
	resp.Capabilities.MaxNotificationProducers = b.pushCap
	resp.Capabilities.MaxPullPoints = b.pullCap
	b.writeResponse(w, c, &resp)
}

type createRequest struct {
	InitialTerminationTime string `xml:"InitialTerminationTime"`
}

type createResponse struct {
	XMLName               xml.Name `xml:"tev:CreatePullPointSubscriptionResponse"`
	SubscriptionReference struct {
		Address string `xml:"wsa:Address"`
	} `xml:"tev:SubscriptionReference"`
	CurrentTime     string `xml:"wsnt:CurrentTime"`
	TerminationTime string `xml:"wsnt:TerminationTime"`
}

// requestedTermination reads a termination time (duration or dateTime; def when absent) and
// caps it. ok is false when it is malformed or not after now, with the fault written.
func (b *Broker) requestedTermination(w http.ResponseWriter, c *soap.Call, value string, now time.Time, sub string) (time.Time, bool) {
	t, err := parseTermination(value, now)
	switch {
	case errors.Is(err, errEmpty):
		t = now.Add(DefaultTermination)
	case err != nil:
		soap.WriteFault(w, c.Req.Version, soap.Sender, []string{sub}, err.Error(), 0)
		return time.Time{}, false
	case !t.After(now):
		soap.WriteFault(w, c.Req.Version, soap.Sender, []string{sub}, "termination time is not in the future", 0)
		return time.Time{}, false
	}
	return b.clampTermination(now, t), true
}

func (b *Broker) createPullPoint(w http.ResponseWriter, c *soap.Call) {
	var req createRequest
	if err := c.Req.Decode(&req); err != nil {
		b.invalidArg(w, c, "malformed CreatePullPointSubscription")
		return
	}
	s, now, termination, ok := b.open(w, c, req.InitialTerminationTime, nil,
		fmt.Sprintf("maximum number of pull-point subscriptions (%d) reached", b.pullCap))
	if !ok {
		return
	}
	var resp createResponse
	resp.SubscriptionReference.Address = b.subscriptionURL(c, s)
	resp.CurrentTime = formatTime(now)
	resp.TerminationTime = formatTime(termination)
	b.writeResponse(w, c, &resp)
}

// open creates a subscription for CreatePullPointSubscription or Subscribe (cons nil: a pull
// point) ending at the InitialTerminationTime the request asked for. When that is malformed, or
// when every subscription of its kind is taken (full says so), it writes the fault and returns
// ok false.
func (b *Broker) open(w http.ResponseWriter, c *soap.Call, initial string, cons *consumer, full string) (s *subscription, now, termination time.Time, ok bool) {
	now = b.opt.Now()
	termination, ok = b.requestedTermination(w, c, initial, now, subUnacceptableInitial)
	if !ok {
		return nil, now, termination, false
	}
	if s, ok = b.create(now, termination, cons); !ok {
		soap.WriteFault(w, c.Req.Version, soap.Receiver, []string{subSubscribeFailed}, full, 0)
	}
	return s, now, termination, ok
}

// subscriptionURL is the address the client renews, pulls and unsubscribes s at.
func (b *Broker) subscriptionURL(c *soap.Call, s *subscription) string {
	return c.BaseURL + b.opt.Path + "/subscription/" + s.id
}

type pullRequest struct {
	Timeout      string `xml:"Timeout"`
	MessageLimit string `xml:"MessageLimit"`
}

type pullResponse struct {
	XMLName         xml.Name              `xml:"tev:PullMessagesResponse"`
	CurrentTime     string                `xml:"tev:CurrentTime"`
	TerminationTime string                `xml:"tev:TerminationTime"`
	Messages        []notificationMessage `xml:"wsnt:NotificationMessage"`
}

func (b *Broker) pullMessages(w http.ResponseWriter, r *http.Request, c *soap.Call) {
	var req pullRequest
	if err := c.Req.Decode(&req); err != nil {
		b.invalidArg(w, c, "malformed PullMessages")
		return
	}
	timeout, err := parseDuration(req.Timeout)
	switch {
	case errors.Is(err, errEmpty):
		timeout = b.opt.MaxPullTimeout
	case err != nil:
		b.invalidArg(w, c, "Timeout: "+err.Error())
		return
	}
	timeout = min(timeout, b.opt.MaxPullTimeout)
	limit := defaultMessageLimit
	if v := strings.TrimSpace(req.MessageLimit); v != "" {
		n, ok := parseCount(v)
		if !ok {
			b.invalidArg(w, c, "MessageLimit is not a positive integer")
			return
		}
		limit = n
	}
	id := b.subscriptionID(r.URL.Path)

	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		b.mu.Lock()
		s := b.lookupLocked(id)
		if s == nil {
			b.mu.Unlock()
			b.unknownSubscription(w, c)
			return
		}
		if s.consumer != nil {
			b.mu.Unlock()
			// WS-BaseNotification has no fault for this; ONVIF clients treat the resource
			// fault as "subscribe again".
			soap.WriteFault(w, c.Req.Version, soap.Sender, []string{subResourceUnknown},
				"this is a push subscription (Subscribe): its messages are posted to its consumer, not pulled", 0)
			return
		}
		msgs := s.take(limit)
		if len(msgs) > 0 || timeout <= 0 {
			b.respondPull(w, c, s.termination, msgs)
			return
		}
		wake, gone := s.waitChan(), s.gone
		b.waiting++
		b.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(timeout)
		}
		var stop bool
		select {
		case <-wake:
		case <-gone:
			stop = true
		case <-b.done:
			stop = true
		case <-timer.C:
			stop = true
		case <-r.Context().Done():
			b.mu.Lock()
			b.waiting--
			b.mu.Unlock()
			return // the client went away; its messages stay queued
		}
		b.mu.Lock()
		b.waiting--
		if stop {
			// Answer with whatever is there, even from a subscription just freed.
			b.respondPull(w, c, s.termination, s.take(limit))
			return
		}
		b.mu.Unlock()
	}
}

// respondPull is called with b.mu held and releases it before writing.
func (b *Broker) respondPull(w http.ResponseWriter, c *soap.Call, termination time.Time, msgs []message) {
	b.mu.Unlock()
	resp := pullResponse{
		CurrentTime:     formatTime(b.opt.Now()),
		TerminationTime: formatTime(termination),
		Messages:        make([]notificationMessage, len(msgs)),
	}
	for i := range msgs {
		resp.Messages[i] = msgs[i].wire()
	}
	b.writeResponse(w, c, &resp)
}

// parseCount parses a positive decimal integer, saturating at 1<<20.
func parseCount(s string) (int, bool) {
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n < 1<<20 {
			n = n*10 + int(c-'0')
		}
	}
	return min(n, 1<<20), n > 0
}

type emptySync struct {
	XMLName xml.Name `xml:"tev:SetSynchronizationPointResponse"`
}

func (b *Broker) synchronize(w http.ResponseWriter, r *http.Request, c *soap.Call) {
	s := b.lockSubscription(w, r, c)
	if s == nil {
		return
	}
	b.initializeLocked(s, b.opt.Now())
	b.mu.Unlock()
	b.writeResponse(w, c, &emptySync{})
}

type renewRequest struct {
	TerminationTime string `xml:"TerminationTime"`
}

type renewResponse struct {
	XMLName         xml.Name `xml:"wsnt:RenewResponse"`
	TerminationTime string   `xml:"wsnt:TerminationTime"`
	CurrentTime     string   `xml:"wsnt:CurrentTime"`
}

func (b *Broker) renew(w http.ResponseWriter, r *http.Request, c *soap.Call) {
	var req renewRequest
	if err := c.Req.Decode(&req); err != nil {
		b.invalidArg(w, c, "malformed Renew")
		return
	}
	now := b.opt.Now()
	s := b.lockSubscription(w, r, c)
	if s == nil {
		return
	}
	b.mu.Unlock()
	termination, ok := b.requestedTermination(w, c, req.TerminationTime, now, subUnacceptableRenew)
	if !ok {
		return
	}
	b.mu.Lock()
	if b.subs[s.id] != s { // freed meanwhile
		b.mu.Unlock()
		b.unknownSubscription(w, c)
		return
	}
	s.termination = termination
	b.armLocked()
	b.mu.Unlock()
	b.writeResponse(w, c, &renewResponse{
		TerminationTime: formatTime(termination),
		CurrentTime:     formatTime(now),
	})
}

type unsubscribeResponse struct {
	XMLName xml.Name `xml:"wsnt:UnsubscribeResponse"`
}

func (b *Broker) unsubscribe(w http.ResponseWriter, r *http.Request, c *soap.Call) {
	s := b.lockSubscription(w, r, c)
	if s == nil {
		return
	}
	b.freeLocked(s.id)
	b.armLocked()
	n := len(b.subs)
	b.mu.Unlock()
	if s.consumer != nil {
		<-s.consumer.exited // its ctx is cancelled: a Notify in flight ends now
	}
	b.log.Debug("subscription ended", "id", s.id, "live", n)
	b.writeResponse(w, c, &unsubscribeResponse{})
}
