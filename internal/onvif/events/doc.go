// Package events is freecam's ONVIF event service (Profile S): pull-point subscriptions
// (CreatePullPointSubscription, PullMessages as a long poll, Renew, Unsubscribe,
// SetSynchronizationPoint), base-notification push subscriptions (wsnt:Subscribe, answered
// with wsnt:Notify posts to the consumer, as Home Assistant's webhook and Synology
// Surveillance Station use them), GetEventProperties and GetServiceCapabilities, carrying the
// motion detector's state on the two topics Home Assistant, Synology and the npm onvif client
// read: tns1:VideoSource/MotionAlarm and tns1:RuleEngine/CellMotionDetector/Motion.
//
// A Broker implements soap.Service; the dispatcher in package onvif routes the tev and wsnt
// namespaces to it after authenticating the caller, so it never checks credentials itself. It
// keeps a bounded number of subscriptions of each kind (the push share is reserved out of
// MaxSubscriptions, so webhooks cannot starve pull points nor the reverse), each with a
// bounded queue (the oldest messages are dropped and counted when a client stops pulling or a
// consumer cannot be reached), and frees them at their termination time lazily on every call
// and from one timer. Pull points have no goroutine; each push subscription has one sender
// goroutine, owned by the Broker: Unsubscribe, expiry and Close cancel it (Unsubscribe and
// Close wait for it). A failing consumer is retried with backoff while its subscription lives.
//
// It must not know where motion comes from (SetMotion is its only input, and it never blocks
// on a client or a consumer). Notify goes only to the URL a subscriber gave: redirects are
// never followed, no proxy from the environment is used, and no credentials or cookies are
// sent; the URL is never logged beyond its scheme and host (Home Assistant's path is a secret
// webhook id).
package events
