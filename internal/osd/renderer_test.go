package osd

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/freecam/freecam/internal/media"
)

// at is a fixed capture time: 12:34:56 on 5 March 2024, UTC.
var at = time.Date(2024, time.March, 5, 12, 34, 56, 0, time.UTC)

// grey returns a w×h frame of uniform luma y and neutral chroma.
func grey(w, h int, y byte) *media.RawFrame {
	f := media.NewRawFrame(w, h)
	for i := range f.Y {
		f.Y[i] = y
	}
	f.Time = at
	return f
}

func clone(f *media.RawFrame) *media.RawFrame {
	c := *f
	c.Y = bytes.Clone(f.Y)
	c.Cb = bytes.Clone(f.Cb)
	c.Cr = bytes.Clone(f.Cr)
	return &c
}

// changed returns the bounding box of the luma pixels that differ between a and b, and their
// number.
func changed(a, b *media.RawFrame) (image.Rectangle, int) {
	var box image.Rectangle
	n := 0
	for y := range a.Height {
		for x := range a.Width {
			i := y*a.Width + x
			if a.Y[i] == b.Y[i] {
				continue
			}
			n++
			box = box.Union(image.Rect(x, y, x+1, y+1))
		}
	}
	return box, n
}

func count(p []byte, v byte) int {
	return bytes.Count(p, []byte{v})
}

func TestDrawPlacesText(t *testing.T) {
	// Fixed width: "12:34:56 05.03.2024" is 19 cells of 7 px; a 1 px outline all around; at 720p
	// the margin is 720/60 = 12 px and the scale 1.
	const wantW, wantH = 19*7 + 2, 13 + 2
	tests := []struct {
		name string
		posY int
		want image.Rectangle // the box the text may use
	}{
		{"top margin", 0, image.Rect(12, 12, 12+wantW, 12+wantH)},
		{"posy 300", 300, image.Rect(12, 300, 12+wantW, 300+wantH)},
		{"from bottom", -12, image.Rect(12, 720-12-wantH, 12+wantW, 720-12)},
		{"below frame clamped", 5000, image.Rect(12, 720-wantH, 12+wantW, 720)},
		{"above frame clamped", -5000, image.Rect(12, 0, 12+wantW, wantH)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(Options{Enabled: true, FixedWidth: true, PosY: tt.posY, Location: time.UTC})
			before := grey(1280, 720, 128)
			f := clone(before)
			r.Draw(f)
			box, n := changed(before, f)
			if !box.In(tt.want) {
				t.Errorf("changed pixels in %v, want inside %v", box, tt.want)
			}
			// The text reaches from the first to the last cell, not just a corner of the box.
			if box.Dx() < wantW-4 || box.Dy() < 9 {
				t.Errorf("changed box %v is %dx%d, want about %dx%d", box, box.Dx(), box.Dy(), wantW, wantH)
			}
			text, line := count(f.Y, 255), count(f.Y, 16)
			if text < 19*10 || line < text {
				t.Errorf("got %d text and %d outline pixels, want at least 190 text and more outline", text, line)
			}
			if text+line != n {
				t.Errorf("got %d changed pixels, want %d (text %d + outline %d) only", n, text+line, text, line)
			}
			// Chroma is neutral for white text, so it must be unchanged everywhere.
			if !bytes.Equal(before.Cb, f.Cb) || !bytes.Equal(before.Cr, f.Cr) {
				t.Errorf("white text changed the chroma planes")
			}
		})
	}
}

func TestDrawDisabledLeavesFrameIdentical(t *testing.T) {
	for _, opts := range []Options{
		{},
		{Enabled: false, Pattern: "%c", Size: 40, Color: Red},
		{Enabled: true, Color: RGBA(255, 0, 0, 0)}, // fully transparent
	} {
		r := New(opts)
		before := grey(640, 360, 77)
		f := clone(before)
		r.Draw(f)
		if !bytes.Equal(before.Y, f.Y) || !bytes.Equal(before.Cb, f.Cb) || !bytes.Equal(before.Cr, f.Cr) {
			t.Errorf("options %+v changed the frame, want it byte-identical", opts)
		}
	}
}

func TestDrawRerendersOnNewSecond(t *testing.T) {
	r := New(Options{Enabled: true, Location: time.UTC})
	draw := func(ts time.Time) *media.RawFrame {
		f := grey(640, 360, 60)
		f.Time = ts
		r.Draw(f)
		return f
	}
	first := draw(at)
	sameSecond := draw(at.Add(900 * time.Millisecond))
	if !bytes.Equal(first.Y, sameSecond.Y) {
		t.Errorf("a frame in the same second differs, want the same picture")
	}
	next := draw(at.Add(time.Second))
	if _, n := changed(first, next); n == 0 {
		t.Errorf("the next second drew the same picture, want a different one")
	}
	if got, want := string(r.cache.text), "12:34:57 05.03.2024"; got != want {
		t.Errorf("got cached text %q, want %q", got, want)
	}
	// Back to the first second: exactly the first picture again.
	if again := draw(at); !bytes.Equal(first.Y, again.Y) {
		t.Errorf("redrawing the first second differs from the first picture")
	}
}

func TestDrawColors(t *testing.T) {
	// Full-range BT.601 (JFIF) values, computed by hand from
	// Y = .299R + .587G + .114B, Cb = 128 - .1687R - .3313G + .5B, Cr = 128 + .5R - .4187G - .0813B.
	tests := []struct {
		name       string
		color      Color
		y, cb, cr  byte
		outlineLum byte
	}{
		{"white", White, 255, 128, 128, 16},
		{"black", Black, 0, 128, 128, 235},
		{"red", Red, 76, 85, 255, 235},
		{"green", Green, 150, 44, 21, 16},
		{"blue", Blue, 29, 255, 107, 235},
		{"cyan", Cyan, 179, 171, 1, 16},
		{"yellow", Yellow, 226, 1, 149, 16},
		{"purple", Purple, 53, 170, 182, 235},
		{"rgba orange", RGBA(255, 128, 0, 255), 151, 43, 202, 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(Options{Enabled: true, Color: tt.color, Size: 36})
			f := grey(1280, 720, 128)
			r.Draw(f)
			// Only the background, the text and the outline values may appear.
			lum := map[byte]int{}
			for _, v := range f.Y {
				lum[v]++
			}
			if lum[tt.y] < 500 || lum[tt.outlineLum] < 500 || len(lum) != 3 {
				t.Errorf("got luma histogram %v, want only 128, at least 500×%d (text) and 500×%d (outline)",
					lum, tt.y, tt.outlineLum)
			}
			chroma := map[[2]byte]int{}
			for i := range f.Cb {
				chroma[[2]byte{f.Cb[i], f.Cr[i]}]++
			}
			want := [2]byte{tt.cb, tt.cr}
			if chroma[want] < 100 || len(chroma) > 2 {
				t.Errorf("got chroma histogram %v, want only 128,128 and at least 100×%v", chroma, want)
			}
		})
	}
}

func TestDrawTranslucent(t *testing.T) {
	r := New(Options{Enabled: true, Color: RGBA(255, 255, 255, 128)})
	f := grey(1280, 720, 0)
	r.Draw(f)
	// (0×127 + 255×128 + 127) / 255 = 128.
	if got := count(f.Y, 128); got < 100 {
		t.Errorf("got %d half-white pixels, want at least 100", got)
	}
	if got := count(f.Y, 255); got != 0 {
		t.Errorf("got %d full-white pixels, want 0 at half opacity", got)
	}
}

func TestDrawNeverPanics(t *testing.T) {
	long := strings.Repeat("%c %s ", 80)
	tests := []struct {
		name string
		w, h int
		opts Options
	}{
		{"16x16", 16, 16, Options{}},
		{"16x16 huge size", 16, 16, Options{Size: math.MaxInt}},
		{"2x2", 2, 2, Options{}},
		{"odd 15x9", 15, 9, Options{}},
		{"720p huge size", 1280, 720, Options{Size: 100000}},
		{"720p long text", 1280, 720, Options{Pattern: long, Size: 30}},
		{"720p many lines", 1280, 720, Options{Pattern: strings.Repeat("%T%n", 200)}},
		{"negative space", 320, 240, Options{Space: -1000}},
		{"huge space", 320, 240, Options{Space: 1 << 30}},
		{"posy far down", 64, 64, Options{PosY: 1 << 30}},
		{"posy far up", 64, 64, Options{PosY: -(1 << 30)}},
		{"posy min int", 64, 64, Options{PosY: math.MinInt}},
		{"space max int", 320, 240, Options{Space: math.MaxInt}},
		{"utf-8 and junk", 320, 240, Options{Pattern: "Küche \xff\xfe 日本", FixedWidth: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Enabled = true
			r := New(tt.opts)
			f := media.NewRawFrame(tt.w, tt.h)
			if tt.w%2 == 1 || tt.h%2 == 1 {
				f.Width, f.Height = tt.w, tt.h
				f.Y = make([]byte, tt.w*tt.h)
			}
			f.Time = at
			r.Draw(f)
			r.Draw(f)
		})
	}
	t.Run("short planes", func(t *testing.T) {
		r := New(Options{Enabled: true})
		f := media.NewRawFrame(64, 64)
		f.Y = f.Y[:100]
		r.Draw(f)
		r.Draw(nil)
	})
}

func TestDrawAxisAndLines(t *testing.T) {
	axis := "X=1300 Y=350"
	r := New(Options{
		Enabled:    true,
		Pattern:    "%H:%M%n%d.%m.%Y",
		FixedWidth: true,
		Location:   time.UTC,
		AxisText:   func() string { return axis },
	})
	before := grey(1280, 720, 128)
	f := clone(before)
	r.Draw(f)
	if got, want := string(r.cache.text), "12:34\n05.03.2024 X=1300 Y=350"; got != want {
		t.Errorf("got text %q, want %q", got, want)
	}
	box, _ := changed(before, f)
	// The second line has 23 cells, two lines of 13 px plus outlines.
	if want := image.Rect(12, 12, 12+23*7+2, 12+2*15); !box.In(want) || box.Dx() < 23*7-4 || box.Dy() < 15+10 {
		t.Errorf("changed pixels in %v, want filling %v", box, want)
	}
	axis = ""
	f = clone(before)
	r.Draw(f)
	if got, want := string(r.cache.text), "12:34\n05.03.2024"; got != want {
		t.Errorf("without a position got text %q, want %q", got, want)
	}
}

func TestScaleFor(t *testing.T) {
	tests := []struct{ size, h, want int }{
		{12, 720, 1},
		{12, 1080, 2},
		{12, 360, 1},
		{24, 720, 2},
		{36, 720, 3},
		{12, 2160, 3},
		{math.MaxInt, 720, 720 / 13},
		{12, 16, 1},
		{12, 4, 1},
	}
	for _, tt := range tests {
		if got := scaleFor(tt.size, tt.h); got != tt.want {
			t.Errorf("scaleFor(%d, %d): got %d, want %d", tt.size, tt.h, got, tt.want)
		}
	}
}

func TestSetOptionsWhileDrawing(t *testing.T) {
	r := New(Options{Enabled: true})
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			r.SetOptions(Options{Enabled: i%3 != 0, Size: 12 + i%24, Color: Color(i % 8), PosY: i % 100})
		}
	}()
	f := grey(320, 240, 128)
	for i := range 200 {
		f.Time = at.Add(time.Duration(i) * time.Second)
		r.Draw(f)
	}
	close(done)
	wg.Wait()
	// The last options win.
	r.SetOptions(Options{Enabled: true, Color: Black})
	f = grey(320, 240, 128)
	r.Draw(f)
	if count(f.Y, 0) == 0 {
		t.Errorf("after SetOptions(Black) got no black pixels, want black text")
	}
}

func TestDrawSameSecondDoesNotAllocate(t *testing.T) {
	axis := "X=10 Y=20"
	r := New(Options{Enabled: true, AxisText: func() string { return axis }})
	f := grey(1280, 720, 128)
	r.Draw(f)
	allocs := testing.AllocsPerRun(50, func() { r.Draw(f) })
	if allocs != 0 {
		t.Errorf("got %v allocs per Draw, want 0", allocs)
	}
}

// TestDrawPNG renders the default OSD on a busy 720p picture and saves it as a PNG so a person
// can check it is readable. Set FREECAM_OSD_PNG to a path to keep a copy.
func TestDrawPNG(t *testing.T) {
	const w, h = 1280, 720
	f := media.NewRawFrame(w, h)
	f.Time = at
	for y := range h {
		for x := range w {
			// Bright on the left, dark on the right, with stripes where the text goes.
			v := 255 - x*255/w
			if (x/9+y/7)%2 == 0 {
				v = v / 2
			}
			f.Y[y*w+x] = byte(v)
		}
	}
	for i := range f.Cb {
		f.Cb[i] = byte(64 + i%128)
		f.Cr[i] = byte(200 - i%100)
	}
	r := New(Options{Enabled: true, Location: time.UTC})
	r.Draw(f)
	r2 := New(Options{Enabled: true, Location: time.UTC, Size: 24, PosY: -12, Color: Yellow,
		FixedWidth: true, Pattern: "%a %d %b %Y %T %Z", AxisText: func() string { return "X=1300 Y=350" }})
	r2.Draw(f)

	// Convert by hand (much faster than png.Encode going through At under -race).
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			ci := (y/2)*(w/2) + x/2
			r, g, b := color.YCbCrToRGB(f.Y[y*w+x], f.Cb[ci], f.Cr[ci])
			o := img.PixOffset(x, y)
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = r, g, b, 255
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		t.Fatalf("encode png: %v", err)
	}
	paths := []string{filepath.Join(t.TempDir(), "osd.png")}
	if p := os.Getenv("FREECAM_OSD_PNG"); p != "" {
		paths = append(paths, p)
	}
	for _, p := range paths {
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatalf("write png: %v", err)
		}
	}
	back, err := png.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("decode png: %v", err)
	}
	if got := back.Bounds(); got != img.Rect {
		t.Errorf("got png bounds %v, want %v", got, img.Rect)
	}
}

func BenchmarkOSDDraw720p(b *testing.B) {
	r := New(Options{Enabled: true})
	f := grey(1280, 720, 128)
	r.Draw(f)
	b.ReportAllocs()
	for b.Loop() {
		r.Draw(f)
	}
}

func BenchmarkOSDDraw720pNewSecond(b *testing.B) {
	r := New(Options{Enabled: true})
	f := grey(1280, 720, 128)
	r.Draw(f)
	b.ReportAllocs()
	for b.Loop() {
		f.Time = f.Time.Add(time.Second)
		r.Draw(f)
	}
}

func TestDrawFollowsFrameSize(t *testing.T) {
	opts := Options{Enabled: true, Location: time.UTC}
	r := New(opts)
	big := grey(1280, 720, 90)
	r.Draw(big)
	small := grey(640, 360, 90)
	r.Draw(small)
	fresh := grey(640, 360, 90)
	New(opts).Draw(fresh)
	if !bytes.Equal(small.Y, fresh.Y) || !bytes.Equal(small.Cb, fresh.Cb) {
		t.Errorf("after a 720p frame a 360p frame differs from a fresh renderer's, want the same")
	}
	if _, n := changed(grey(640, 360, 90), small); n == 0 {
		t.Errorf("got no text on the 360p frame, want some")
	}
}
