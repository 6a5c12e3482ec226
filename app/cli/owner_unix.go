//go:build linux || darwin || freebsd

package cli

import (
	"os"
	"syscall"

	"balcao/app/backup"
)

// ownLikeFolder gives the restored files the owner of the data folder when
// the restore ran as root, so that the service's own user can write them
// (a restore run with sudo would otherwise leave files only root may change).
func ownLikeFolder(dir string, files []backup.RestoredFile) error {
	if os.Geteuid() != 0 {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Uid == 0 {
		return nil
	}
	for _, f := range files {
		if f.Path == "" {
			continue
		}
		if err := os.Chown(f.Path, int(st.Uid), int(st.Gid)); err != nil {
			return err
		}
	}
	return nil
}
