package eventlog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// thumbTimeout bounds one call of Options.Thumb.
const thumbTimeout = 10 * time.Second

// thumbQueue is how many motion events may wait for a thumbnail; more are recorded without one.
const thumbQueue = 4

func (l *Log) thumbPath(id string) string { return filepath.Join(l.thumb, id+".jpg") }

// loadThumbs finds the thumbnails on disk, marks their events and deletes what is beyond
// MaxThumbs, and, when the event log was read whole, the thumbnails of events no longer held and
// leftovers of interrupted writes.
func (l *Log) loadThumbs(prune bool) {
	entries, err := os.ReadDir(l.thumb)
	if err != nil {
		l.problem("read the thumbnails", err)
		return
	}
	onDisk := make(map[string]bool, len(entries))
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".jpg"); ok && ValidID(id) && e.Type().IsRegular() {
			onDisk[id] = true
		} else if prune && strings.HasSuffix(e.Name(), ".tmp") {
			_ = os.Remove(filepath.Join(l.thumb, e.Name()))
		}
	}
	l.mu.Lock()
	for i := range l.events {
		if id := l.events[i].ID; onDisk[id] {
			l.events[i].Thumb = true
			l.thumbs = append(l.thumbs, id)
			delete(onDisk, id)
		}
	}
	gone := l.trimThumbs()
	l.mu.Unlock()
	if prune {
		for id := range onDisk {
			gone = append(gone, id)
		}
	}
	l.removeThumbs(gone)
}

// trimThumbs unmarks the oldest thumbnails beyond MaxThumbs and returns their ids, for
// removeThumbs. Call with l.mu held.
func (l *Log) trimThumbs() []string {
	over := len(l.thumbs) - l.opts.MaxThumbs
	if over <= 0 {
		return nil
	}
	gone := slices.Clone(l.thumbs[:over])
	l.thumbs = append(l.thumbs[:0], l.thumbs[over:]...)
	for _, id := range gone {
		l.setThumb(id, false)
	}
	return gone
}

// setThumb sets the Thumb flag of the held event id and reports whether it is held. Call with
// l.mu held.
func (l *Log) setThumb(id string, on bool) bool {
	for i := len(l.events) - 1; i >= 0; i-- {
		if l.events[i].ID == id {
			l.events[i].Thumb = on
			return true
		}
	}
	return false
}

// removeThumbs deletes the thumbnails of ids.
func (l *Log) removeThumbs(ids []string) {
	for _, id := range ids {
		if err := os.Remove(l.thumbPath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
			l.problem("delete a thumbnail", err)
		}
	}
}

// thumbWorker takes the thumbnails of the motion events sent on jobs until ctx ends.
func (l *Log) thumbWorker(ctx context.Context, jobs <-chan string) {
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-jobs:
			l.takeThumb(ctx, id)
		}
	}
}

// takeThumb asks Options.Thumb for a picture and saves it as thumbs/<id>.jpg (0644, written to a
// temporary file and renamed), then marks the event and deletes the oldest thumbnails beyond
// MaxThumbs.
func (l *Log) takeThumb(ctx context.Context, id string) {
	tctx, cancel := context.WithTimeout(ctx, thumbTimeout)
	jpeg, err := l.opts.Thumb(tctx)
	cancel()
	if err != nil || len(jpeg) == 0 {
		if ctx.Err() == nil {
			if err == nil {
				err = errors.New("empty picture")
			}
			l.problem("take a thumbnail", err)
		}
		return
	}
	tmp := filepath.Join(l.thumb, id+".tmp")
	err = writeSync(tmp, jpeg)
	if err == nil {
		err = os.Rename(tmp, l.thumbPath(id))
	}
	if err != nil {
		_ = os.Remove(tmp)
		l.problem("save a thumbnail", err)
		return
	}
	l.mu.Lock()
	var gone []string
	if l.setThumb(id, true) {
		l.thumbs = append(l.thumbs, id)
		gone = l.trimThumbs()
	} else {
		gone = []string{id} // the event left the timeline meanwhile
	}
	l.mu.Unlock()
	l.removeThumbs(gone)
}
