package storage

// FSStat is the space of a file system in bytes.
type FSStat struct {
	Total uint64 // size of the file system
	Free  uint64 // available to an unprivileged writer (statfs f_bavail)
}

// StatFSFunc reports the space of the file system holding path. Tests inject fakes.
type StatFSFunc func(path string) (FSStat, error)
