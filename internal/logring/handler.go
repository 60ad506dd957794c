package logring

import (
	"context"
	"log/slog"
)

// handler is the slog.Handler of a Ring: the root one (embedded in Ring) or one derived by
// WithAttrs/WithGroup. It formats a record once, stores it and hands the record to next.
type handler struct {
	ring  *Ring
	next  slog.Handler
	attrs []byte // the attributes of WithAttrs, formatted as " key=value", with their groups
	group string // the prefix of the open groups, "a.b." (empty at the root)
}

var (
	_ slog.Handler = (*Ring)(nil)
	_ slog.Handler = (*handler)(nil)
)

// maxPooled is the largest buffer given back to the pool, so one huge record does not pin memory.
const maxPooled = 4 * MaxLine

// Enabled follows the next handler, so the ring keeps what stderr shows.
func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle stores the formatted record in the ring and passes the record on to the next handler,
// returning its error.
func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	bp := h.ring.getBuf()
	b := appendMessage((*bp)[:0], rec.Message)
	b = append(b, h.attrs...)
	if len(b) <= MaxLine {
		rec.Attrs(func(a slog.Attr) bool {
			b = appendAttr(b, h.group, a)
			return len(b) <= MaxLine // the rest would be cut anyway
		})
	}
	h.ring.add(rec.Time, rec.Level.String(), string(truncate(b)))
	if cap(b) <= maxPooled {
		*bp = b
		h.ring.bufs.Put(bp)
	}
	return h.next.Handle(ctx, rec)
}

// WithAttrs returns a handler that adds attrs to every line, sharing the ring.
func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	b := append([]byte(nil), h.attrs...)
	for _, a := range attrs {
		b = appendAttr(b, h.group, a)
	}
	return &handler{ring: h.ring, next: h.next.WithAttrs(attrs), attrs: b, group: h.group}
}

// WithGroup returns a handler that qualifies the keys of later attributes with name, sharing the
// ring.
func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &handler{ring: h.ring, next: h.next.WithGroup(name), attrs: h.attrs, group: h.group + name + "."}
}
