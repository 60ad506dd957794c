package motion

import "encoding/binary"

// downscale box-averages the luma plane y (stride width) into d.cur at detection size, in 8.8
// fixed point, and returns the sum of d.cur over the pixels that were not foreground in the last
// frame (the numerator of the global gain estimate). Rows and columns beyond a whole block are
// dropped.
func (d *Detector) downscale(y []byte, width int) uint64 {
	f := 1 << d.shift
	// The block sum has 2·shift fractional bits to drop and 8 to add.
	up := 8 - 2*d.shift // shift ≤ 4, so up ≥ 0
	var total uint64
	for dy := 0; dy < d.dh; dy++ {
		acc := d.rowSum
		base := dy * f * width
		switch f {
		case 2:
			sum2(acc, y[base:base+width], y[base+width:base+2*width])
		case 4:
			sum4(acc, y[base:base+width], y[base+width:base+2*width],
				y[base+2*width:base+3*width], y[base+3*width:base+4*width])
		default:
			clear(acc)
			for sy := 0; sy < f; sy++ {
				row := y[base+sy*width:]
				row = row[:d.dw*f]
				for x := range acc {
					var s uint32
					for _, v := range row[x*f : x*f+f] {
						s += uint32(v)
					}
					acc[x] += s
				}
			}
		}
		out := d.cur[dy*d.dw : (dy+1)*d.dw]
		fg := d.fg[dy*d.dw : (dy+1)*d.dw]
		var sum uint32
		for x, a := range acc {
			v := uint16(a << up)
			if a<<up > 0xffff {
				v = 0xffff
			}
			out[x] = v
			if fg[x] == 0 {
				sum += uint32(v)
			}
		}
		total += uint64(sum)
	}
	return total
}

// sum2 sets acc[x] to the sum of the 2×2 block at column 2x of rows r0 and r1, two blocks per
// 32-bit load (byte pairs summed in 16-bit lanes).
func sum2(acc []uint32, r0, r1 []byte) {
	n := len(acc)
	r0, r1 = r0[:2*n], r1[:2*n]
	x := 0
	for ; x+1 < n; x += 2 {
		a := binary.LittleEndian.Uint32(r0[2*x:])
		b := binary.LittleEndian.Uint32(r1[2*x:])
		l := (a & 0x00ff00ff) + ((a >> 8) & 0x00ff00ff) + (b & 0x00ff00ff) + ((b >> 8) & 0x00ff00ff)
		acc[x] = l & 0xffff
		acc[x+1] = l >> 16
	}
	for ; x < n; x++ {
		acc[x] = uint32(r0[2*x]) + uint32(r0[2*x+1]) + uint32(r1[2*x]) + uint32(r1[2*x+1])
	}
}

// sum4 sets acc[x] to the sum of the 4×4 block at column 4x of rows r0…r3, one 32-bit load per
// row and block (byte pairs summed in 16-bit lanes).
func sum4(acc []uint32, r0, r1, r2, r3 []byte) {
	const m = 0x00ff00ff
	n := 4 * len(acc)
	r0, r1, r2, r3 = r0[:n], r1[:n], r2[:n], r3[:n]
	for x := range acc {
		i := 4 * x
		a := binary.LittleEndian.Uint32(r0[i:])
		b := binary.LittleEndian.Uint32(r1[i:])
		c := binary.LittleEndian.Uint32(r2[i:])
		e := binary.LittleEndian.Uint32(r3[i:])
		l := (a & m) + ((a >> 8) & m) + (b & m) + ((b >> 8) & m) +
			(c & m) + ((c >> 8) & m) + (e & m) + ((e >> 8) & m)
		acc[x] = (l & 0xffff) + (l >> 16)
	}
}
