package eventlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/freecam/freecam/internal/camera"
)

// record is one line of events.jsonl. The thumbnail flag is not stored: the file in thumbs/ is
// the truth, found again at New.
type record struct {
	ID   string    `json:"id"`
	Kind string    `json:"kind"`
	Time time.Time `json:"time"`
	Text string    `json:"text"`
}

// maxLine is the longest line load accepts; longer ones are corrupt (a record is far shorter).
const maxLine = 64 << 10

// maxWarned is how many corrupt lines load names one by one before it only counts them.
const maxWarned = 10

// load reads events.jsonl into memory, keeping the last MaxEvents events and skipping corrupt
// lines with a warning that names the file and the line. An unreadable file is logged and leaves
// the timeline empty: the camera runs on. It reports whether the file was read to its end (or
// does not exist).
func (l *Log) load() bool {
	f, err := os.Open(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if err != nil {
		l.problem("read the event log", err)
		return false
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 4096)
	var line []byte
	corrupt := 0
	for n := 1; ; n++ {
		line, err = readLine(r, line[:0])
		if len(line) == 0 && err == io.EOF {
			break
		}
		l.lines++
		l.needNL = err == io.EOF // a last line cut short (a crash during a write)
		if ev, bad := parse(line); bad != nil {
			if corrupt++; corrupt <= maxWarned {
				l.opts.Log.Warn("eventlog: skipping a corrupt line", "file", l.path, "line", n, "err", bad)
			}
		} else if ev.ID != "" {
			l.events = append(l.events, ev)
			if len(l.events) >= 2*l.opts.MaxEvents {
				l.events = append(l.events[:0], l.events[len(l.events)-l.opts.MaxEvents:]...)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			l.problem("read the event log", fmt.Errorf("%s:%d: %w", l.path, n, err))
			return false
		}
	}
	if corrupt > maxWarned {
		l.opts.Log.Warn("eventlog: skipped more corrupt lines", "file", l.path, "corrupt", corrupt)
	}
	if len(l.events) > l.opts.MaxEvents {
		l.events = append(l.events[:0], l.events[len(l.events)-l.opts.MaxEvents:]...)
	}
	return true
}

// errTooLong marks a line longer than maxLine.
var errTooLong = errors.New("line too long")

// readLine appends the next line of r without its newline to buf. It returns io.EOF with the last
// line when that has no newline, and errTooLong in place of a parse for an overlong line (whose
// start is returned and whose rest is consumed).
func readLine(r *bufio.Reader, buf []byte) ([]byte, error) {
	for {
		chunk, err := r.ReadSlice('\n')
		if len(buf)+len(chunk) <= maxLine+1 {
			buf = append(buf, chunk...)
		} else if len(buf) <= maxLine {
			buf = append(buf, chunk[:maxLine+1-len(buf)]...)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err != nil:
			return buf, err
		}
		return bytes.TrimSuffix(buf, []byte("\n")), nil
	}
}

// parse decodes one line. An empty line is no event and no error (a newline added after a failed
// write); anything else that is not a whole, valid record is an error.
func parse(line []byte) (camera.Event, error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return camera.Event{}, nil
	}
	if len(line) > maxLine {
		return camera.Event{}, errTooLong
	}
	var rec record
	if err := json.Unmarshal(line, &rec); err != nil {
		return camera.Event{}, err
	}
	switch {
	case !ValidID(rec.ID):
		return camera.Event{}, fmt.Errorf("bad id %q", rec.ID)
	case rec.Kind == "":
		return camera.Event{}, errors.New("no kind")
	case rec.Time.IsZero():
		return camera.Event{}, errors.New("no time")
	}
	return camera.Event{ID: rec.ID, Kind: rec.Kind, Time: rec.Time, Text: rec.Text}, nil
}

// appendEvent adds ev to events.jsonl and compacts the file when it has grown past twice
// MaxEvents lines. Called by Run's goroutine only.
func (l *Log) appendEvent(ev camera.Event) {
	b, err := json.Marshal(record{ID: ev.ID, Kind: ev.Kind, Time: ev.Time, Text: ev.Text})
	if err != nil { // cannot happen with these field types
		l.problem("encode an event", err)
		return
	}
	if l.needNL {
		b = append([]byte{'\n'}, b...)
	}
	b = append(b, '\n')
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err == nil {
		_, err = f.Write(b)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		l.needNL = true // part of the line may be there: start the next on a line of its own
		l.problem("write the event log", err)
		return
	}
	l.needNL = false
	l.lines += bytes.Count(b, []byte{'\n'})
	if l.lines > 2*l.opts.MaxEvents {
		l.compact()
	}
}

// compact rewrites events.jsonl with the events held in memory (temp file, fsync, rename), so
// the file stays within 2×MaxEvents lines. On failure the old file stays.
func (l *Log) compact() {
	l.mu.Lock()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, ev := range l.events {
		_ = enc.Encode(record{ID: ev.ID, Kind: ev.Kind, Time: ev.Time, Text: ev.Text}) // cannot fail
	}
	n := len(l.events)
	l.mu.Unlock()

	tmp := l.path + ".tmp"
	err := writeSync(tmp, buf.Bytes())
	if err == nil {
		err = os.Rename(tmp, l.path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		l.problem("compact the event log", err)
		return
	}
	l.lines, l.needNL = n, false
}

// writeSync writes b to a new file at path (0644) and syncs it.
func writeSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
