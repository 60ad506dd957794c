package record

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4/codecs"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/pmp4"
)

// Suffixes of the files an MP4File uses before it is complete. Neither ends in ".mp4", so a
// retention pattern such as "*.mp4" never matches a file in progress.
const (
	SpoolSuffix = ".part" // sample payloads while the file is being recorded
	TempSuffix  = ".tmp"  // the final file while it is being written
)

// ErrNoSamples is returned by MP4File.Close when nothing was written; no file is left behind.
var ErrNoSamples = errors.New("record: no samples")

// maxMP4Bytes keeps a file within the 32-bit offsets of a progressive MP4 (stco).
const maxMP4Bytes int64 = 4<<30 - 64<<20

// spoolFlush is how many bytes of samples are gathered before they are written to the spool.
const spoolFlush = 256 << 10

type sampleInfo struct {
	size     uint32
	duration uint32
	key      bool
}

// MP4File writes one progressive ("fast start") MP4 with a single video track. Samples go to
// path+SpoolSuffix as they come; Close writes ftyp and moov, then mdat with the spooled samples,
// to path+TempSuffix, syncs it and renames it to path, so a file at path is always complete.
//
// Writing a sample whose duration is not known yet is the caller's business: the recorder holds
// one frame back. An MP4File is not safe for concurrent use.
type MP4File struct {
	path      string
	codec     codecs.Codec
	timescale uint32

	spool   *os.File
	buf     []byte // whole samples not yet in the spool
	flushed int64  // bytes in the spool
	bytes   int64  // flushed + len(buf)
	samples []sampleInfo
	ticks   uint64 // sum of durations
	inSpool int    // samples in the spool
}

// CreateMP4 starts an MP4 at path (which must not exist yet) for codec (*codecs.H264 with SPS and
// PPS, or *codecs.MJPEG with its size) with durations in units of 1/timescale s.
func CreateMP4(path string, codec codecs.Codec, timescale uint32) (*MP4File, error) {
	spool, err := os.OpenFile(path+SpoolSuffix, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("record: create %s: %w", path+SpoolSuffix, err)
	}
	return &MP4File{path: path, codec: codec, timescale: timescale, spool: spool,
		buf: make([]byte, 0, spoolFlush+64<<10)}, nil
}

// Path is where the finished file will be.
func (m *MP4File) Path() string { return m.path }

// Samples is the number of samples written so far.
func (m *MP4File) Samples() int { return len(m.samples) }

// Duration is the sum of the sample durations, in timescale units.
func (m *MP4File) Duration() uint64 { return m.ticks }

// Bytes is the payload written so far.
func (m *MP4File) Bytes() int64 { return m.bytes }

// WriteH264 adds one H.264 access unit (NAL units without start codes) lasting duration. SPS,
// PPS and access unit delimiters are left out: the parameter sets are in the sample entry.
func (m *MP4File) WriteH264(nalus [][]byte, duration uint32, key bool) error {
	start := len(m.buf)
	for _, n := range nalus {
		if len(n) == 0 {
			continue
		}
		switch n[0] & 0x1f {
		case 7, 8, 9:
			continue
		}
		m.buf = binary.BigEndian.AppendUint32(m.buf, uint32(len(n)))
		m.buf = append(m.buf, n...)
	}
	return m.add(len(m.buf)-start, duration, key)
}

// WriteSample adds one sample (a JPEG for MJPEG) lasting duration.
func (m *MP4File) WriteSample(data []byte, duration uint32, key bool) error {
	m.buf = append(m.buf, data...)
	return m.add(len(data), duration, key)
}

func (m *MP4File) add(size int, duration uint32, key bool) error {
	if m.bytes+int64(size) > maxMP4Bytes {
		m.buf = m.buf[:len(m.buf)-size]
		return fmt.Errorf("record: %s: file would exceed %d bytes", m.path, maxMP4Bytes)
	}
	m.samples = append(m.samples, sampleInfo{size: uint32(size), duration: duration, key: key})
	m.bytes += int64(size)
	m.ticks += uint64(duration)
	if len(m.buf) >= spoolFlush {
		return m.Flush()
	}
	return nil
}

// Flush writes the gathered samples to the spool. On failure (a full disk) the spool is cut back
// to its last good size and the samples stay gathered, so Flush can be called again after space
// has been freed; the sample that triggered it is already counted either way.
func (m *MP4File) Flush() error {
	if len(m.buf) == 0 {
		return nil
	}
	if _, err := m.spool.WriteAt(m.buf, m.flushed); err != nil {
		_ = m.spool.Truncate(m.flushed)
		return fmt.Errorf("record: write %s: %w", m.spool.Name(), err)
	}
	m.flushed += int64(len(m.buf))
	m.buf = m.buf[:0]
	m.inSpool = len(m.samples)
	return nil
}

// DropUnflushed forgets the samples that Flush could not write, so that Close can finish the
// file with what is already in the spool.
func (m *MP4File) DropUnflushed() {
	for _, s := range m.samples[m.inSpool:] {
		m.ticks -= uint64(s.duration)
	}
	m.samples = m.samples[:m.inSpool]
	m.buf = m.buf[:0]
	m.bytes = m.flushed
}

// Close finishes the file: path+TempSuffix gets the complete MP4, is synced and renamed to path,
// and the spool is removed. On failure the temporary file is removed and the spool kept, so Close
// may be retried (after freeing space) or the file given up with Abort. With no samples it
// removes everything and returns ErrNoSamples.
func (m *MP4File) Close() error {
	if len(m.samples) == 0 {
		m.Abort()
		return ErrNoSamples
	}
	if err := m.Flush(); err != nil {
		return err
	}
	if err := m.writeFinal(); err != nil {
		_ = os.Remove(m.path + TempSuffix)
		return err
	}
	if err := os.Rename(m.path+TempSuffix, m.path); err != nil {
		_ = os.Remove(m.path + TempSuffix)
		return fmt.Errorf("record: rename %s: %w", m.path+TempSuffix, err)
	}
	syncDir(filepath.Dir(m.path))
	m.spool.Close()
	_ = os.Remove(m.spool.Name())
	return nil
}

func (m *MP4File) writeFinal() error {
	samples := make([]pmp4.Sample, len(m.samples))
	ptrs := make([]*pmp4.Sample, len(m.samples))
	src := bufio.NewReaderSize(io.NewSectionReader(m.spool, 0, m.flushed), 256<<10)
	var payload []byte
	next := 0
	// pmp4 asks for the payloads of a single track in sample order, so one reader walks the
	// spool from the start.
	get := func() ([]byte, error) {
		n := int(m.samples[next].size)
		next++
		if cap(payload) < n {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		if _, err := io.ReadFull(src, payload); err != nil {
			return nil, fmt.Errorf("read spool: %w", err)
		}
		return payload, nil
	}
	for i, s := range m.samples {
		samples[i] = pmp4.Sample{Duration: s.duration, IsNonSyncSample: !s.key, PayloadSize: s.size, GetPayload: get}
		ptrs[i] = &samples[i]
	}
	p := pmp4.Presentation{Tracks: []*pmp4.Track{{ID: 1, TimeScale: m.timescale, Codec: m.codec, Samples: ptrs}}}

	f, err := os.OpenFile(m.path+TempSuffix, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("record: create %s: %w", m.path+TempSuffix, err)
	}
	w := bufio.NewWriterSize(f, 256<<10)
	err = p.Marshal(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("record: write %s: %w", m.path+TempSuffix, err)
	}
	return nil
}

// Abort gives the file up: the spool and any temporary file are removed, nothing appears at path.
func (m *MP4File) Abort() {
	m.spool.Close()
	_ = os.Remove(m.spool.Name())
	_ = os.Remove(m.path + TempSuffix)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
