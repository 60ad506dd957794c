package metrics

import (
	"math"
	"strconv"
)

// Type is a metric family's type, written on its # TYPE line.
type Type string

// The family types this package writes.
const (
	Counter   Type = "counter"
	Gauge     Type = "gauge"
	Histogram Type = "histogram"
)

// Label is one name="value" pair of a sample.
type Label struct{ Name, Value string }

// Writer accumulates one exposition in memory. A family's # HELP and # TYPE lines come first
// (Family), then its samples (Sample), all before the next family: the text format wants a
// family's samples together. It is not goroutine-safe; a Registry hands one to each collect
// function in turn.
type Writer struct {
	buf []byte
}

// Bytes returns the exposition written so far. It aliases the Writer's buffer.
func (w *Writer) Bytes() []byte { return w.buf }

// Reset empties the Writer, keeping its buffer.
func (w *Writer) Reset() { w.buf = w.buf[:0] }

// Family starts a metric family: its # HELP and # TYPE lines.
func (w *Writer) Family(name string, typ Type, help string) {
	w.buf = append(w.buf, "# HELP "...)
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, ' ')
	w.buf = appendEscaped(w.buf, help, false)
	w.buf = append(w.buf, "\n# TYPE "...)
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, ' ')
	w.buf = append(w.buf, typ...)
	w.buf = append(w.buf, '\n')
}

// Sample writes one sample line: name{labels} value.
func (w *Writer) Sample(name string, v float64, labels ...Label) {
	w.buf = append(w.buf, name...)
	w.buf = appendLabels(w.buf, labels, "", "")
	w.buf = append(w.buf, ' ')
	w.buf = appendFloat(w.buf, v)
	w.buf = append(w.buf, '\n')
}

// Counter writes a family of one counter sample.
func (w *Writer) Counter(name, help string, v float64, labels ...Label) {
	w.Family(name, Counter, help)
	w.Sample(name, v, labels...)
}

// Gauge writes a family of one gauge sample.
func (w *Writer) Gauge(name, help string, v float64, labels ...Label) {
	w.Family(name, Gauge, help)
	w.Sample(name, v, labels...)
}

// Histogram writes a family of one histogram: its cumulative _bucket samples with le labels
// (ending with +Inf), _sum and _count.
func (w *Writer) Histogram(name, help string, h *Hist, labels ...Label) {
	w.Family(name, Histogram, help)
	w.HistogramSamples(name, h, labels...)
}

// HistogramSamples writes h's samples within a family started by Family(name, Histogram, …),
// for families with several label sets.
func (w *Writer) HistogramSamples(name string, h *Hist, labels ...Label) {
	var cum uint64
	for i := range h.counts {
		cum += h.counts[i].Load()
		le := "+Inf"
		if i < len(h.bounds) {
			le = strconv.FormatFloat(h.bounds[i], 'g', -1, 64)
		}
		w.buf = append(w.buf, name...)
		w.buf = append(w.buf, "_bucket"...)
		w.buf = appendLabels(w.buf, labels, "le", le)
		w.buf = append(w.buf, ' ')
		w.buf = strconv.AppendUint(w.buf, cum, 10)
		w.buf = append(w.buf, '\n')
	}
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, "_sum"...)
	w.buf = appendLabels(w.buf, labels, "", "")
	w.buf = append(w.buf, ' ')
	w.buf = appendFloat(w.buf, h.Sum())
	w.buf = append(w.buf, '\n')
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, "_count"...)
	w.buf = appendLabels(w.buf, labels, "", "")
	w.buf = append(w.buf, ' ')
	// The count is the +Inf bucket read above, so _count and the buckets agree even while
	// Observe runs.
	w.buf = strconv.AppendUint(w.buf, cum, 10)
	w.buf = append(w.buf, '\n')
}

// appendLabels writes {a="x",b="y"} with an extra pair when extraName is set; nothing when
// there are no labels at all.
func appendLabels(b []byte, labels []Label, extraName, extraValue string) []byte {
	if len(labels) == 0 && extraName == "" {
		return b
	}
	b = append(b, '{')
	for i, l := range labels {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, l.Name...)
		b = append(b, `="`...)
		b = appendEscaped(b, l.Value, true)
		b = append(b, '"')
	}
	if extraName != "" {
		if len(labels) > 0 {
			b = append(b, ',')
		}
		b = append(b, extraName...)
		b = append(b, `="`...)
		b = append(b, extraValue...)
		b = append(b, '"')
	}
	return append(b, '}')
}

// appendEscaped escapes as the text format requires: backslash and newline everywhere, and the
// double quote in label values.
func appendEscaped(b []byte, s string, quote bool) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quote:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
