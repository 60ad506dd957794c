//go:build linux && !(mips || mipsle || mips64 || mips64le || ppc64 || ppc64le)

package v4l2

// _IOC layout of most architectures (x86, arm, arm64, riscv): 14 size bits, 2 direction bits.
const (
	iocSizeBits = 14
	iocNone     = 0
	iocWrite    = 1
	iocRead     = 2
)
