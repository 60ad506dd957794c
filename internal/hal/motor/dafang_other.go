//go:build !linux

package motor

import (
	"errors"
	"unsafe"
)

func openDevice(string) (uintptr, func() error, error) {
	return 0, nil, errors.ErrUnsupported
}

func sysIoctl(uintptr, uintptr, unsafe.Pointer) error { return errors.ErrUnsupported }
