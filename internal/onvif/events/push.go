package events

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/backoff"
	"github.com/freecam/freecam/internal/onvif/soap"
)

// actionNotify is the WS-Addressing action of a wsnt:Notify (WS-BaseNotification WSDL).
const actionNotify = "http://docs.oasis-open.org/wsn/bw-2/NotificationConsumer/Notify"

// maxConsumerURL bounds the ConsumerReference address (Home Assistant's is under 100 bytes).
const maxConsumerURL = 2048

// consumer is the push side of a subscription: where Notify goes and the sender's controls.
// url, logName and topics are fixed at creation; live is guarded by Broker.mu.
type consumer struct {
	url     string    // absolute http(s) URL without credentials or fragment
	logName string    // scheme://host only: the path may hold a secret (HA's webhook id)
	topics  topicMask // what the subscription carries
	// live is set once the SubscribeResponse is written: from then on pushes kick the sender.
	// address is the SubscriptionReference that response gave, repeated in every message.
	live    bool
	address string

	kick   chan struct{} // capacity 1: "messages are queued"
	cancel context.CancelFunc
	exited chan struct{} // closed when the sender has returned
}

// poke wakes the sender without blocking.
func (c *consumer) poke() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// parseConsumer checks a ConsumerReference address: an absolute http:// or https:// URL with a
// host and no user information. The error is the fault reason.
func parseConsumer(raw string) (*consumer, error) {
	raw = strings.TrimSpace(raw)
	const want = "ConsumerReference/Address must be an absolute http:// or https:// URL"
	switch {
	case raw == "":
		return nil, fmt.Errorf("%s; it is missing", want)
	case len(raw) > maxConsumerURL:
		return nil, fmt.Errorf("%s of at most %d bytes", want, maxConsumerURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s; it does not parse", want)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" || u.Opaque != "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%s with a host", want)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s without a user name or password (freecam never sends credentials to a consumer)", want)
	}
	u.Fragment, u.RawFragment = "", ""
	return &consumer{url: u.String(), logName: u.Scheme + "://" + u.Host}, nil
}

// noRedirect makes a client return a redirect response instead of following it.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// pushClient returns the client Notify goes through: a copy of c that never follows redirects
// and has no cookie jar, or, when c is nil, a client of its own (own is true).
func pushClient(c *http.Client) (client *http.Client, own bool) {
	if c != nil {
		cp := *c
		cp.CheckRedirect = noRedirect
		cp.Jar = nil
		return &cp, false
	}
	dialer := &net.Dialer{Timeout: DefaultPushTimeout, KeepAlive: 30 * time.Second}
	return &http.Client{
		Timeout:       DefaultPushTimeout,
		CheckRedirect: noRedirect,
		Transport: &http.Transport{
			Proxy:                 nil, // never the environment's proxy
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   DefaultPushTimeout,
			ResponseHeaderTimeout: DefaultPushTimeout,
			MaxIdleConns:          DefaultMaxPushSubscriptions,
			MaxIdleConnsPerHost:   1,
			IdleConnTimeout:       90 * time.Second,
		},
	}, true
}

// deliver is a push subscription's sender: it waits for a kick, takes every queued message
// and posts them in one Notify, retrying with backoff while the consumer fails. Messages that
// wait longer than MaxQueue allows are dropped, oldest first. It returns when ctx ends
// (Unsubscribe, expiry, Close).
func (b *Broker) deliver(ctx context.Context, s *subscription) {
	c := s.consumer
	defer b.senders.Done()
	defer close(c.exited)
	bo := backoff.Backoff{Initial: b.opt.PushRetryInitial, Max: b.opt.PushRetryMax}
	var (
		pending []message
		buf     bytes.Buffer
		failing bool
		address string
	)
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.kick:
		}
		for {
			b.mu.Lock()
			pending = s.drainInto(pending)
			address = c.address
			if over := len(pending) - b.opt.MaxQueue; over > 0 {
				pending = pending[:copy(pending, pending[over:])]
				s.dropped += uint64(over)
			}
			b.mu.Unlock()
			if len(pending) == 0 {
				break
			}
			start := time.Now()
			err := b.post(ctx, c, address, pending, &buf)
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				b.pushSent.Add(1)
				pending = pending[:0]
				bo.Reset()
				if failing {
					b.log.Info("push consumer reachable again", "id", s.id, "consumer", c.logName)
					failing = false
				}
				continue
			}
			b.pushFailed.Add(1)
			if !failing { // once per outage; the attempts are counted
				b.log.Warn("push notification failed; retrying while the subscription lives",
					"id", s.id, "consumer", c.logName, "err", err)
				failing = true
			}
			if !backoff.Sleep(ctx, bo.Next(time.Since(start))) {
				return
			}
		}
	}
}

// post sends msgs to c in one SOAP 1.2 wsnt:Notify. It fails on a transport error and on any
// answer but 2xx (a redirect included: it is never followed).
func (b *Broker) post(ctx context.Context, c *consumer, address string, msgs []message, buf *bytes.Buffer) error {
	buf.Reset()
	if err := writeNotify(buf, c.url, address, msgs); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(buf.Bytes()))
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	req.Header.Set("Content-Type", "application/soap+xml; charset=utf-8")
	res, err := b.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may carry a secret; logName names the consumer
		}
		return fmt.Errorf("notify: %w", err)
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) //nolint:errcheck // drained for keep-alive only
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		if loc := res.Header.Get("Location"); res.StatusCode/100 == 3 && loc != "" {
			return fmt.Errorf("notify: consumer answered %s (a redirect, not followed)", res.Status)
		}
		return fmt.Errorf("notify: consumer answered %s", res.Status)
	}
	return nil
}

// Wire shape of a pushed message: WS-BaseNotification's NotificationMessageHolderType, in
// schema order (SubscriptionReference, Topic, Message).
type pushedMessage struct {
	XMLName               xml.Name `xml:"wsnt:NotificationMessage"`
	SubscriptionReference struct {
		Address string `xml:"wsa:Address"`
	} `xml:"wsnt:SubscriptionReference"`
	Topic   wireTopic `xml:"wsnt:Topic"`
	Message struct {
		Message ttMessage `xml:"tt:Message"`
	} `xml:"wsnt:Message"`
}

type notifyBody struct {
	XMLName  xml.Name        `xml:"wsnt:Notify"`
	Messages []pushedMessage `xml:"wsnt:NotificationMessage"`
}

// writeNotify writes the whole Notify envelope for msgs to buf.
func writeNotify(buf *bytes.Buffer, to, subscription string, msgs []message) error {
	body := notifyBody{Messages: make([]pushedMessage, len(msgs))}
	for i := range msgs {
		n := msgs[i].wire()
		p := &body.Messages[i]
		p.SubscriptionReference.Address = subscription
		p.Topic = n.Topic
		p.Message.Message = n.Message.Message
	}
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<env:Envelope xmlns:env="` + soap.NSSoap12 +
		`" xmlns:wsnt="` + soap.NSWSNT + `" xmlns:wsa="` + soap.NSWSA + `" xmlns:tt="` + soap.NSSchema +
		`" xmlns:tns1="` + soap.NSTopics + `"><env:Header><wsa:Action>` + actionNotify + `</wsa:Action><wsa:To>`)
	xml.EscapeText(buf, []byte(to)) //nolint:errcheck // bytes.Buffer cannot fail
	buf.WriteString(`</wsa:To></env:Header><env:Body>`)
	enc := xml.NewEncoder(buf)
	if err := enc.Encode(&body); err != nil {
		return fmt.Errorf("notify: marshal: %w", err)
	}
	buf.WriteString(`</env:Body></env:Envelope>`)
	return nil
}
