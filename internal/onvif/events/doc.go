// Package events is freecam's ONVIF event service (Profile S): pull-point subscriptions
// (CreatePullPointSubscription, PullMessages as a long poll, Renew, Unsubscribe,
// SetSynchronizationPoint), GetEventProperties and GetServiceCapabilities, carrying the motion
// detector's state on the two topics Home Assistant, Synology and the npm onvif client read:
// tns1:VideoSource/MotionAlarm and tns1:RuleEngine/CellMotionDetector/Motion.
//
// A Broker implements soap.Service; the dispatcher in package onvif routes the tev and wsnt
// namespaces to it after authenticating the caller, so it never checks credentials itself. It
// keeps a bounded number of subscriptions, each with a bounded queue (the oldest messages are
// dropped when a client stops pulling), and frees them at their termination time lazily on
// every call and from one timer; it starts no goroutine per subscription.
//
// It must not know where motion comes from (SetMotion is its only input) and does no
// base-notification push (Subscribe answers NotImplemented, so clients fall back to pull points).
package events
