//go:build linux || darwin || freebsd

package cli

import (
	"errors"
	"os"
	"syscall"

	"balcao/app/store"
)

// lockDataDir takes the data folder for this process (creating it if
// needed), so that a restore cannot write under a running server and two
// servers cannot share one folder. The lock is an flock on the folder
// itself: no file is added, and it ends with the process.
func lockDataDir(dir string) (unlock func(), err error) {
	if err := store.CheckWritable(dir); err != nil {
		return nil, err
	}
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errDataInUse(dir)
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}

// dataDirInUse reports whether a balcao process holds dir.
func dataDirInUse(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}
