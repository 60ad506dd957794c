// Package service supervises freecam's long-running parts (rtsp, mqtt, motion, auto-night,
// recording, timelapse, onvif) the way the firmware's controlscripts did, without shell: each is a
// Service with Start, Stop and Status; Supervised turns a blocking run function into a Service
// that restarts it with backoff and gives up (Failed) after repeated fast crashes; Func adapts
// start/stop style components; Manager registers them in order, starts the ones whose autorun
// file config/autostart/<name> exists, and stops them in reverse.
//
// The package never executes anything: the firmware's autostart files were shell scripts, and
// here only their existence counts. It knows nothing about the services it runs; internal/app
// builds them and registers them.
package service

import (
	"context"
	"time"
)

// Service is one part of freecam that the UI, the API and MQTT can start and stop.
// Implementations must be safe for concurrent use.
type Service interface {
	// Name is the service's stable name ("rtsp", "auto-night"…): the autorun file's name, the
	// API's and MQTT's key.
	Name() string
	// Start starts the service if it is not running and returns once it is started or starting
	// (a supervised service runs in its own goroutine). ctx bounds the start call only, not the
	// service's life. Starting a running service is a no-op.
	Start(ctx context.Context) error
	// Stop stops the service and waits until it has stopped or ctx ends. Stopping a stopped
	// service is a no-op.
	Stop(ctx context.Context) error
	// Status reports the current state. It never blocks on the service's work.
	Status() Status
}

// Notifier is implemented by services whose state changes on their own (a supervised service
// that crashes, backs off and restarts). The Manager uses it to publish every change.
type Notifier interface {
	// Notify adds fn, called with the new status after every state change. fn is called with
	// the service's lock held, in order: it must be quick and must not call back into the
	// service (publishing to an event.Bus is fine).
	Notify(fn func(Status))
}

// State is a service's lifecycle state. Its string form is stable: the API, MQTT and events use it.
type State string

// The states.
const (
	Stopped  State = "stopped"  // not running (never started, or stopped)
	Starting State = "starting" // Start was called and the service is not running yet
	Running  State = "running"  // running
	Backoff  State = "backoff"  // crashed; waiting before the next restart
	Failed   State = "failed"   // crashed too often (or failed to start); no more restarts until Start
)

// Status is a snapshot of a service's state.
type Status struct {
	State State
	// LastErr is the error of the last crash or failed start since the last Start, nil if none.
	LastErr error
	// Restarts counts the restarts after crashes since the last Start.
	Restarts int
	// Since is when State was entered (zero if the service never changed state).
	Since time.Time
}
