package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/freecam/freecam/internal/buildinfo"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/metrics"
	"github.com/freecam/freecam/internal/sdnotify"
	"github.com/freecam/freecam/internal/web"
)

// The running camera's series for /metrics, its health for /healthz, and systemd's notify
// protocol. Everything is read from the parts at scrape time; the collector keeps only what the
// parts forget: the motion events seen on the bus, the drops of RTSP readers that left, the
// readers' slot numbers, and since when the source has been without a picture.

var _ web.Observable = webCamera{}

// healthWindow is how old the last picture may be when WATCHDOG_SECONDS is 0 (no watchdog).
const healthWindow = 10 * time.Second

// maxReaderSeries caps the per-reader drop series at the readers with the most drops. The
// series are labelled by slot (see readerSlots), not by address, so they stay few anyway; the
// total counts every reader.
const maxReaderSeries = 16

// Health is nil when the camera runs and the source delivered a picture within the watchdog
// period (WATCHDOG_SECONDS, or 10 s when the watchdog is off); otherwise it says why not.
// It is safe from any goroutine and never waits.
func (a *App) Health() error {
	inst, cfg := a.current()
	if inst == nil {
		return errors.New("the camera is not running (starting, restarting or stopping)")
	}
	window := cfg.Freecam.Watchdog
	if window <= 0 {
		window = healthWindow
	}
	last := inst.pipe.LastFrame()
	if last.IsZero() {
		return fmt.Errorf("no picture from the source %q yet", cfg.Freecam.Source)
	}
	if age := time.Since(last); age > window {
		return fmt.Errorf("no picture from the source %q for %s (allowed: %s)", cfg.Freecam.Source, age.Round(100*time.Millisecond), window)
	}
	return nil
}

// Health implements web.Observable.
func (w webCamera) Health() error { return w.a.Health() }

// MetricsCollector implements web.Observable. The web server calls it once per Run; the
// collector's bus subscription lives as long as the App's bus (it has no goroutine: the motion
// events are counted at each scrape from what is queued and what the queue dropped).
func (w webCamera) MetricsCollector() func(*metrics.Writer) {
	c := &collector{
		a:       w.a,
		commit:  buildinfo.Get().Commit,
		motion:  w.a.bus.Subscribe("metrics", 16, event.MotionStart),
		readers: map[string]uint64{},
		slots:   readerSlots{},
	}
	return c.collect
}

type collector struct {
	a       *App
	commit  string // the build's VCS revision, for freecam_build_info
	motion  *event.Subscription
	motions uint64 // MotionStart events taken off the subscription

	readers   map[string]uint64 // drops of each RTSP reader at the last scrape
	goneDrops uint64            // drops of readers that have left
	slots     readerSlots       // each current reader's label

	frames frameClock // for freecam_source_last_frame_age_seconds
}

// frameClock is since when the source has been without a picture: its last picture, or, before
// the first one, when the source started. It keeps that time across scrapes, so the age is there
// (and grows) from freecam's start on, also for a source that never delivers a picture, and
// does not fall to 0 while a reload swaps the parts.
type frameClock struct {
	inst  *instance // the parts seen at the last scrape
	since time.Time
}

// age is the picture age at now. started is when freecam started; inst the running parts (nil
// while it starts or a reload swaps them) and last their source's last picture (zero: none yet).
// A new inst is a source started by a reload: its age counts from the first scrape that sees
// it, at most one scrape interval late. The first inst counts from freecam's start.
func (f *frameClock) age(started time.Time, inst *instance, last, now time.Time) time.Duration {
	if f.since.IsZero() {
		f.since = started
	}
	if inst != nil && inst != f.inst {
		if f.inst != nil {
			f.since = now
		}
		f.inst = inst
	}
	if !last.IsZero() {
		f.since = last
	}
	return max(now.Sub(f.since), 0)
}

// motionEvents counts MotionStart events: each published one is either taken here or dropped
// by the subscription's full queue, which counts it.
func (c *collector) motionEvents() uint64 {
	for {
		select {
		case <-c.motion.C():
			c.motions++
			continue
		default:
		}
		return c.motions + c.motion.Dropped()
	}
}

func (c *collector) collect(w *metrics.Writer) {
	a := c.a
	metrics.Process{Start: a.started, Version: a.opts.Version, Commit: c.commit}.Collect(w)
	inst, _ := a.current()
	up := 0.0
	if inst != nil {
		up = 1
	}
	w.Gauge("freecam_up", "1 while the camera runs, 0 while it starts, restarts for a reload or stops; a camera whose source delivers nothing is up but not healthy (freecam_healthy).", up)
	healthy := 0.0
	if a.Health() == nil {
		healthy = 1
	}
	w.Gauge("freecam_healthy", "1 when /healthz answers ok: the camera runs and the source delivered a picture within WATCHDOG_SECONDS (10 s without a watchdog); 0 otherwise.", healthy)
	var last time.Time
	if inst != nil {
		last = inst.pipe.LastFrame()
	}
	w.Gauge("freecam_source_last_frame_age_seconds", "Seconds since the source delivered its last picture; before its first picture, seconds since freecam (or, after a reload, the new source) started, so an alert on it fires for a source that never worked.",
		c.frames.age(a.started, inst, last, time.Now()).Seconds())
	w.Counter("freecam_motion_events_total", "Motion events (starts) since freecam started.", float64(c.motionEvents()))
	status := webCamera{a}.Status()
	if status.FreeBytes >= 0 {
		w.Gauge("freecam_storage_free_bytes", "Free space where recordings and clips go.", float64(status.FreeBytes))
	}
	if wifi := status.WiFi; wifi != nil {
		w.Gauge("freecam_wifi_signal_dbm", "Wireless signal level.", float64(wifi.SignalDBm), metrics.Label{Name: "interface", Value: wifi.Interface})
	}
	c.deliveries(w)
	if inst == nil {
		return
	}
	ps := inst.pipe.Stats()
	in := ps.RawFrames
	if inst.supervisor.src.Format().Encoded != 0 { // H.264 from the source goes straight out
		in += ps.EncodedFrames
	}
	w.Counter("freecam_source_frames_total", "Pictures from the source since the video last (re)started.", float64(in))
	w.Counter("freecam_encoded_frames_total", "Access units published to the stream since the video last (re)started.", float64(ps.EncodedFrames))
	w.Counter("freecam_encoder_dropped_frames_total", "Raw pictures replaced before the encoder took them (the encoder was slower than the source).", float64(ps.MailboxDrops))
	w.Counter("freecam_encode_errors_total", "Failed encoder creations and encodes.", float64(ps.EncodeErrors))
	w.Gauge("freecam_encode_last_duration_seconds", "How long the last picture took to encode.", ps.LastEncode.Seconds())
	w.Histogram("freecam_encode_duration_seconds", "How long pictures took to encode (software H.264 or MJPEG), since freecam started.", c.a.encodeTime)
	w.Counter("freecam_source_restarts_total", "Source restarts (it failed, ended or stalled) since the video last (re)started.", float64(inst.supervisor.restarts.Load()))
	w.Counter("freecam_source_watchdog_restarts_total", "Source restarts because no picture arrived within WATCHDOG_SECONDS.", float64(inst.supervisor.watchdogRestarts.Load()))
	snap := inst.snapshots.Stats()
	w.Counter("freecam_snapshot_encodes_total", "JPEG encodes of the snapshot cache.", float64(snap.Encodes))
	w.Gauge("freecam_mjpeg_streams", "MJPEG streams being served.", float64(snap.Streams))
	c.rtsp(w, inst)
}

// rtsp writes the reader counts and drops. A reader's drops are its hub queue's drops plus the
// frames it skipped waiting for a keyframe after its UDP queue overflowed.
func (c *collector) rtsp(w *metrics.Writer, inst *instance) {
	type reader struct {
		key, transport string
		dropped        uint64
	}
	var readers []reader
	sessions, playing := 0, 0
	now := map[string]uint64{}
	transport := map[string]string{}
	if srv := inst.rtsp.Load(); srv != nil {
		st := srv.Stats()
		sessions, playing = st.Sessions, st.Playing
		for _, r := range st.Readers {
			key := r.Remote + " " + r.Transport
			now[key] += r.Hub.Dropped + r.Skipped
			transport[key] = r.Transport
		}
	}
	for key, last := range c.readers {
		if _, ok := now[key]; !ok {
			c.goneDrops += last
		}
	}
	var total uint64
	for key, d := range now {
		if d < c.readers[key] { // the same address in a new session: its count restarted
			c.goneDrops += c.readers[key]
		}
		total += d
		readers = append(readers, reader{key, transport[key], d})
	}
	c.readers = now
	c.slots.update(now)
	w.Gauge("freecam_rtsp_sessions", "RTSP sessions set up.", float64(sessions))
	w.Gauge("freecam_rtsp_readers", "RTSP sessions playing.", float64(playing))
	w.Counter("freecam_rtsp_dropped_frames_total", "Frames RTSP readers did not get because they were too slow, all readers since freecam started.", float64(c.goneDrops+total))
	w.Family("freecam_rtsp_reader_dropped_frames_total", metrics.Counter,
		fmt.Sprintf("Frames each current RTSP reader did not get because it was too slow; the %d readers with the most drops. "+
			"reader is a slot number: a new reader takes the lowest one free, so the series are as many as readers were ever at once, "+
			"and a reused slot's count starts again (a counter reset); transport is TCP, UDP or UDP-multicast. "+
			"Client addresses are left out: viewer accounts read /metrics.", maxReaderSeries))
	sort.Slice(readers, func(i, j int) bool {
		if readers[i].dropped != readers[j].dropped {
			return readers[i].dropped > readers[j].dropped
		}
		return c.slots[readers[i].key] < c.slots[readers[j].key]
	})
	for i, r := range readers {
		if i == maxReaderSeries {
			break
		}
		w.Sample("freecam_rtsp_reader_dropped_frames_total", float64(r.dropped),
			metrics.Label{Name: "reader", Value: strconv.Itoa(c.slots[r.key])}, metrics.Label{Name: "transport", Value: r.transport})
	}
}

// readerSlots numbers the current RTSP readers 1, 2, 3 … as file descriptors are numbered: a
// reader new at a scrape takes the lowest number free, a reader that left frees its number. The
// keys (address and transport) stay in here; /metrics shows only the numbers.
type readerSlots map[string]int

// update drops the readers not in current and numbers the new ones, in key order so that
// readers new at the same scrape are numbered the same way every time.
func (s readerSlots) update(current map[string]uint64) {
	used := map[int]bool{}
	for key, n := range s {
		if _, ok := current[key]; !ok {
			delete(s, key)
			continue
		}
		used[n] = true
	}
	var fresh []string
	for key := range current {
		if _, ok := s[key]; !ok {
			fresh = append(fresh, key)
		}
	}
	sort.Strings(fresh)
	n := 1
	for _, key := range fresh {
		for used[n] {
			n++
		}
		s[key] = n
		used[n] = true
	}
}

// deliveries writes each delivery target's queue (internal/deliver's status).
func (c *collector) deliveries(w *metrics.Writer) {
	st := webCamera{c.a}.Deliveries()
	families := []struct {
		name, help string
		typ        metrics.Type
		value      func(i int) float64
	}{
		{"freecam_deliveries_total", "Items delivered to the target since its queue started.", metrics.Counter, func(i int) float64 { return float64(st[i].Delivered) }},
		{"freecam_delivery_failures_total", "Failed delivery attempts (retried) since the queue started.", metrics.Counter, func(i int) float64 { return float64(st[i].Failures) }},
		{"freecam_delivery_dropped_total", "Items given up (too old, permanent error) since the queue started.", metrics.Counter, func(i int) float64 { return float64(st[i].Dropped) }},
		{"freecam_delivery_queue_length", "Items waiting in the target's spool.", metrics.Gauge, func(i int) float64 { return float64(st[i].Queued) }},
	}
	for _, f := range families {
		w.Family(f.name, f.typ, f.help)
		for i := range st {
			w.Sample(f.name, f.value(i), metrics.Label{Name: "target", Value: st[i].Target})
		}
	}
}

// NotifySystemd speaks systemd's notify protocol when NOTIFY_SOCKET is set (a Type=notify
// unit), and returns at once otherwise. Run it beside Run with the same ctx: it sends READY=1
// once the camera runs; WATCHDOG=1 every half WATCHDOG_USEC while Health is nil (so systemd
// restarts a freecam whose source is stuck, after the source watchdog failed to revive it); and
// STOPPING=1 when ctx ends, then returns.
func (a *App) NotifySystemd(ctx context.Context) {
	n := sdnotify.New(os.Getenv("NOTIFY_SOCKET"))
	if n == nil {
		return
	}
	a.notifySystemd(ctx, n, sdnotify.WatchdogInterval(os.Getenv("WATCHDOG_USEC"), os.Getenv("WATCHDOG_PID"), os.Getpid()))
}

// readyPoll is how often notifySystemd looks whether the camera runs yet.
const readyPoll = 50 * time.Millisecond

func (a *App) notifySystemd(ctx context.Context, n *sdnotify.Notifier, watchdog time.Duration) {
	log := a.log.With("component", "systemd")
	var lastErr string
	send := func(states ...string) {
		if err := n.Notify(states...); err != nil && err.Error() != lastErr {
			log.Warn("telling systemd", "err", err) // once per kind of failure
			lastErr = err.Error()
		}
	}
	poll := time.NewTicker(readyPoll)
	defer poll.Stop()
	ready := poll.C
	var ping <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			send(sdnotify.Stopping)
			return
		case <-ready:
			if inst, _ := a.current(); inst == nil {
				continue
			}
			send(sdnotify.Ready, "STATUS=camera running")
			poll.Stop()
			ready = nil
			if watchdog > 0 {
				t := time.NewTicker(watchdog)
				defer t.Stop()
				ping = t.C
			}
		case <-ping:
			if err := a.Health(); err != nil {
				log.Debug("no watchdog ping for systemd", "reason", err)
				continue
			}
			send(sdnotify.Watchdog)
		}
	}
}
