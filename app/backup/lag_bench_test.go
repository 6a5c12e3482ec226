package backup_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"balcao/app/backup"
)

// BenchmarkReplicationLag measures the time from a commit to the target
// holding it, with the default 1 s interval, and reports p50 and max in ms.
// Run: go test ./app/backup/ -run '^$' -bench ReplicationLag -benchtime 20x
func BenchmarkReplicationLag(b *testing.B) {
	b.Run("file", func(b *testing.B) {
		target, _ := fileTarget(b)
		benchLag(b, target)
	})
	b.Run("s3", func(b *testing.B) {
		benchLag(b, fakeS3(b))
	})
}

func benchLag(b *testing.B, target string) {
	ctx := context.Background()
	dir := b.TempDir()
	app := openAppFiles(b, dir, "balcao.db")
	r := start(b, backup.Options{URL: target, DataDir: dir, Files: []string{"balcao.db"}}, app)
	insertRows(b, app["balcao.db"], "balcao.db", 1)
	if err := r.Sync(ctx); err != nil {
		b.Fatal(err)
	}

	var lags []time.Duration
	for b.Loop() {
		// Start from a quiet, in-sync state so that the next transaction
		// Litestream ships is the one committed below, then commit at a
		// random moment of its cycle.
		var base uint64
		waitFor(b, 10*time.Second, "in sync", func() bool {
			st := r.Status(ctx)[0]
			base = st.LocalTXID
			return st.InSync
		})
		time.Sleep(rand.N(backup.DefaultInterval))

		committed := time.Now()
		insertRows(b, app["balcao.db"], "balcao.db", 1)
		for r.Status(ctx)[0].ReplicaTXID <= base {
			if time.Since(committed) > 10*time.Second {
				b.Fatal("commit not replicated within 10 s")
			}
			time.Sleep(5 * time.Millisecond)
		}
		lags = append(lags, time.Since(committed))
	}

	slices.Sort(lags)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(0, "ns/op") // dominated by the deliberate waits
	b.ReportMetric(ms(lags[len(lags)/2]), "p50-ms")
	b.ReportMetric(ms(lags[len(lags)*9/10]), "p90-ms")
	b.ReportMetric(ms(lags[len(lags)-1]), "max-ms")
}
