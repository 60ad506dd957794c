package conn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/freecam/freecam/internal/fsutil"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The spool is the durable queue: one file per message in SpoolDir, named by its zero-padded
// sequence number, holding a small header (magic, QoS, retain, topic length, topic) and the
// payload. A message is written to name.tmp, synced, renamed and the directory synced, so a
// file with a plain name is always complete. The sequence resumes after a restart from the
// highest name.
type spool struct {
	dir string
	max int
	log *slog.Logger

	mu      sync.Mutex
	seqs    []uint64 // on disk, ascending
	next    uint64
	full    bool   // warned about this overflow
	dropped uint64 // oldest messages dropped because the spool was full
}

const (
	spoolMagic  = "FCQ1"
	spoolHeader = len(spoolMagic) + 1 + 1 + 2
	seqDigits   = 20
)

func openSpool(dir string, max int, log *slog.Logger) (*spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("conn: spool: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("conn: spool: %w", err)
	}
	s := &spool{dir: dir, max: max, log: log, next: 1}
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".tmp") {
			_ = os.Remove(filepath.Join(dir, name)) // a write cut short by a crash: never acknowledged
			continue
		}
		seq, err := strconv.ParseUint(name, 10, 64)
		if err != nil || len(name) != seqDigits || !e.Type().IsRegular() {
			continue // not ours
		}
		s.seqs = append(s.seqs, seq)
	}
	slices.Sort(s.seqs)
	if n := len(s.seqs); n > 0 {
		s.next = s.seqs[n-1] + 1
		log.Info("spooled messages from before the restart", "count", n, "dir", dir)
	}
	s.mu.Lock()
	s.trim()
	s.mu.Unlock()
	return s, nil
}

func (s *spool) path(seq uint64) string {
	return filepath.Join(s.dir, fmt.Sprintf("%0*d", seqDigits, seq))
}

// put writes m durably and appends it to the queue, dropping the oldest when full.
func (s *spool) put(m Message) error {
	if len(m.Topic) > 0xffff {
		return fmt.Errorf("conn: spool: topic of %d bytes is too long", len(m.Topic))
	}
	buf := make([]byte, spoolHeader+len(m.Topic)+len(m.Payload))
	copy(buf, spoolMagic)
	buf[4] = m.QoS
	if m.Retain {
		buf[5] = 1
	}
	binary.BigEndian.PutUint16(buf[6:], uint16(len(m.Topic)))
	copy(buf[spoolHeader:], m.Topic)
	copy(buf[spoolHeader+len(m.Topic):], m.Payload)

	s.mu.Lock()
	defer s.mu.Unlock()
	seq := s.next
	final := s.path(seq)
	if err := fsutil.WriteSynced(final+".tmp", buf, 0o600); err != nil {
		return fmt.Errorf("conn: spool: %w", err)
	}
	if err := os.Rename(final+".tmp", final); err != nil {
		_ = os.Remove(final + ".tmp")
		return fmt.Errorf("conn: spool: %w", err)
	}
	if err := fsutil.SyncDir(s.dir); err != nil {
		return fmt.Errorf("conn: spool: %w", err)
	}
	s.next++
	s.seqs = append(s.seqs, seq)
	s.trim()
	return nil
}

// trim drops the oldest messages beyond max, warning once per overflow. s.mu is held.
func (s *spool) trim() {
	for len(s.seqs) > s.max {
		if !s.full {
			s.full = true
			s.log.Warn("durable queue full: dropping the oldest messages", "max", s.max, "dir", s.dir)
		}
		_ = os.Remove(s.path(s.seqs[0]))
		s.seqs = s.seqs[1:]
		s.dropped++
	}
}

// oldest returns the first message in the queue; ok is false when it is empty. A damaged file
// is logged, removed and skipped.
func (s *spool) oldest() (seq uint64, m Message, ok bool) {
	for {
		s.mu.Lock()
		if len(s.seqs) == 0 {
			s.full = false
			s.mu.Unlock()
			return 0, Message{}, false
		}
		seq = s.seqs[0]
		s.mu.Unlock()
		m, err := readSpooled(s.path(seq))
		if err == nil {
			return seq, m, true
		}
		if !errors.Is(err, fs.ErrNotExist) { // not exist: dropped by trim meanwhile
			s.log.Warn("durable queue: skipping a damaged message", "err", err)
		}
		s.remove(seq)
	}
}

// remove deletes seq (delivered or damaged) from the queue.
func (s *spool) remove(seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, found := slices.BinarySearch(s.seqs, seq)
	if !found {
		return // dropped by trim meanwhile
	}
	s.seqs = slices.Delete(s.seqs, i, i+1)
	if err := os.Remove(s.path(seq)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Warn("durable queue: cannot remove a delivered message", "err", err)
	}
	if len(s.seqs) < s.max {
		s.full = false
	}
}

func (s *spool) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seqs)
}

func readSpooled(path string) (Message, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return Message{}, err
	}
	if len(buf) < spoolHeader || string(buf[:4]) != spoolMagic || buf[4] > 2 || buf[5] > 1 {
		return Message{}, fmt.Errorf("%s: not a spooled message", path)
	}
	n := int(binary.BigEndian.Uint16(buf[6:]))
	if len(buf) < spoolHeader+n {
		return Message{}, fmt.Errorf("%s: truncated", path)
	}
	return Message{
		Topic:   string(buf[spoolHeader : spoolHeader+n]),
		Payload: buf[spoolHeader+n:],
		QoS:     buf[4],
		Retain:  buf[5] == 1,
	}, nil
}
