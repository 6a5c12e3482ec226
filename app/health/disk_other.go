//go:build !(linux || darwin || freebsd)

package health

import "errors"

func DiskSpace(string) (free, total uint64, err error) {
	return 0, 0, errors.New("free disk space is not measured on this system")
}
