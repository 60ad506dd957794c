// Package camera is the contract between the running camera and its remote controls: everything a
// web page, the JSON API, a firmware CGI URL or an MQTT command may read or do. internal/app
// implements it; the web and MQTT packages depend only on this interface, so they can be tested
// against a small fake (camtest) as well as the real camera.
package camera

import (
	"context"
	"image"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
	"github.com/freecam/freecam/internal/hal"
	"github.com/freecam/freecam/internal/service"
)

// Switch names the on/off outputs of the board, as the firmware's CGI commands name them.
type Switch string

// The switches. IRCut on means the filter is in (day picture), as the firmware's ir_cut_on did.
const (
	BlueLED   Switch = "blue_led"
	YellowLED Switch = "yellow_led"
	IRLED     Switch = "ir_led"
	IRCut     Switch = "ir_cut"
)

// NightMode is the day/night choice: "day" and "night" are manual, "auto" follows the light.
type NightMode string

// The night modes.
const (
	Day   NightMode = "day"
	Night NightMode = "night"
	Auto  NightMode = "auto"
)

// NightState is what the pages show about night mode.
type NightState struct {
	Night bool      `json:"night"`          // night mode is on now
	Auto  bool      `json:"auto"`           // auto night chooses
	Level float64   `json:"level"`          // last light level or picture brightness
	Since time.Time `json:"since,omitzero"` // last switch
	Cause string    `json:"cause,omitempty"`
}

// MotionState is the detector's current state.
type MotionState struct {
	Enabled bool            `json:"enabled"` // the motion service is running
	Active  bool            `json:"active"`  // an event is in progress
	Since   time.Time       `json:"since,omitzero"`
	Region  int             `json:"region"`
	Box     image.Rectangle `json:"box"`
	Score   float64         `json:"score"`
}

// Status is the camera's overview for the Live and System pages.
type Status struct {
	Version   string    `json:"version"`
	Hostname  string    `json:"hostname"`
	Started   time.Time `json:"started"`
	Source    string    `json:"source"`
	RTSPURL   string    `json:"rtsp_url"`   // rtsp://host:port/unicast as seen from the server
	Width     int       `json:"width"`      // configured picture size
	Height    int       `json:"height"`     //
	FPS       float64   `json:"fps"`        //
	Frames    uint64    `json:"frames"`     // pictures from the source since start
	Restarts  uint64    `json:"restarts"`   // source restarts (watchdog, crashes)
	ConfigErr []string  `json:"config_err"` // problems of the last refused reload, nil when none
	Readers   int       `json:"readers"`    // RTSP sessions playing now
	// FreeBytes is the free space where recordings and clips go, -1 when unknown.
	FreeBytes int64 `json:"free_bytes"`
	// MAC is the hardware address of the main network interface ("" when none): the stable
	// identity Home Assistant's device registry uses.
	MAC string `json:"mac"`
	// WiFi is the wireless link, nil on a camera without one (or on a wired machine).
	WiFi *WiFi `json:"wifi,omitempty"`
}

// WiFi is the state of the wireless link, as /proc/net/wireless reports it.
type WiFi struct {
	Interface   string `json:"interface"`
	SignalDBm   int    `json:"signal_dbm"`
	LinkQuality int    `json:"link_quality"` // 0–70 on most drivers
	NoiseDBm    int    `json:"noise_dbm"`
}

// Event is one entry of the event timeline (motion, night, services).
type Event struct {
	ID    string    `json:"id"` // stable, usable in a URL path segment ([0-9a-z-] only)
	Kind  string    `json:"kind"`
	Time  time.Time `json:"time"`
	Text  string    `json:"text"`           // one line for people
	Thumb bool      `json:"thumb"`          // a thumbnail is served at /events/{id}/thumb.jpg
	Clip  string    `json:"clip,omitempty"` // a clip under the media root, relative path, when one exists
}

// LogLine is one line of freecam's own log.
type LogLine struct {
	Time    time.Time `json:"time"`
	Level   string    `json:"level"`
	Message string    `json:"message"` // the message and its attributes, secrets redacted
}

// Camera is the running camera as the web server sees it. Every method is safe for concurrent use
// and never blocks for long unless it says so; a method that changes something returns an error
// that can be shown to the user as it is.
type Camera interface {
	Status() Status
	// Config is the configuration in use (never nil while the camera runs). Treat it as read-only.
	Config() *conf.Config
	// ConfigDir is where the config files are; settings are written there.
	ConfigDir() string
	// Reload re-reads the config files and applies them (live where possible). A refused
	// configuration leaves the running one and returns an error listing the problems.
	Reload() error
	// Restart stops and starts the whole camera (the firmware's reboot). It returns at once; the
	// restart happens after the response has gone out.
	Restart()

	// CurrentPic serves the latest picture as JPEG with the firmware's currentpic.cgi semantics;
	// Snapshot the same with ?width=&height=&quality=; MJPEG a multipart stream.
	CurrentPic() http.Handler
	Snapshot() http.Handler
	MJPEG() http.Handler
	// SnapshotJPEG is the current picture as JPEG at the configured quality and size, for
	// protocols that are not HTTP (MQTT). It waits for a first picture until ctx ends.
	SnapshotJPEG(ctx context.Context) ([]byte, error)

	// Hardware is the board's state (which parts exist, LEDs, IR, motor position, light).
	Hardware() hal.State
	// SetSwitch turns an LED, the IR LED or the IR-cut filter on or off. Changing the IR LED or
	// the IR cut by hand switches auto night off, as the firmware did. It may block for about a
	// second (the IR-cut pulse).
	SetSwitch(ctx context.Context, s Switch, on bool) error
	Night() NightState
	SetNightMode(ctx context.Context, m NightMode) error
	// Move moves the motor by dx, dy steps as seen in the picture (+x right, +y up); MoveTo goes
	// to an absolute position; Calibrate finds the ends. They block until the motor stops and
	// return hal.ErrNoMotor-like errors on boards without one.
	Move(ctx context.Context, dx, dy int) (hal.Move, error)
	MoveTo(ctx context.Context, p hal.Position) (hal.Move, error)
	Calibrate(ctx context.Context) error

	Motion() MotionState

	// Services lists the services with state and autorun; ServiceControl runs start, stop,
	// restart, enable (autorun on) or disable on one.
	Services() []service.Info
	ServiceControl(ctx context.Context, name, action string) error

	// Events lists the most recent events first, at most n. Thumb serves an event's thumbnail.
	Events(n int) []Event
	Thumb(id string) ([]byte, bool)
	// MediaRoots are the media directories by name ("recordings", "clips", "stills"), served
	// read-only under /media/<name>/…; Event.Clip is a path below them, "<name>/…".
	MediaRoots() map[string]string
	// Deliveries is the state of each upload and alert target's queue (empty when none is set up).
	Deliveries() []deliver.Status
	// Logs returns the last n log lines, oldest first.
	Logs(n int) []LogLine

	// Update is the signed self-update's state (never blocks). UpdateCheck fetches the release
	// manifest and blocks until it has (or ctx ends). UpdateApply starts installing the newest
	// release and returns at once: the progress shows in Update, and the camera restarts into
	// the new binary when it is installed. Both refuse with an error a user can read when
	// updates are not set up (update.conf) or one is already running.
	Update() UpdateState
	UpdateCheck(ctx context.Context) error
	UpdateApply(ctx context.Context) error

	// System is what the system service (network, swap, clock) applied and what the mdns
	// service announces, for the System page and the API.
	System() SystemState
}

// SystemState is the system settings as applied, and the mDNS name.
type SystemState struct {
	// Service is the system service's state (running, stopped …); Owned says whether freecam
	// runs as root on a camera, where the system settings are its job by default.
	Service string `json:"service"`
	Owned   bool   `json:"owned"`
	// The network as the system service applied it (empty while it does not run).
	Interface string   `json:"interface,omitempty"`
	Static    bool     `json:"static"`
	Address   string   `json:"address,omitempty"` // CIDR, 192.168.1.2/24
	Gateway   string   `json:"gateway,omitempty"`
	DNS       []string `json:"dns,omitempty"`
	// LeaseSeconds is the DHCP lease time, Bound when the last DHCP acknowledgement came.
	LeaseSeconds int        `json:"lease_seconds,omitempty"`
	Bound        time.Time  `json:"bound,omitzero"`
	Swap         []SwapArea `json:"swap,omitempty"`
	// SwapAlreadyOn are areas swap.conf asks for that were on before the service started.
	SwapAlreadyOn []string `json:"swap_already_on,omitempty"`
	SwapError     string   `json:"swap_error,omitempty"`
	// ClockManaged: another NTP daemon keeps the clock, and freecam's NTP client is off.
	ClockManaged bool      `json:"clock_managed"`
	NTPServer    string    `json:"ntp_server,omitempty"`
	NTPLastSync  time.Time `json:"ntp_last_sync,omitzero"`
	NTPOffsetMS  float64   `json:"ntp_offset_ms,omitempty"` // at the last sync, before any step
	NTPError     string    `json:"ntp_error,omitempty"`
	// TimeZone is the zone freecam uses (timezone.conf, else the OS's).
	TimeZone string `json:"time_zone"`
	// MDNS is the mdns service's state and MDNSHost the name it answers (<host>.local).
	MDNS     string `json:"mdns"`
	MDNSHost string `json:"mdns_host,omitempty"`
	// MDNSWebURL is the web UI's address by its mDNS name (https://dafang.local:8443/), "" when
	// the mdns service does not announce it (stopped, or the listener is bound to loopback).
	MDNSWebURL string `json:"mdns_web_url,omitempty"`
	// Problems are the system settings that could not be read or applied, each naming its
	// file (and line) or what failed, for the System page: "staticip.conf line 1: …".
	Problems []string `json:"problems,omitempty"`
}

// SwapArea is one swap area the system service turned on.
type SwapArea struct {
	Path     string `json:"path"`
	Priority int    `json:"priority"`
	Bytes    int64  `json:"bytes"`
}

// UpdateState is the signed self-update's state, for the System page, the API and Home
// Assistant's update entity.
type UpdateState struct {
	Configured bool      `json:"configured"`          // update.conf sets UPDATE_MANIFEST_URL and has no errors (else Error says why updates are off)
	Installed  string    `json:"installed"`           // the running version
	Latest     string    `json:"latest,omitempty"`    // the manifest's version at the last check, "" before one
	Available  bool      `json:"available"`           // Latest is newer than Installed
	Notes      string    `json:"notes,omitempty"`     // the release's notes (not signed)
	Released   time.Time `json:"released,omitzero"`   // as the manifest says
	Checking   bool      `json:"checking"`            // a check runs now
	InProgress bool      `json:"in_progress"`         // an install runs now (download, verify, swap)
	Percentage int       `json:"percentage"`          // the download's progress, 0–100
	Restarting bool      `json:"restarting"`          // installed: the camera restarts into it
	Error      string    `json:"error,omitempty"`     // why the last check or install failed
	LastCheck  time.Time `json:"last_check,omitzero"` // the last check, failed or not (Error says why)
	// Pending is the version this start runs on probation (rolled back unless it proves
	// healthy), "" when none.
	Pending      string          `json:"pending,omitempty"`
	LastRollback *UpdateRollback `json:"last_rollback,omitempty"`
	// DiskVersion is the version of the binary on disk when it is not the running one (a
	// rollback or an install from a shell replaced it; "unknown" when it does not say): a
	// restart runs it. "" when the binary on disk is the running version.
	DiskVersion string `json:"disk_version,omitempty"`
}

// UpdateRollback is the last update that was undone, and why.
type UpdateRollback struct {
	Version         string    `json:"version"`          // removed
	RestoredVersion string    `json:"restored_version"` // put back
	At              time.Time `json:"at"`
	Reason          string    `json:"reason"`
}

// URLForClient returns u (an rtsp:// or http(s):// URL the camera built with "localhost" or a
// wildcard address) with the host the client used to reach the camera (the request's Host
// header), so a URL shown to a browser on another machine works there. Other URLs are returned
// unchanged.
func URLForClient(u, requestHost string) string {
	pu, err := url.Parse(u)
	if err != nil || requestHost == "" || u == "" {
		return u
	}
	switch pu.Hostname() {
	case "localhost", "0.0.0.0", "::", "":
	default:
		return u
	}
	host := requestHost
	if h, _, err := net.SplitHostPort(requestHost); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "" {
		return u
	}
	if port := pu.Port(); port != "" {
		pu.Host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		pu.Host = "[" + host + "]"
	} else {
		pu.Host = host
	}
	return pu.String()
}
