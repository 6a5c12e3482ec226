package backup_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"balcao/app/backup"
)

func TestRestoreRefusesFolderWithDatabase(t *testing.T) {
	ctx := context.Background()
	target, _ := fileTarget(t)
	dir := t.TempDir()
	app := openAppFiles(t, dir, "balcao.db", "media.db")
	r := start(t, backup.Options{URL: target, DataDir: dir, Interval: 100 * time.Millisecond}, app)
	insertRows(t, app["balcao.db"], "balcao.db", 10)
	insertRows(t, app["media.db"], "media.db", 5)
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	// A folder holding only media.db is refused just the same.
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "media.db"), []byte("current data"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := backup.Restore(ctx, backup.RestoreOptions{URL: target, DataDir: other})
	if !errors.Is(err, backup.ErrExists) || !strings.Contains(err.Error(), other) || !strings.Contains(err.Error(), "media.db") {
		t.Fatalf("restore into a folder with media.db: err = %v, want ErrExists naming %s and media.db", err, other)
	}
	if b, _ := os.ReadFile(filepath.Join(other, "media.db")); string(b) != "current data" {
		t.Fatal("refused restore touched media.db")
	}

	// Forced, the old files are moved aside, a stale -wal with them.
	if err := os.WriteFile(filepath.Join(other, "media.db-wal"), []byte("stale wal"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := backup.Restore(ctx, backup.RestoreOptions{URL: target, DataDir: other, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(other, "media.db-wal")); !errors.Is(err, os.ErrNotExist) {
		t.Error("stale media.db-wal left next to the restored file")
	}
	if n := checkRestored(t, res[0].Path, "tickets"); n != 10 {
		t.Errorf("tickets = %d, want 10", n)
	}
	if n := checkRestored(t, res[1].Path, "messages"); n != 5 {
		t.Errorf("messages = %d, want 5", n)
	}
	aside, _ := filepath.Glob(filepath.Join(other, ".pre-restore-*"))
	if len(aside) != 1 || res[1].MovedAside != aside[0] || res[0].MovedAside != "" {
		t.Fatalf("old files not moved aside as reported: %v; results %+v", aside, res)
	}
	for name, want := range map[string]string{"media.db": "current data", "media.db-wal": "stale wal"} {
		if b, _ := os.ReadFile(filepath.Join(aside[0], name)); string(b) != want {
			t.Errorf("moved-aside %s = %q, want %q", name, b, want)
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(other, ".restore-*")); len(tmp) != 0 {
		t.Errorf("temporary folders left behind: %v", tmp)
	}
}

func TestRestorePointInTime(t *testing.T) {
	ctx := context.Background()
	target, _ := fileTarget(t)
	dir := t.TempDir()
	app := openAppFiles(t, dir, "balcao.db", "media.db")
	r := start(t, backup.Options{URL: target, DataDir: dir, Interval: 100 * time.Millisecond}, app)

	insertRows(t, app["balcao.db"], "balcao.db", 50)
	insertRows(t, app["media.db"], "media.db", 20)
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// LTX timestamps have millisecond precision; keep well clear of them.
	time.Sleep(50 * time.Millisecond)
	before := time.Now()
	time.Sleep(50 * time.Millisecond)
	insertRows(t, app["balcao.db"], "balcao.db", 30)
	insertRows(t, app["media.db"], "media.db", 10)
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name              string
		at                time.Time
		tickets, messages int64
	}{
		{"latest", time.Time{}, 80, 30},
		{"before the second batch", before, 50, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := backup.Restore(ctx, backup.RestoreOptions{URL: target, DataDir: t.TempDir(), Timestamp: tt.at})
			if err != nil {
				t.Fatal(err)
			}
			if n := checkRestored(t, res[0].Path, "tickets"); n != tt.tickets {
				t.Errorf("tickets = %d, want %d", n, tt.tickets)
			}
			if n := checkRestored(t, res[1].Path, "messages"); n != tt.messages {
				t.Errorf("messages = %d, want %d", n, tt.messages)
			}
			if !tt.at.IsZero() && !res[0].State.Before(tt.at) {
				t.Errorf("state %s is not before %s", res[0].State, tt.at)
			}
		})
	}

	// Before the first backup there is nothing to restore.
	_, err := backup.Restore(ctx, backup.RestoreOptions{URL: target, DataDir: t.TempDir(), Timestamp: time.Now().Add(-time.Hour)})
	if !errors.Is(err, backup.ErrNoBackup) {
		t.Fatalf("restore as of an hour ago: err = %v, want ErrNoBackup", err)
	}
}

func TestRestoreReportsFileWithoutReplica(t *testing.T) {
	ctx := context.Background()
	target, _ := fileTarget(t)

	// Nothing replicated at all.
	_, err := backup.Restore(ctx, backup.RestoreOptions{URL: target, DataDir: t.TempDir()})
	if !errors.Is(err, backup.ErrNoBackup) {
		t.Fatalf("restore from an empty target: err = %v, want ErrNoBackup", err)
	}

	// Only balcao.db replicated: media.db is reported, not fatal.
	dir := t.TempDir()
	app := openAppFiles(t, dir, "balcao.db")
	r := start(t, backup.Options{URL: target, DataDir: dir, Files: []string{"balcao.db"}, Interval: 100 * time.Millisecond}, app)
	insertRows(t, app["balcao.db"], "balcao.db", 7)
	if err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	restored := t.TempDir()
	res, err := backup.Restore(ctx, backup.RestoreOptions{URL: target, DataDir: restored})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Missing || checkRestored(t, res[0].Path, "tickets") != 7 {
		t.Errorf("balcao.db: %+v", res[0])
	}
	if !res[1].Missing || res[1].Path != "" {
		t.Errorf("media.db: %+v, want Missing", res[1])
	}
	if _, err := os.Stat(filepath.Join(restored, "media.db")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a media.db appeared without a replica")
	}
}

func TestRestoreRejectsBadOptions(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		o    backup.RestoreOptions
		want string
	}{
		{"relative file URL", backup.RestoreOptions{URL: "file://backup", DataDir: t.TempDir()}, "file:///absolute/folder"},
		{"other scheme", backup.RestoreOptions{URL: "gs://bucket/x", DataDir: t.TempDir()}, "want file:///folder or s3://"},
		{"no data folder", backup.RestoreOptions{URL: "file:///tmp/x"}, "data folder"},
		{"path in file name", backup.RestoreOptions{URL: "file:///tmp/x", DataDir: t.TempDir(), Files: []string{"../balcao.db"}}, "plain file name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := backup.Restore(ctx, tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
