// Package actions does what motion.conf asks for when motion starts and ends, in the firmware's
// order (detectionOn.sh / detectionOff.sh): the yellow LED, a snapshot at the trigger, a clip
// with pre-roll, both saved in the media directories with the firmware's date layout and kept
// within their retention, uploads and alerts handed to the durable delivery queues, and the
// user's scripts in config/userscripts/motiondetection run with argv, never through a shell.
//
// The video never waits for any of it: the detector only publishes events, and this package
// works on its own goroutines, one event at a time for clips.
package actions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/freecam/freecam/internal/camera"
	"github.com/freecam/freecam/internal/clip"
	"github.com/freecam/freecam/internal/conf"
	"github.com/freecam/freecam/internal/deliver"
	"github.com/freecam/freecam/internal/event"
	"github.com/freecam/freecam/internal/osd"
	"github.com/freecam/freecam/internal/storage"
	"github.com/freecam/freecam/internal/stream"
)

// Enqueuer hands an item to a target's durable queue.
type Enqueuer interface {
	Enqueue(target string, it deliver.Item) error
}

// Options configure Actions.
type Options struct {
	Config *conf.Config
	Camera camera.Camera
	Hub    *stream.Hub // the encoded stream clips are cut from
	Bus    *event.Bus
	// Queue takes the uploads and alerts; Targets names those it has ("ftp", "smb", "mail",
	// "telegram", "matrix", "dropbox"). Nil: nothing is sent anywhere.
	Queue   Enqueuer
	Targets map[string]bool
	DataDir string // media defaults and the work directory live here
	// ConfigDir holds userscripts/motiondetection.
	ConfigDir string
	Hostname  string
	Log       *slog.Logger
}

// Actions runs the motion actions of one configuration.
type Actions struct {
	o      Options
	m      conf.Motion
	log    *slog.Logger
	group  *osd.Strftime
	file   *osd.Strftime
	work   string // data/motion-work: snapshot and clip files while an event is handled
	stills *storage.Retention
	videos *storage.Retention
	clipMu sync.Mutex // one clip at a time, as the firmware's flock
	wg     sync.WaitGroup
	// finish is closed when Run's ctx ends: a clip being recorded ends there and is kept, saved
	// and queued like any other (a reload or a stop must not throw an event's clip away).
	finish  chan struct{}
	mu      sync.Mutex
	current *happening // the event in progress, nil when none
}

// happening is one motion event being handled.
type happening struct {
	start time.Time
	ended chan struct{}
	once  sync.Once
}

func (h *happening) end() { h.once.Do(func() { close(h.ended) }) }

// New prepares the actions for cfg; Run does them.
func New(o Options) *Actions {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	m := o.Config.Motion
	a := &Actions{o: o, m: m, log: o.Log, work: filepath.Join(o.DataDir, "motion-work"), finish: make(chan struct{}),
		group: osd.CompileStrftime(m.Storage.GroupPattern), file: osd.CompileStrftime(m.Storage.FilePattern)}
	s := m.Storage
	minFree := float64(s.MinFreePercent)
	maxBytes := int64(s.MaxSizeMB) << 20
	// Pictures are small next to clips: they get a tenth of the total size limit.
	a.stills = storage.NewRetention(storage.RetentionOptions{Root: m.SnapshotDir(o.DataDir), Patterns: []string{"*.jpg"},
		MaxAge: days(s.MaxSnapshotDays), MaxBytes: maxBytes / 10, MinFreePercent: minFree, MinFreeBytes: int64(s.MinFreeMB) << 20,
		Logger: o.Log.With("media", "stills")})
	a.videos = storage.NewRetention(storage.RetentionOptions{Root: m.VideoDir(o.DataDir), Patterns: []string{"*.mp4"},
		MaxAge: days(s.MaxVideoDays), MaxBytes: maxBytes - maxBytes/10, MinFreePercent: minFree, MinFreeBytes: int64(s.MinFreeMB) << 20,
		Logger: o.Log.With("media", "videos")})
	return a
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// Run handles motion events until ctx ends, then finishes the events in progress — a clip being
// recorded ends there and is still saved and queued — and returns nil.
func (a *Actions) Run(ctx context.Context) error {
	if err := os.MkdirAll(a.work, 0o700); err != nil {
		return fmt.Errorf("actions: work directory: %w", err)
	}
	a.cleanWork()
	sub := a.o.Bus.Subscribe("actions", 16, event.MotionStart, event.MotionEnd)
	defer sub.Close()
	var bg sync.WaitGroup
	for _, m := range []struct {
		on bool
		r  *storage.Retention
	}{{a.m.Actions.SaveSnapshot, a.stills}, {a.m.Actions.SaveVideo, a.videos}} {
		if !m.on { // nothing is saved there: nothing to keep within limits
			continue
		}
		if err := os.MkdirAll(m.r.Root(), a.m.Storage.DirMode); err != nil {
			a.log.Warn("motion: media directory", "dir", m.r.Root(), "err", err)
			continue
		}
		bg.Go(func() { _ = m.r.Run(ctx) })
	}
	defer bg.Wait()
	defer a.wg.Wait()
	for {
		select {
		case <-ctx.Done():
			a.mu.Lock()
			if a.current != nil {
				a.current.end()
			}
			a.mu.Unlock()
			close(a.finish)
			return nil
		case ev := <-sub.C():
			switch ev.Kind {
			case event.MotionStart:
				a.start(ctx, ev)
			case event.MotionEnd:
				a.end(ctx)
			}
		}
	}
}

// cleanWork removes what a crash left in the work directory: the queues hold their own copies.
func (a *Actions) cleanWork() {
	entries, _ := os.ReadDir(a.work)
	for _, e := range entries {
		_ = os.RemoveAll(filepath.Join(a.work, e.Name()))
	}
}

func (a *Actions) start(ctx context.Context, ev event.Event) {
	if a.m.Actions.TriggerLED {
		a.led(ctx, true)
	}
	h := &happening{start: ev.Time, ended: make(chan struct{})}
	a.mu.Lock()
	if a.current != nil {
		a.current.end()
	}
	a.current = h
	a.mu.Unlock()
	// The event's work outlives ctx: Run waits for it after closing finish.
	a.wg.Go(func() { a.handle(context.WithoutCancel(ctx), ev, h) })
}

func (a *Actions) end(ctx context.Context) {
	a.mu.Lock()
	if a.current != nil {
		a.current.end()
		a.current = nil
	}
	a.mu.Unlock()
	if a.m.Actions.TriggerLED {
		a.led(ctx, false)
	}
	a.wg.Go(func() { a.userScripts(ctx, "off", "", "") })
}

func (a *Actions) led(ctx context.Context, on bool) {
	if !a.o.Camera.Hardware().HasYellowLED {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := a.o.Camera.SetSwitch(ctx, camera.YellowLED, on); err != nil {
		a.log.Warn("motion LED", "err", err)
	}
}

// names returns the event's group directory and file name from the date patterns.
func (a *Actions) names(t time.Time) (group, name string) {
	t = t.Local()
	return string(a.group.Append(nil, t)), string(a.file.Append(nil, t))
}

// Paths are where an event at t is saved (whether or not it was): the timeline links them.
func (a *Actions) Paths(t time.Time) (snapshot, clip string) {
	g, n := a.names(t)
	return filepath.Join(a.m.SnapshotDir(a.o.DataDir), g, n+".jpg"), filepath.Join(a.m.VideoDir(a.o.DataDir), g, n+".mp4")
}

// handle does one event's work: snapshot, clip, saving, queuing and the user's scripts.
func (a *Actions) handle(ctx context.Context, ev event.Event, h *happening) {
	t := ev.Time
	group, name := a.names(t)
	id := t.UTC().Format("20060102-150405-000")
	s := a.m.Storage
	act := a.m.Actions

	snap := a.snapshot(ctx, id)
	if snap != "" {
		if act.SaveSnapshot {
			a.save(snap, filepath.Join(a.m.SnapshotDir(a.o.DataDir), group, name+".jpg"), a.stills)
		}
		it := deliver.Item{ID: id + "-snap", Kind: deliver.Snapshot, Created: t, Files: []string{snap}, Name: name, Group: group, Text: a.caption(t)}
		a.enqueue(it, a.m.FTP.Snapshot, "ftp")
		a.enqueue(it, a.m.SMB.Snapshot, "smb")
		a.enqueue(it, a.m.Dropbox.Snapshot, "dropbox")
		a.enqueue(it, act.SendTelegram && a.m.TelegramAlert.Image(), "telegram")
		a.enqueue(it, act.SendMatrix && a.m.MatrixAlert.Image(), "matrix")
	}
	text := deliver.Item{ID: id + "-text", Kind: deliver.Text, Created: t, Name: name, Group: group, Text: a.caption(t)}
	a.enqueue(text, act.SendTelegram && a.m.TelegramAlert == conf.AlertText, "telegram")
	a.enqueue(text, act.SendMatrix && a.m.MatrixAlert == conf.AlertText, "matrix")

	var mail sync.WaitGroup
	if act.SendEmail && a.o.Targets["mail"] {
		mail.Go(func() { a.mail(ctx, id, t, name, group, snap) })
	}

	clipPath := ""
	wantClip := act.SaveVideo || a.m.FTP.Video || a.m.SMB.Video || a.m.Dropbox.Video || act.MQTTVideo ||
		act.SendTelegram && a.m.TelegramAlert.Video() || act.SendMatrix && a.m.MatrixAlert.Video()
	if wantClip && a.o.Hub != nil {
		if a.clipMu.TryLock() {
			clipPath = a.clip(ctx, id, t, s, h)
			a.clipMu.Unlock()
		} else {
			a.log.Info("motion clip skipped: the previous event's clip is still recording", "event", id)
		}
	}
	if clipPath != "" {
		if act.SaveVideo {
			a.save(clipPath, filepath.Join(a.m.VideoDir(a.o.DataDir), group, name+".mp4"), a.videos)
		}
		it := deliver.Item{ID: id + "-clip", Kind: deliver.Clip, Created: t, Files: []string{clipPath}, Name: name, Group: group, Text: a.caption(t)}
		a.enqueue(it, a.m.FTP.Video, "ftp")
		a.enqueue(it, a.m.SMB.Video, "smb")
		a.enqueue(it, a.m.Dropbox.Video, "dropbox")
		a.enqueue(it, act.SendTelegram && a.m.TelegramAlert.Video(), "telegram")
		a.enqueue(it, act.SendMatrix && a.m.MatrixAlert.Video(), "matrix")
		if act.MQTTVideo {
			a.o.Bus.Publish(event.Event{Kind: event.MotionClip, Time: t, Cause: "actions", Path: clipPath})
		}
	}
	mail.Wait()
	a.userScripts(ctx, "on", snap, clipPath)
	// Every queue has its own copy now; the saved media are in the media directories.
	if snap != "" {
		_ = os.Remove(snap)
	}
	if clipPath != "" && !act.MQTTVideo {
		_ = os.Remove(clipPath)
	}
}

func (a *Actions) caption(t time.Time) string {
	return fmt.Sprintf("Motion detected on %s at %s", a.o.Hostname, t.Local().Format("2006-01-02 15:04:05"))
}

// snapshot writes the picture at the trigger to the work directory; "" when there is none.
func (a *Actions) snapshot(ctx context.Context, id string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	jpeg, err := a.o.Camera.SnapshotJPEG(ctx)
	if err != nil {
		a.log.Warn("motion snapshot", "err", err)
		return ""
	}
	path := filepath.Join(a.work, id+".jpg")
	if err := os.WriteFile(path, jpeg, 0o600); err != nil {
		a.log.Warn("motion snapshot", "err", err)
		return ""
	}
	return path
}

// clip records the event's clip into the work directory; "" when it failed.
func (a *Actions) clip(ctx context.Context, id string, t time.Time, s conf.Storage, h *happening) string {
	path := filepath.Join(a.work, id+".mp4")
	res, err := clip.Record(ctx, a.o.Hub, clip.Request{Path: path, Trigger: t, Duration: s.VideoDuration,
		PostRoll: s.PostRoll, Max: s.MaxClip, Ended: h.ended, FileMode: 0o600, Finish: a.finish})
	if err != nil {
		a.log.Warn("motion clip lost", "event", id, "err", err)
		return ""
	}
	a.log.Info("motion clip", "event", id, "seconds", res.Duration.Round(100*time.Millisecond).Seconds(),
		"preroll", res.PreRoll.Round(100*time.Millisecond).Seconds())
	return path
}

// mail collects the pictures sendmail.conf asks for (the first is the trigger's) and queues them.
func (a *Actions) mail(ctx context.Context, id string, t time.Time, name, group, first string) {
	mc := a.o.Config.Mail
	var files []string
	if mc.Quality != -1 && mc.Pictures > 0 {
		if first != "" {
			files = append(files, a.copyWork(first, id+"-mail-0.jpg"))
		}
		for i := len(files); i < mc.Pictures; i++ {
			select {
			case <-a.finish: // stopping: send what there is
				i = mc.Pictures
				continue
			case <-time.After(mc.Interval):
			}
			if p := a.snapshot(ctx, fmt.Sprintf("%s-mail-%d", id, i)); p != "" {
				files = append(files, p)
			}
		}
	}
	it := deliver.Item{ID: id + "-mail", Kind: deliver.Snapshot, Created: t, Files: files, Name: name, Group: group, Text: a.caption(t)}
	if len(files) == 0 {
		it.Kind = deliver.Text
	}
	a.enqueue(it, true, "mail")
	for _, f := range files {
		_ = os.Remove(f)
	}
}

func (a *Actions) copyWork(src, name string) string {
	dst := filepath.Join(a.work, name)
	if err := copyFile(src, dst, 0o600); err != nil {
		return ""
	}
	return dst
}

func (a *Actions) enqueue(it deliver.Item, want bool, target string) {
	if !want || a.o.Queue == nil || !a.o.Targets[target] {
		return
	}
	if err := a.o.Queue.Enqueue(target, it); err != nil {
		a.log.Error("motion: could not queue for delivery", "target", target, "item", it.ID, "err", err)
	}
}

// save copies src to dst (directories and modes from motion.conf) under a temporary name and
// renames it, so a half-written file never looks done. A full disk makes retention sweep and
// the copy is tried once more.
func (a *Actions) save(src, dst string, r *storage.Retention) {
	s := a.m.Storage
	err := saveFile(src, dst, s.FileMode, s.DirMode)
	if errors.Is(err, syscall.ENOSPC) {
		if _, serr := r.Sweep(context.Background()); serr == nil {
			err = saveFile(src, dst, s.FileMode, s.DirMode)
		}
	}
	if err != nil {
		a.log.Error("motion: could not save", "file", dst, "err", err)
		return
	}
	r.Trigger()
}
