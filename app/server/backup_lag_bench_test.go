package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/superfly/ltx"

	"balcao/app/server/servertest"
	"balcao/app/store"
)

// BenchmarkReplicationLagUnderTraffic measures, on the whole app with the
// default 1 s backup interval, the time from a webhook's 200 (its commit) to
// the backup target holding that commit, while citizens keep writing at
// about 100 messages a second. It reports p50, p90 and max in ms.
//
//	go test ./app/server/ -run '^$' -bench ReplicationLagUnderTraffic -benchtime 30x
func BenchmarkReplicationLagUnderTraffic(b *testing.B) {
	ctx := context.Background()
	env, _ := backupEnv(b)
	delete(env, "BALCAO_BACKUP_INTERVAL") // the default, as in production
	a := servertest.Start(b, servertest.Options{Env: env})
	ltxDir := filepath.Join(a.Config.DataDir, "."+store.MainFile+"-litestream", "ltx", "0")

	// Background traffic: 100 messages a second from 300 citizens.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var sent atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			body := servertest.MessageWebhook(servertest.TextMessage(fmt.Sprintf("wamid.TRAFFIC.%d", i),
				fmt.Sprintf("55179%08d", i%300), "Cidadão", "Quero a segunda via da conta de água"))
			if a.PostWebhook(body) == 200 {
				sent.Add(1)
			}
		}
	}()
	started := time.Now()

	var lags []time.Duration
	for i := 0; b.Loop(); i++ {
		time.Sleep(rand.N(time.Second))
		body := servertest.MessageWebhook(servertest.TextMessage(fmt.Sprintf("wamid.MARK.%d", i), "5517900000000", "Marcador", "marcador"))
		if got := a.PostWebhook(body); got != 200 {
			b.Fatalf("marker: status %d", got)
		}
		committed := time.Now()
		// The commit is in the first transaction Litestream reads from the
		// WAL after it: the first local LTX file written since.
		var txid ltx.TXID
		for txid == 0 {
			txid = firstLTXSince(ltxDir, committed)
			if time.Since(committed) > 10*time.Second {
				b.Fatal("commit not read from the WAL within 10 s")
			}
			time.Sleep(2 * time.Millisecond)
		}
		for a.Backup.Status(ctx)[0].ReplicaTXID < uint64(txid) {
			if time.Since(committed) > 10*time.Second {
				b.Fatal("commit not replicated within 10 s")
			}
			time.Sleep(5 * time.Millisecond)
		}
		lags = append(lags, time.Since(committed))
	}
	close(stop)
	wg.Wait()

	slices.Sort(lags)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(0, "ns/op") // dominated by the deliberate waits
	b.ReportMetric(ms(lags[len(lags)/2]), "p50-ms")
	b.ReportMetric(ms(lags[len(lags)*9/10]), "p90-ms")
	b.ReportMetric(ms(lags[len(lags)-1]), "max-ms")
	b.ReportMetric(float64(sent.Load())/time.Since(started).Seconds(), "traffic-msg/s")
}

// firstLTXSince returns the lowest transaction of the local level-0 files
// written at or after t, or 0 if there is none yet.
func firstLTXSince(dir string, t time.Time) ltx.TXID {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var first ltx.TXID
	for _, e := range ents {
		_, hi, err := ltx.ParseFilename(e.Name())
		if err != nil {
			continue
		}
		fi, err := e.Info()
		if err != nil || fi.ModTime().Before(t) {
			continue
		}
		if first == 0 || hi < first {
			first = hi
		}
	}
	return first
}
