//go:build !(linux || darwin || freebsd)

package cli

import "balcao/app/backup"

func ownLikeFolder(string, []backup.RestoredFile) error { return nil }
