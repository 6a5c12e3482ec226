package backup_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"balcao/app/backup"
)

// The writer subprocess is configured through these variables.
const (
	envWriterDir = "BALCAO_BACKUP_TEST_WRITER_DIR"
	envWriterURL = "BALCAO_BACKUP_TEST_WRITER_URL"
)

// runWriter is the process the restore drill kills. It replicates dir to
// target and writes to both files as fast as it can; after every successful
// Sync it prints the row counts committed before that Sync began, which the
// target is then known to hold. It only returns on error.
func runWriter(dir, target string) error {
	ctx := context.Background()
	var tickets, messages atomic.Int64
	main, err := openApp(filepath.Join(dir, "balcao.db"))
	if err != nil {
		return err
	}
	media, err := openApp(filepath.Join(dir, "media.db"))
	if err != nil {
		return err
	}
	if _, err := main.Exec(schemas["balcao.db"]); err != nil {
		return err
	}
	if _, err := media.Exec(schemas["media.db"]); err != nil {
		return err
	}
	r, err := backup.Start(ctx, backup.Options{URL: target, DataDir: dir, Interval: 200 * time.Millisecond, Logger: testLogger()})
	if err != nil {
		return err
	}

	errc := make(chan error, 1)
	go func() {
		for i := 1; ; i++ {
			if _, err := main.Exec(`INSERT INTO tickets (subject, body) VALUES ('pedido', ?)`, body); err != nil {
				errc <- err
				return
			}
			tickets.Add(1)
			if i%2 == 0 {
				if _, err := media.Exec(`INSERT INTO messages (ticket_id, body) VALUES (?, ?)`, i, body); err != nil {
					errc <- err
					return
				}
				messages.Add(1)
			}
		}
	}()
	for {
		select {
		case err := <-errc:
			return err
		case <-time.After(150 * time.Millisecond):
		}
		t, m := tickets.Load(), messages.Load()
		if err := r.Sync(ctx); err != nil {
			return err
		}
		fmt.Printf("synced %d %d\n", t, m)
	}
}

// drill runs the writer in a subprocess replicating to target, SIGKILLs it
// mid-stream after a few confirmed syncs, restores into a new folder and
// checks that every row confirmed by the last sync came back.
func drill(t *testing.T, target string) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envWriterDir+"="+dir, envWriterURL+"="+target)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	var confirmed [2]int64
	syncs := 0
	lines := bufio.NewScanner(out)
	deadline := time.Now().Add(20 * time.Second)
	for syncs < 8 && lines.Scan() {
		if _, err := fmt.Sscanf(lines.Text(), "synced %d %d", &confirmed[0], &confirmed[1]); err != nil {
			t.Fatalf("writer said %q", lines.Text())
		}
		syncs++
		if time.Now().After(deadline) {
			t.Fatal("writer too slow")
		}
	}
	if syncs < 8 {
		t.Fatalf("writer stopped after %d syncs: %v", syncs, lines.Err())
	}
	// The writer is mid-insert and Litestream mid-upload: no clean shutdown.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	t.Logf("killed the writer after %d syncs; last confirmed: %d tickets, %d messages", syncs, confirmed[0], confirmed[1])
	if confirmed[0] == 0 || confirmed[1] == 0 {
		t.Fatal("nothing was written before the last confirmed sync")
	}

	restored := filepath.Join(t.TempDir(), "restored")
	res, err := backup.Restore(context.Background(), backup.RestoreOptions{URL: target, DataDir: restored, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"balcao.db", "media.db"} {
		if res[i].Name != name || res[i].Missing || res[i].Path != filepath.Join(restored, name) {
			t.Fatalf("restore result %d = %+v", i, res[i])
		}
		n := checkRestored(t, res[i].Path, tables[name])
		if n < confirmed[i] {
			t.Errorf("%s: restored %d rows, but %d were confirmed replicated", name, n, confirmed[i])
		}
		t.Logf("%s: restored %d rows (confirmed %d, TXID %d, state %s)", name, n, confirmed[i], res[i].TXID, res[i].State.Format(time.StampMilli))
	}
}

func TestRestoreDrillFile(t *testing.T) {
	target, _ := fileTarget(t)
	drill(t, target)
}

func TestRestoreDrillS3(t *testing.T) {
	target := fakeS3(t)
	// Set on these machines; the subprocess inherits it.
	t.Setenv("AWS_CA_BUNDLE", caBundle(t))
	drill(t, target)
}
