package events

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"

	"github.com/freecam/freecam/internal/onvif/soap"
)

// subscribeRequest is wsnt:Subscribe, read by local names. SubscriptionPolicy is ignored
// (WSSubscriptionPolicySupport is false), and so is a MessageContent filter: freecam's two
// topics carry one source each.
type subscribeRequest struct {
	ConsumerReference struct {
		Address string `xml:"Address"`
	} `xml:"ConsumerReference"`
	Filter *struct {
		TopicExpression []struct {
			Dialect string `xml:"Dialect,attr"`
			Value   string `xml:",chardata"`
		} `xml:"TopicExpression"`
	} `xml:"Filter"`
	InitialTerminationTime string `xml:"InitialTerminationTime"`
}

type subscribeResponse struct {
	XMLName               xml.Name `xml:"wsnt:SubscribeResponse"`
	SubscriptionReference struct {
		Address string `xml:"wsa:Address"`
	} `xml:"wsnt:SubscriptionReference"`
	CurrentTime     string `xml:"wsnt:CurrentTime"`
	TerminationTime string `xml:"wsnt:TerminationTime"`
}

// subscribe answers wsnt:Subscribe: a push subscription whose messages are posted as
// wsnt:Notify to the consumer. Renew, Unsubscribe and SetSynchronizationPoint address it like
// a pull point.
func (b *Broker) subscribe(w http.ResponseWriter, c *soap.Call) {
	var req subscribeRequest
	if err := c.Req.Decode(&req); err != nil {
		b.invalidArg(w, c, "malformed Subscribe")
		return
	}
	cons, err := parseConsumer(req.ConsumerReference.Address)
	if err != nil {
		soap.WriteFault(w, c.Req.Version, soap.Sender, []string{subSubscribeFailed}, err.Error(), 0)
		return
	}
	cons.topics = allTopics
	if f := req.Filter; f != nil && len(f.TopicExpression) > 0 {
		cons.topics = 0
		for _, te := range f.TopicExpression {
			m, err := parseTopicExpression(te.Dialect, te.Value)
			if err != nil {
				sub := subInvalidTopicExpression
				if errors.Is(err, errUnknownDialect) {
					sub = subDialectUnknown
				}
				soap.WriteFault(w, c.Req.Version, soap.Sender, []string{sub}, err.Error(), 0)
				return
			}
			cons.topics |= m
		}
	}
	s, now, termination, ok := b.open(w, c, req.InitialTerminationTime, cons,
		fmt.Sprintf("maximum number of push subscriptions (%d) reached; pull points (CreatePullPointSubscription) are still available", b.pushCap))
	if !ok {
		return
	}
	var resp subscribeResponse
	resp.SubscriptionReference.Address = b.subscriptionURL(c, s)
	resp.CurrentTime = formatTime(now)
	resp.TerminationTime = formatTime(termination)
	b.writeResponse(w, c, &resp)

	// Only now post the Initialized messages: a consumer that gets a Notify before the
	// response does not know the subscription yet (Home Assistant drops it, then calls
	// SetSynchronizationPoint, which queues them again).
	b.mu.Lock()
	cons.address = resp.SubscriptionReference.Address
	cons.live = true
	if s.n > 0 {
		cons.poke()
	}
	b.mu.Unlock()
}
