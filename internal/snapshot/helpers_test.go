package snapshot

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/media"
)

// noisyFrames returns n camera-like pictures (gradient, noise, a bright block that moves), each
// with a different mean luma so tests can tell them apart.
func noisyFrames(w, h, n int) []*media.RawFrame {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]*media.RawFrame, n)
	for k := range out {
		f := media.NewRawFrame(w, h)
		bx := (k * w / (n + 1)) % (w - w/8)
		for y := range h {
			for x := range w {
				v := 30 + k*10 + (x*100)/w + (y*40)/h + r.IntN(13) - 6
				if x >= bx && x < bx+w/8 && y >= h/3 && y < h/3+h/8 {
					v += 80
				}
				f.Y[y*w+x] = byte(min(max(v, 0), 255))
			}
		}
		for i := range f.Cb {
			f.Cb[i] = byte(100 + r.IntN(9))
			f.Cr[i] = byte(150 + r.IntN(9))
		}
		out[k] = f
	}
	return out
}

// withID shares base's planes under a new ID and time (frames are immutable, so sharing is fine).
func withID(base *media.RawFrame, id uint64) *media.RawFrame {
	f := *base
	f.ID = id
	f.Time = time.Unix(1700000000, 0).Add(time.Duration(id) * 66 * time.Millisecond)
	f.PTS = time.Duration(id) * 66 * time.Millisecond
	return &f
}

// producer puts a new frame every interval until the returned stop is called; stop waits for it.
func producer(mb *Mailbox, frames []*media.RawFrame, firstID uint64, interval time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for id := firstID; ; id++ {
			mb.Put(withID(frames[int(id)%len(frames)], id))
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
		}
	})
	return func() { cancel(); wg.Wait() }
}

func newTestServer(t testing.TB, c *Cache) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/cgi-bin/currentpic.cgi", c.CurrentPic())
	mux.Handle("/snapshot.jpg", c.Snapshot())
	mux.Handle("/mjpeg", c.MJPEG())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// mjpegPart is one part of a multipart/x-mixed-replace stream.
type mjpegPart struct {
	header textproto.MIMEHeader
	id     uint64
	jpeg   []byte
}

// readPart reads one part: boundary line, headers, Content-Length bytes, CRLF.
func readPart(br *bufio.Reader) (mjpegPart, error) {
	tp := textproto.NewReader(br)
	line, err := tp.ReadLine()
	if err != nil {
		return mjpegPart{}, err
	}
	if line != "--"+mjpegBoundary {
		return mjpegPart{}, fmt.Errorf("boundary line: got %q, want %q", line, "--"+mjpegBoundary)
	}
	h, err := tp.ReadMIMEHeader()
	if err != nil {
		return mjpegPart{}, err
	}
	n, err := strconv.Atoi(h.Get("Content-Length"))
	if err != nil {
		return mjpegPart{}, fmt.Errorf("part Content-Length %q: %w", h.Get("Content-Length"), err)
	}
	id, err := strconv.ParseUint(h.Get("X-Frame-Id"), 10, 64)
	if err != nil {
		return mjpegPart{}, fmt.Errorf("part X-Frame-Id %q: %w", h.Get("X-Frame-Id"), err)
	}
	p := mjpegPart{header: h, id: id, jpeg: make([]byte, n)}
	if _, err := io.ReadFull(br, p.jpeg); err != nil {
		return p, err
	}
	var crlf [2]byte
	if _, err := io.ReadFull(br, crlf[:]); err != nil {
		return p, err
	}
	if string(crlf[:]) != "\r\n" {
		return p, fmt.Errorf("after the JPEG: got %q, want CRLF", crlf[:])
	}
	return p, nil
}
