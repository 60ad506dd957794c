//go:build unix

package storage

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// StatFS reports the space of the file system holding path with statfs(2).
func StatFS(path string) (FSStat, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return FSStat{}, fmt.Errorf("storage: statfs %s: %w", path, err)
	}
	bs := uint64(st.Bsize) //nolint:unconvert // int32 or int64 depending on the platform
	return FSStat{Total: uint64(st.Blocks) * bs, Free: uint64(st.Bavail) * bs}, nil
}
