//go:build !(linux || darwin || freebsd)

package cli

import "balcao/app/store"

// lockDataDir only checks the folder here: there is no advisory lock.
func lockDataDir(dir string) (unlock func(), err error) {
	return func() {}, store.CheckWritable(dir)
}

func dataDirInUse(string) bool { return false }
