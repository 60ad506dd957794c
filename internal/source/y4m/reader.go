// Package y4m reads YUV4MPEG2 (.y4m) video: a Reader for any byte stream (a file, a process's
// stdout) and a Source that plays a file in a loop at its frame rate. Only 8-bit 4:2:0 is read;
// anything else is refused with a hint on how to convert it.
package y4m

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/freecam/freecam/internal/media"
)

// Magic starts every YUV4MPEG2 stream.
const Magic = "YUV4MPEG2 "

// maxHeaderLine bounds the stream and frame header lines.
const maxHeaderLine = 4096

// maxDimension bounds W and H so a bad header cannot ask for an absurd allocation.
const maxDimension = 8192

// ConvertHint is how to turn another video into a file this package reads.
const ConvertHint = "ffmpeg -i in -pix_fmt yuv420p -f yuv4mpegpipe out.y4m"

// Header is a parsed stream header.
type Header struct {
	Width, Height  int
	FPSNum, FPSDen int    // 0 when the stream has no F tag
	Interlace      string // the I tag's value, "" when absent
	Aspect         string // the A tag's value, "" when absent
	Chroma         string // the C tag's value, "" when absent (4:2:0)
}

// Reader reads frames from a YUV4MPEG2 stream. It is not safe for concurrent use.
type Reader struct {
	r   *bufio.Reader
	hdr Header
}

// NewReader reads and checks the stream header from r.
func NewReader(r io.Reader) (*Reader, error) {
	rd, err := newReader(r)
	if err != nil {
		return nil, fmt.Errorf("y4m: %w", err)
	}
	return rd, nil
}

func newReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	line, err := readLine(br)
	if err != nil {
		return nil, fmt.Errorf("read stream header: %w", err)
	}
	hdr, err := parseHeader(line)
	if err != nil {
		return nil, err
	}
	return &Reader{r: br, hdr: hdr}, nil
}

// Header returns the stream header.
func (r *Reader) Header() Header { return r.hdr }

// Format is the stream's size and rate (0/0 when the stream does not say).
func (r *Reader) Format() media.VideoFormat {
	return media.VideoFormat{Width: r.hdr.Width, Height: r.hdr.Height, FPSNum: r.hdr.FPSNum, FPSDen: r.hdr.FPSDen}
}

// ReadFrame reads the next frame's pictures into dst, replacing dst's planes if they do not have
// the stream's size. It sets Width and Height and leaves ID, Time and PTS alone. At the clean end
// of the stream it returns io.EOF; a truncated frame is io.ErrUnexpectedEOF.
func (r *Reader) ReadFrame(dst *media.RawFrame) error {
	err := r.readFrame(dst)
	if err != nil && err != io.EOF {
		return fmt.Errorf("y4m: %w", err)
	}
	return err
}

func (r *Reader) readFrame(dst *media.RawFrame) error {
	line, err := readLine(r.r)
	if err != nil {
		if errors.Is(err, io.EOF) && len(line) == 0 {
			return io.EOF
		}
		return fmt.Errorf("read frame header: %w", err)
	}
	if !bytes.Equal(line, []byte("FRAME")) && !bytes.HasPrefix(line, []byte("FRAME ")) {
		return fmt.Errorf("got %q, want a FRAME header", truncate(line))
	}
	w, h := r.hdr.Width, r.hdr.Height
	if dst.Width != w || dst.Height != h || len(dst.Y) != w*h || len(dst.Cb) != w*h/4 || len(dst.Cr) != w*h/4 {
		*dst = *media.NewRawFrame(w, h)
	}
	for _, p := range [][]byte{dst.Y, dst.Cb, dst.Cr} {
		if _, err := io.ReadFull(r.r, p); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("read frame data: %w", err)
		}
	}
	return nil
}

// readLine reads one '\n'-terminated line of at most maxHeaderLine bytes, without the newline.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxHeaderLine {
			return nil, fmt.Errorf("header line longer than %d bytes", maxHeaderLine)
		}
		switch {
		case err == nil:
			return line[:len(line)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(line) > 0:
			return line, io.ErrUnexpectedEOF
		default:
			return line, err
		}
	}
}

// parseHeader parses a stream header line without its newline.
func parseHeader(line []byte) (Header, error) {
	var h Header
	rest, ok := bytes.CutPrefix(line, []byte(Magic))
	if !ok {
		return h, fmt.Errorf("not a YUV4MPEG2 stream (starts with %q)", truncate(line))
	}
	for _, f := range bytes.Fields(rest) {
		tag, val := f[0], string(f[1:])
		var err error
		switch tag {
		case 'W':
			h.Width, err = dimension(val)
		case 'H':
			h.Height, err = dimension(val)
		case 'F':
			h.FPSNum, h.FPSDen, err = ratio(val)
			if err == nil && (h.FPSNum == 0 || h.FPSDen == 0) {
				err = errors.New("must be positive")
			}
		case 'I':
			h.Interlace = val
		case 'A':
			h.Aspect = val
			if val != "0:0" {
				_, _, err = ratio(val)
			}
		case 'C':
			h.Chroma = val
			switch val {
			case "420", "420jpeg", "420paldv", "420mpeg2":
			default:
				return h, fmt.Errorf("unsupported colour format C%s: freecam reads 8-bit 4:2:0 only; convert with: %s", val, ConvertHint)
			}
		}
		if err != nil {
			return h, fmt.Errorf("bad %c tag %q: %w", tag, val, err)
		}
	}
	switch {
	case h.Width == 0 || h.Height == 0:
		return h, errors.New("stream header has no W or H tag")
	case h.Width%2 != 0 || h.Height%2 != 0:
		return h, fmt.Errorf("odd picture size %dx%d: 4:2:0 needs even sizes; crop with: ffmpeg -i in -vf crop=trunc(iw/2)*2:trunc(ih/2)*2 -pix_fmt yuv420p -f yuv4mpegpipe out.y4m", h.Width, h.Height)
	}
	return h, nil
}

func dimension(s string) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, err
	}
	if v <= 0 || v > maxDimension {
		return 0, fmt.Errorf("must be between 1 and %d", maxDimension)
	}
	return v, nil
}

func ratio(s string) (num, den int, err error) {
	a, b, ok := bytes.Cut([]byte(s), []byte(":"))
	if !ok {
		return 0, 0, errors.New("want N:D")
	}
	if num, err = strconv.Atoi(string(a)); err != nil {
		return 0, 0, err
	}
	if den, err = strconv.Atoi(string(b)); err != nil {
		return 0, 0, err
	}
	if num < 0 || den < 0 || num > 1<<30 || den > 1<<30 {
		return 0, 0, errors.New("out of range")
	}
	return num, den, nil
}

func truncate(b []byte) []byte {
	if len(b) > 32 {
		return b[:32]
	}
	return b
}
