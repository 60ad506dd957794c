package rtsp

import (
	"errors"
	"fmt"
	"sync"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/jpeg"

	"github.com/freecam/freecam/internal/media"
)

// The TCP fast path packetizes every frame once for all its readers: framePackets describes the
// RTP payloads of one frame without copying it, and each reader copies them straight into its own
// interleaved output behind its own RTP headers.

// maxRTPPayload is the largest RTP payload, as in gortsplib's encoders: 12-byte header packets then
// fit its MaxPacketSize of 1472.
const maxRTPPayload = 1450

// rtpChunk is the payload of one RTP packet: heads[headOff:headOff+headLen] (payload headers owned
// by the framePackets) followed by the frame's NALUs[nalu][off:end].
type rtpChunk struct {
	headOff int32
	headLen int32
	nalu    int32
	off     int32
	end     int32
	marker  bool
}

func (c *rtpChunk) size() int { return int(c.headLen + c.end - c.off) }

// framePackets are the RTP payloads of one frame. It is immutable once made and shared by every
// reader of that frame; it refers to the frame's bytes by index only, so it keeps no frame alive.
type framePackets struct {
	seq     uint64 // Frame.Seq
	nalus   int    // len(Frame.NALUs), checked on use
	chunks  []rtpChunk
	heads   []byte
	payload int   // sum of the payload sizes
	err     error // the frame cannot be sent (empty, malformed)
}

// wireSize is the size of the frame as interleaved RTP: '$', channel, length and a 12-byte RTP
// header in front of every payload.
func (fp *framePackets) wireSize() int { return fp.payload + len(fp.chunks)*(4+rtpHeaderSize) }

const rtpHeaderSize = 12

// packetizeFrame packetizes fr for codec with payloads of at most maxPayload bytes.
func packetizeFrame(codec media.Codec, fr *media.Frame, maxPayload int) *framePackets {
	fp := &framePackets{seq: fr.Seq, nalus: len(fr.NALUs)}
	if codec == media.CodecMJPEG {
		fp.err = fp.mjpeg(fr, maxPayload)
	} else {
		fp.err = fp.h264(fr, maxPayload)
	}
	if fp.err != nil {
		fp.chunks, fp.heads, fp.payload = nil, nil, 0
	}
	return fp
}

// h264 packetizes an access unit as RFC 6184 non-interleaved mode does: a NAL unit that fits is
// sent as it is, a larger one as FU-A fragments. Access unit delimiters are left out (§5.1).
func (fp *framePackets) h264(fr *media.Frame, maxPayload int) error {
	const fuA = 28
	avail := maxPayload - 2 // FU indicator and FU header
	last, count, frags := -1, 0, 0
	for i, n := range fr.NALUs {
		if len(n) == 0 || n[0]&0x1f == naluAUD {
			continue
		}
		last = i
		if len(n) <= maxPayload {
			count++
		} else {
			k := (len(n) - 1 + avail - 1) / avail
			count += k
			frags += k
		}
	}
	if last < 0 {
		return errEmptyFrame
	}
	fp.chunks = make([]rtpChunk, 0, count)
	if frags > 0 {
		fp.heads = make([]byte, 0, 2*frags)
	}
	for i, n := range fr.NALUs {
		if len(n) == 0 || n[0]&0x1f == naluAUD {
			continue
		}
		if len(n) <= maxPayload {
			fp.chunks = append(fp.chunks, rtpChunk{nalu: int32(i), end: int32(len(n)), marker: i == last})
			fp.payload += len(n)
			continue
		}
		indicator := n[0]&0xe0 | fuA // F and NRI of the NAL unit
		typ := n[0] & 0x1f
		for off := 1; off < len(n); off += avail {
			end := min(off+avail, len(n))
			header := typ
			if off == 1 {
				header |= 0x80 // start
			}
			if end == len(n) {
				header |= 0x40 // end
			}
			c := rtpChunk{headOff: int32(len(fp.heads)), headLen: 2, nalu: int32(i), off: int32(off),
				end: int32(end), marker: i == last && end == len(n)}
			fp.heads = append(fp.heads, indicator, header)
			fp.chunks = append(fp.chunks, c)
			fp.payload += c.size()
		}
	}
	return nil
}

var errBadJPEG = errors.New("rtsp: JPEG not sendable over RTP (RFC 2435 wants baseline 4:2:0 or 4:2:2, at most 2040×2040)")

// mjpeg packetizes a baseline JPEG as RFC 2435 does, like gortsplib's rtpmjpeg encoder: every
// packet has the main JPEG header (type, Q=255, size in blocks, fragment offset), a restart marker
// header when the image has restart intervals, and the first one carries the quantization tables
// in-band; the payload is the entropy-coded data after the SOS header.
func (fp *framePackets) mjpeg(fr *media.Frame, maxPayload int) error {
	if len(fr.NALUs) == 0 {
		return errEmptyFrame
	}
	img := fr.NALUs[0]
	if len(img) < 4 || img[0] != 0xff || img[1] != jpeg.MarkerStartOfImage {
		return errEmptyFrame
	}
	var (
		sof     *jpeg.StartOfFrame1
		dri     *jpeg.DefineRestartInterval
		qtables [16][]byte
		data    = -1 // offset of the scan data
	)
	pos := 2
	for data < 0 {
		if pos+4 > len(img) || img[pos] != 0xff {
			return fmt.Errorf("%w: bad marker at %d", errBadJPEG, pos)
		}
		marker := img[pos+1]
		if marker == 0xff { // fill byte
			pos++
			continue
		}
		segEnd := pos + 2 + (int(img[pos+2])<<8 | int(img[pos+3]))
		if segEnd < pos+4 || segEnd > len(img) {
			return fmt.Errorf("%w: segment %#x overruns the image", errBadJPEG, marker)
		}
		seg := img[pos+4 : segEnd]
		switch {
		case marker == jpeg.MarkerDefineQuantizationTable:
			var dqt jpeg.DefineQuantizationTable
			if err := dqt.Unmarshal(seg); err != nil {
				return fmt.Errorf("%w: %w", errBadJPEG, err)
			}
			for _, t := range dqt.Tables {
				qtables[t.ID] = t.Data
			}
		case marker == jpeg.MarkerDefineRestartInterval:
			dri = &jpeg.DefineRestartInterval{}
			if err := dri.Unmarshal(seg); err != nil {
				return fmt.Errorf("%w: %w", errBadJPEG, err)
			}
		case marker == jpeg.MarkerStartOfFrame1:
			sof = &jpeg.StartOfFrame1{}
			if err := sof.Unmarshal(seg); err != nil {
				return fmt.Errorf("%w: %w", errBadJPEG, err)
			}
		case marker >= 0xc1 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc:
			return fmt.Errorf("%w: not baseline (SOF %#x)", errBadJPEG, marker)
		case marker == jpeg.MarkerStartOfScan:
			data = segEnd
		}
		pos = segEnd
	}
	if sof == nil || sof.Width > 2040 || sof.Height > 2040 || data >= len(img) {
		return errBadJPEG
	}

	// Payload headers: main (8) [+ restart (4)], and on the first packet the tables.
	var tables []byte
	for _, t := range qtables {
		tables = append(tables, t...)
	}
	typ := sof.Type
	hdrLen := 8
	if dri != nil {
		typ += 64
		hdrLen += 4
	}
	firstExtra := 4 + len(tables)
	scan := len(img) - data
	count := 1
	if rest := scan - (maxPayload - hdrLen - firstExtra); rest > 0 {
		count += (rest + maxPayload - hdrLen - 1) / (maxPayload - hdrLen)
	}
	fp.chunks = make([]rtpChunk, 0, count)
	fp.heads = make([]byte, 0, count*hdrLen+firstExtra)
	for off := 0; off < scan; {
		headOff := len(fp.heads)
		fp.heads = append(fp.heads, 0, byte(off>>16), byte(off>>8), byte(off), typ, 255,
			byte(sof.Width/8), byte(sof.Height/8))
		if dri != nil {
			fp.heads = append(fp.heads, byte(dri.Interval>>8), byte(dri.Interval), 0xff, 0xff)
		}
		if off == 0 {
			fp.heads = append(fp.heads, 0, 0, byte(len(tables)>>8), byte(len(tables)))
			fp.heads = append(fp.heads, tables...)
		}
		headLen := len(fp.heads) - headOff
		end := min(off+maxPayload-headLen, scan)
		c := rtpChunk{headOff: int32(headOff), headLen: int32(headLen), nalu: 0,
			off: int32(data + off), end: int32(data + end), marker: end == scan}
		fp.chunks = append(fp.chunks, c)
		fp.payload += c.size()
		off = end
	}
	return nil
}

// packetCacheSlots is how many recent frames keep their packetization. Readers within that many
// frames of each other share it; one further behind (just started on an old GOP, or lagging)
// packetizes for itself, which costs a little CPU and a few allocations, nothing else.
const packetCacheSlots = 64

// packetCache packetizes each frame once for all TCP readers. Slots are indexed by Frame.Seq, so
// a lookup is one mutex and no allocation. It is safe for concurrent use.
type packetCache struct {
	codec      media.Codec
	maxPayload int

	mu    sync.Mutex
	slots [packetCacheSlots]*framePackets
}

func newPacketCache(codec media.Codec) *packetCache {
	return &packetCache{codec: codec, maxPayload: maxRTPPayload}
}

// get returns the packets of fr, making them at most once per frame while it stays cached.
func (c *packetCache) get(fr *media.Frame) *framePackets {
	if fr.Seq == 0 { // not from the hub: no identity to cache by
		return packetizeFrame(c.codec, fr, c.maxPayload)
	}
	slot := &c.slots[fr.Seq%packetCacheSlots]
	c.mu.Lock()
	defer c.mu.Unlock()
	if fp := *slot; fp != nil && fp.seq == fr.Seq && fp.nalus == len(fr.NALUs) {
		return fp
	}
	fp := packetizeFrame(c.codec, fr, c.maxPayload)
	if *slot == nil || (*slot).seq < fr.Seq {
		*slot = fp
	}
	return fp
}
