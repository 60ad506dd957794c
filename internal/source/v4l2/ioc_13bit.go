//go:build linux && (mips || mipsle || mips64 || mips64le || ppc64 || ppc64le)

package v4l2

// _IOC layout of MIPS and PowerPC: 13 size bits, 3 direction bits.
const (
	iocSizeBits = 13
	iocNone     = 1
	iocWrite    = 4
	iocRead     = 2
)
