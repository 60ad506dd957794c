package motor

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

func openDevice(path string) (uintptr, func() error, error) {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, nil, err
	}
	return uintptr(fd), func() error { return unix.Close(fd) }, nil
}

func sysIoctl(fd uintptr, req uintptr, arg unsafe.Pointer) error {
	for {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, fd, req, uintptr(arg))
		switch e {
		case 0:
			return nil
		case unix.EINTR:
			continue
		default:
			return e
		}
	}
}
