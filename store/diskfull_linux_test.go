package store

import "syscall"

// setFileSizeLimit makes writing a file past n bytes fail with EFBIG, as if
// the disk were full at that size.
func setFileSizeLimit(n uint64) error {
	return syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n})
}

var errDiskFullErrno error = syscall.EDQUOT
