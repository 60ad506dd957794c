//go:build !unix

package storage

import "errors"

// StatFS is not available on this platform; free-space limits are not enforced.
func StatFS(path string) (FSStat, error) {
	return FSStat{}, errors.New("storage: statfs is not supported on this platform")
}
