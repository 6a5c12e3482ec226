package backup_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"balcao/app/backup"
	"balcao/app/testutil"
)

func TestStatusInSyncThenTargetBroken(t *testing.T) {
	ctx := context.Background()
	target, targetDir := fileTarget(t)
	dir := t.TempDir()
	app := openAppFiles(t, dir, "balcao.db", "media.db")
	// The errors Litestream logs below are the point of the test.
	quiet := slog.New(slog.DiscardHandler)
	r := start(t, backup.Options{URL: target + "?secret=s3cr3t", DataDir: dir, Interval: 100 * time.Millisecond, Logger: quiet}, app)
	insertRows(t, app["balcao.db"], "balcao.db", 20)
	insertRows(t, app["media.db"], "media.db", 20)
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	for _, st := range r.Status(ctx) {
		if !st.InSync || st.LagTXID != 0 || st.Lag != 0 || st.LocalTXID == 0 || st.LastSync.IsZero() || st.Warning != "" {
			t.Errorf("after Sync: %+v", st)
		}
		if strings.Contains(st.ReplicaURL, "s3cr3t") || !strings.HasSuffix(strings.SplitN(st.ReplicaURL, "?", 2)[0], "/"+st.Name) {
			t.Errorf("replica URL %q: want the file's sub-path, without secrets", st.ReplicaURL)
		}
	}

	// Something else takes the place of balcao.db's folder at the target
	// (root ignores read-only permissions, so chmod would prove nothing).
	sub := filepath.Join(targetDir, "balcao.db")
	testutil.RemoveAll(t, sub)
	if err := os.WriteFile(sub, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	insertRows(t, app["balcao.db"], "balcao.db", 20)
	insertRows(t, app["media.db"], "media.db", 20)

	var st []backup.FileStatus
	waitFor(t, 5*time.Second, "balcao.db to report the broken target", func() bool {
		st = r.Status(ctx)
		return st[0].Warning != "" && st[0].LagTXID > 0
	})
	if st[0].InSync || st[0].Lag <= 0 || !strings.Contains(st[0].Warning, "not a directory") {
		t.Errorf("broken target: %+v", st[0])
	}
	t.Logf("balcao.db warning: %s (lag %d TXIDs, %s)", st[0].Warning, st[0].LagTXID, st[0].Lag.Round(time.Millisecond))

	// media.db's folder is intact and keeps replicating.
	waitFor(t, 5*time.Second, "media.db to catch up", func() bool {
		m := r.Status(ctx)[1]
		return m.InSync && m.Warning == ""
	})
	if err := r.Sync(ctx); err == nil || !strings.Contains(err.Error(), "balcao.db") {
		t.Errorf("Sync with a broken target: err = %v, want it to name balcao.db", err)
	}
}

func TestStatusWarnsWhenTargetWasEmptied(t *testing.T) {
	ctx := context.Background()
	target, targetDir := fileTarget(t)
	dir := t.TempDir()
	app := openAppFiles(t, dir, "balcao.db")
	r := start(t, backup.Options{URL: target, DataDir: dir, Files: []string{"balcao.db"}, Interval: 100 * time.Millisecond}, app)
	insertRows(t, app["balcao.db"], "balcao.db", 10)
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the first snapshot", func() bool { return r.Status(ctx)[0].Snapshots > 0 })

	// Litestream recreates the folder and carries on from where it was, so
	// the target looks in sync but holds only the latest changes.
	testutil.RemoveAll(t, targetDir)
	insertRows(t, app["balcao.db"], "balcao.db", 10)
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	st := r.Status(ctx)[0]
	if !st.InSync || st.Snapshots != 0 || !strings.Contains(st.Warning, "restore would fail") {
		t.Errorf("emptied target: %+v", st)
	}
	t.Logf("warning: %s", st.Warning)
}

func TestStartBeforeFileExists(t *testing.T) {
	ctx := context.Background()
	target, _ := fileTarget(t)
	dir := t.TempDir()
	app := openAppFiles(t, dir, "balcao.db")
	r := start(t, backup.Options{URL: target, DataDir: dir, Interval: 100 * time.Millisecond}, app)
	insertRows(t, app["balcao.db"], "balcao.db", 3)
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if st := r.Status(ctx)[1]; !strings.Contains(st.Warning, "waiting for") || st.InSync {
		t.Errorf("media.db before it exists: %+v", st)
	}

	// The app creates media.db later; replication picks it up.
	media := openAppFiles(t, dir, "media.db")["media.db"]
	t.Cleanup(func() { media.Close() })
	insertRows(t, media, "media.db", 4)
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if st := r.Status(ctx)[1]; !st.InSync || st.Warning != "" {
		t.Errorf("media.db once created: %+v", st)
	}
	res, err := backup.Restore(ctx, backup.RestoreOptions{URL: target, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if n := checkRestored(t, res[1].Path, "messages"); n != 4 {
		t.Errorf("messages = %d, want 4", n)
	}
}

func TestCloseThenStatusAndSync(t *testing.T) {
	ctx := context.Background()
	target, _ := fileTarget(t)
	dir := t.TempDir()
	app := openAppFiles(t, dir, "balcao.db")
	r, err := backup.Start(ctx, backup.Options{URL: target, DataDir: dir, Files: []string{"balcao.db"}, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// With an hour between syncs only Close can ship these rows.
	insertRows(t, app["balcao.db"], "balcao.db", 5)
	app["balcao.db"].Close()
	if err := r.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Sync(ctx); err != backup.ErrClosed {
		t.Errorf("Sync after Close: %v, want ErrClosed", err)
	}
	if st := r.Status(ctx)[0]; !strings.Contains(st.Warning, "stopped") {
		t.Errorf("Status after Close: %+v", st)
	}
	res, err := backup.Restore(ctx, backup.RestoreOptions{URL: target, DataDir: t.TempDir(), Files: []string{"balcao.db"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := checkRestored(t, res[0].Path, "tickets"); n != 5 {
		t.Errorf("tickets = %d, want 5: Close did not ship the last commits", n)
	}
}
