package swap

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
)

// A Linux swap area starts with one page, the version 1 header that mkswap writes and swapon(2)
// reads (struct swap_header in the kernel's include/linux/swap.h). All numbers are in the CPU's
// byte order (the kernel reads them natively):
//
//	offset 0     bootbits     1024 bytes, zero (room for a boot sector or disk label)
//	offset 1024  version      uint32 = 1
//	offset 1028  last_page    uint32 = number of pages in the area - 1
//	offset 1032  nr_badpages  uint32 = 0
//	offset 1036  uuid         16 bytes, a random (version 4) UUID
//	offset 1052  volume_name  16 bytes, NUL-padded label
//	offset 1068  padding      117 uint32, zero
//	offset 1536  badpages     uint32 list (none)
//	offset pagesize-10        magic "SWAPSPACE2"
//
// The rest of the page is zero. The kernel refuses areas of fewer than 10 pages.
const (
	offVersion  = 1024
	offLastPage = 1028
	offBadPages = 1032
	offUUID     = 1036
	offLabel    = 1052
	magic       = "SWAPSPACE2"
	minPages    = 10
)

// Header is what a swap signature holds besides its constant parts.
type Header struct {
	PageSize int      // bytes per page (os.Getpagesize() on the machine that will swapon)
	Pages    uint32   // pages in the area, header page included
	UUID     [16]byte // the area's UUID (blkid's UUID=)
	Label    string   // at most 16 bytes; "" for none
}

// NewHeader returns the header of a swap area of size bytes with a fresh random UUID.
func NewHeader(size int64, pageSize int) (Header, error) {
	if pageSize < 4096 || pageSize&(pageSize-1) != 0 {
		return Header{}, fmt.Errorf("page size %d is not a power of two of at least 4096", pageSize)
	}
	pages := size / int64(pageSize)
	if pages < minPages {
		return Header{}, fmt.Errorf("%d bytes is too small for a swap area (at least %d pages of %d bytes)", size, minPages, pageSize)
	}
	if pages > 1<<32-1 {
		pages = 1<<32 - 1
	}
	h := Header{PageSize: pageSize, Pages: uint32(pages)}
	if _, err := rand.Read(h.UUID[:]); err != nil {
		return Header{}, fmt.Errorf("random uuid: %w", err)
	}
	h.UUID[6] = h.UUID[6]&0x0f | 0x40 // version 4
	h.UUID[8] = h.UUID[8]&0x3f | 0x80 // RFC 4122 variant
	return h, nil
}

// UUIDString formats the UUID as blkid prints it.
func (h Header) UUIDString() string {
	u := h.UUID
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// Page returns the header page.
func (h Header) Page() []byte {
	p := make([]byte, h.PageSize)
	ne := binary.NativeEndian
	ne.PutUint32(p[offVersion:], 1)
	ne.PutUint32(p[offLastPage:], h.Pages-1)
	ne.PutUint32(p[offBadPages:], 0)
	copy(p[offUUID:offUUID+16], h.UUID[:])
	copy(p[offLabel:offLabel+16], h.Label)
	copy(p[h.PageSize-len(magic):], magic)
	return p
}

// WriteHeader writes h's page at the start of w.
func WriteHeader(w io.WriterAt, h Header) error {
	_, err := w.WriteAt(h.Page(), 0)
	return err
}

// ReadHeader reads the header page of an area and checks its magic and version. ok is false (and
// err nil) when r holds no version 1 swap signature.
func ReadHeader(r io.ReaderAt, pageSize int) (h Header, ok bool, err error) {
	p := make([]byte, pageSize)
	if _, err := r.ReadAt(p, 0); err != nil {
		if err == io.EOF {
			return Header{}, false, nil
		}
		return Header{}, false, err
	}
	ne := binary.NativeEndian
	if !bytes.Equal(p[pageSize-len(magic):], []byte(magic)) || ne.Uint32(p[offVersion:]) != 1 {
		return Header{}, false, nil
	}
	h = Header{PageSize: pageSize, Pages: ne.Uint32(p[offLastPage:]) + 1}
	copy(h.UUID[:], p[offUUID:])
	h.Label = string(bytes.TrimRight(p[offLabel:offLabel+16], "\x00"))
	return h, true, nil
}
