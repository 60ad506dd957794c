package motion

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
		clear(acc)
		for sy := 0; sy < f; sy++ {
			row := y[(dy*f+sy)*width:]
			row = row[:d.dw*f]
			switch f {
			case 1:
				for x, v := range row {
					acc[x] += uint32(v)
				}
			case 2:
				for x := range acc {
					acc[x] += uint32(row[2*x]) + uint32(row[2*x+1])
				}
			case 4:
				for x := range acc {
					p := row[4*x : 4*x+4]
					acc[x] += uint32(p[0]) + uint32(p[1]) + uint32(p[2]) + uint32(p[3])
				}
			default:
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
