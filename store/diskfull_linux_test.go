package store

import (
	"os/signal"
	"syscall"
)

// setFileSizeLimit makes writing a file past n bytes fail with EFBIG, as if
// the disk were full at that size. SIGXFSZ is ignored first, or the kernel
// would kill the process instead of failing the write.
func setFileSizeLimit(n uint64) error {
	signal.Ignore(syscall.SIGXFSZ)
	return syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n})
}

var errDiskFullErrno error = syscall.EDQUOT
