package testutil

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"balcao/app/demo"
	"balcao/app/store"
)

// cityInputs are the files whose content decides what a generated city holds:
// a change to any of them (or to the migrations) makes City generate anew.
var cityInputs = []string{"app/demo/generate.go", "app/demo/demo.go", "app/store/bulk_tickets.go", "app/bot/seed.go"}

// BenchTickets is the number of tickets a benchmark's city has:
// BALCAO_BENCH_TICKETS, or def when it is not set.
func BenchTickets(def int) int {
	if v, err := strconv.Atoi(os.Getenv("BALCAO_BENCH_TICKETS")); err == nil && v > 0 {
		return v
	}
	return def
}

// City returns the data folder of the demo city with its generated history of
// tickets (demo.Seed, then demo.Generate with seed 1), for benchmarks. A
// million tickets take many minutes to write, so the folder is kept in
// BALCAO_BENCH_DATA or $TMPDIR and reused by every benchmark and later run,
// under a name that changes with the generator's sources and the migrations:
// stale histories are never measured. The database is closed on return;
// benchmarks that only read it may share it, the others copy it.
func City(tb testing.TB, tickets int) string {
	tb.Helper()
	root := os.Getenv("BALCAO_BENCH_DATA")
	if root == "" {
		root = os.TempDir()
	}
	dir := filepath.Join(root, "balcao-city-"+strconv.Itoa(tickets)+"-"+cityFingerprint(tb))
	if _, err := os.Stat(filepath.Join(dir, store.MainFile)); err == nil {
		tb.Logf("reusing the generated city in %s", dir)
		return dir
	} else if !errors.Is(err, fs.ErrNotExist) {
		tb.Fatal(err)
	}
	// Written beside its final place and renamed when whole: a run cut
	// short never leaves half a history to be reused.
	tmp := dir + ".part"
	if err := os.RemoveAll(tmp); err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, tmp, MigrationsFS(), Logger(tb))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := demo.Seed(ctx, st); err != nil {
		st.Close()
		tb.Fatal(err)
	}
	stats, err := demo.Generate(ctx, st, demo.GenerateOptions{Tickets: tickets, Seed: 1})
	if err := errors.Join(err, st.Close()); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("generated %d tickets, %d messages in %s into %s", stats.Tickets, stats.Messages, stats.Took.Round(time.Second), dir)
	return dir
}

// CopyCity copies a City folder to a new temporary one, for benchmarks that write.
func CopyCity(tb testing.TB, city string) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, name := range []string{store.MainFile, store.MainFile + "-wal", store.MediaFile, store.MediaFile + "-wal"} {
		data, err := os.ReadFile(filepath.Join(city, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// cityFingerprint hashes the generator's sources and the migrations.
func cityFingerprint(tb testing.TB) string {
	h := sha256.New()
	for _, name := range cityInputs {
		data, err := os.ReadFile(filepath.Join(RepoRoot(), name))
		if err != nil {
			tb.Fatal(err)
		}
		h.Write(data)
	}
	err := fs.WalkDir(MigrationsFS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(MigrationsFS(), path)
		h.Write([]byte(path))
		h.Write(data)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
