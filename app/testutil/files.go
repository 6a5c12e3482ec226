package testutil

import (
	"os"
	"testing"
	"time"
)

// RemoveAll removes path like os.RemoveAll, trying again for a second when
// a writer still running there (a replicator on its tick) adds a file while
// the folder is being removed.
func RemoveAll(tb testing.TB, path string) {
	tb.Helper()
	var err error
	for range 50 {
		if err = os.RemoveAll(path); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatal(err)
}
