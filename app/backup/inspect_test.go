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

func TestInspectAgreesWithStatusThenSeesReplicationStop(t *testing.T) {
	ctx := context.Background()
	target, targetDir := fileTarget(t)
	dir := t.TempDir()
	app := openAppFiles(t, dir, "balcao.db", "media.db")
	quiet := slog.New(slog.DiscardHandler) // the broken target below is logged by Litestream
	r := start(t, backup.Options{URL: target, DataDir: dir, Interval: 100 * time.Millisecond, Logger: quiet}, app)
	insertRows(t, app["balcao.db"], "balcao.db", 30)
	insertRows(t, app["media.db"], "media.db", 10)
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	live := r.Status(ctx)
	got, err := backup.Inspect(ctx, backup.InspectOptions{URL: target, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range got {
		want := live[i]
		if st.Name != want.Name || st.ReplicaURL != want.ReplicaURL || st.LocalTXID != want.LocalTXID ||
			st.ReplicaTXID != want.ReplicaTXID || !st.InSync || st.LagTXID != 0 || st.Snapshots != want.Snapshots ||
			st.LastSync.IsZero() || st.Warning != "" {
			t.Errorf("Inspect %+v\nStatus  %+v", st, want)
		}
	}

	// balcao.db's folder at the target is replaced by a file: its changes
	// pile up locally.
	sub := filepath.Join(targetDir, "balcao.db")
	testutil.RemoveAll(t, sub)
	if err := os.WriteFile(sub, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	insertRows(t, app["balcao.db"], "balcao.db", 5)
	waitFor(t, 5*time.Second, "Litestream to read the new commits", func() bool {
		return r.Status(ctx)[0].LocalTXID > live[0].LocalTXID
	})
	got, err = backup.Inspect(ctx, backup.InspectOptions{URL: target, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if st := got[0]; st.InSync || !strings.Contains(st.Warning, "checking target") {
		t.Errorf("broken target: %+v", st)
	}

	// The same pile-up with a reachable target: a fresh, empty folder.
	if err := os.Remove(sub); err != nil {
		t.Fatal(err)
	}
	r.Close(ctx)
	testutil.RemoveAll(t, targetDir)
	got, err = backup.Inspect(ctx, backup.InspectOptions{URL: target, DataDir: dir, Files: []string{"balcao.db"}})
	if err != nil {
		t.Fatal(err)
	}
	if st := got[0]; st.InSync || st.ReplicaTXID != 0 || st.LagTXID != st.LocalTXID || !strings.Contains(st.Warning, "nothing at the target") {
		t.Errorf("emptied target: %+v", st)
	}
	// The waiting changes are aged past a minute: replication has stopped.
	old := time.Now().Add(-2 * time.Minute)
	ltxDir := filepath.Join(dir, ".balcao.db-litestream", "ltx", "0")
	ents, err := os.ReadDir(ltxDir)
	if err != nil || len(ents) == 0 {
		t.Fatalf("local LTX files: %v, %v", ents, err)
	}
	for _, e := range ents {
		os.Chtimes(filepath.Join(ltxDir, e.Name()), old, old)
	}
	got, _ = backup.Inspect(ctx, backup.InspectOptions{URL: target, DataDir: dir, Files: []string{"balcao.db"}})
	if st := got[0]; st.Lag < 2*time.Minute || !strings.Contains(st.Warning, "replication has stopped") {
		t.Errorf("stale: %+v", st)
	}
}

func TestInspectWithoutLocalState(t *testing.T) {
	target, _ := fileTarget(t)
	dir := t.TempDir()
	got, err := backup.Inspect(context.Background(), backup.InspectOptions{URL: target, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range got {
		if st.InSync || !strings.Contains(st.Warning, "no database at") || !strings.Contains(st.Warning, "no local replication state") {
			t.Errorf("%+v", st)
		}
	}
	if _, err := backup.Inspect(context.Background(), backup.InspectOptions{URL: "file:relative", DataDir: dir}); err == nil {
		t.Error("a relative file URL was accepted")
	}
}
