//go:build !linux

package store

import "errors"

func setFileSizeLimit(n uint64) error {
	return errors.New("a file-size limit is only simulated on Linux")
}

var errDiskFullErrno error = errors.New("no space left on device")
