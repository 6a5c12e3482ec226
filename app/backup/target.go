package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
	"github.com/benbjohnson/litestream/s3"
	"github.com/superfly/ltx"
)

// defaultFiles are the SQLite files of balcao's data folder.
func defaultFiles() []string { return []string{"balcao.db", "media.db"} }

// parseTarget checks a BALCAO_BACKUP_URL and returns it parsed. Only the two
// kinds of target the app documents are accepted, so that a typo such as
// "file:/srv/backup" fails at start instead of replicating somewhere odd.
func parseTarget(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("backup URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the raw URL, credentials included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("backup URL %q: %w", redactURL(raw), err)
	}
	if u.User != nil {
		return nil, fmt.Errorf("backup URL %q: put the keys in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, not in the URL", redactURL(raw))
	}
	switch u.Scheme {
	case "file":
		if (u.Host != "" && u.Host != "localhost") || !filepath.IsAbs(u.Path) {
			return nil, fmt.Errorf("backup URL %q: want file:///absolute/folder", redactURL(raw))
		}
	case "s3":
		if u.Host == "" {
			return nil, fmt.Errorf("backup URL %q: bucket missing, want s3://bucket/path", redactURL(raw))
		}
	default:
		return nil, fmt.Errorf("backup URL %q: want file:///folder or s3://bucket/path", redactURL(raw))
	}
	return u, nil
}

// fileURL is the replica URL of one database file: its own sub-path of the
// target, so that both files can share one bucket or folder.
func fileURL(target *url.URL, name string) string {
	u := *target
	u.Path = path.Join("/", u.Path, name)
	u.RawPath = ""
	return u.String()
}

// newClient builds and initialises the Litestream client for one sub-path of
// the target.
func newClient(ctx context.Context, target *url.URL, name string) (litestream.ReplicaClient, error) {
	if target.Scheme == "file" {
		// Built directly: Litestream's URL parser keeps percent-escapes (a
		// space as %20) in file paths.
		return file.NewReplicaClient(filepath.Join(filepath.FromSlash(target.Path), name)), nil
	}
	c, err := litestream.NewReplicaClientFromURL(fileURL(target, name))
	if err != nil {
		return nil, fmt.Errorf("replica client for %s: %w", name, err)
	}
	sc, ok := c.(*s3.ReplicaClient)
	if !ok {
		return nil, fmt.Errorf("replica client for %s: unexpected %s client", name, c.Type())
	}
	if err := initS3(ctx, sc); err != nil {
		return nil, fmt.Errorf("replica client for %s: %w", name, err)
	}
	return c, nil
}

// caBundleMu serialises the moments in which AWS_CA_BUNDLE is hidden from the
// process environment.
var caBundleMu sync.Mutex

// initS3 initialises an S3 client with AWS_CA_BUNDLE hidden: the AWS SDK cannot
// add that bundle to the *http.Client Litestream hands it and fails instead (see
// the package comment). Init is idempotent, so the later calls Litestream makes
// itself do not read the environment again.
func initS3(ctx context.Context, c *s3.ReplicaClient) error {
	caBundleMu.Lock()
	defer caBundleMu.Unlock()
	if v, ok := os.LookupEnv("AWS_CA_BUNDLE"); ok {
		if err := os.Unsetenv("AWS_CA_BUNDLE"); err != nil {
			return err
		}
		defer os.Setenv("AWS_CA_BUNDLE", v)
	}
	return c.Init(ctx)
}

// attachReplica links a file client back to its replica, which it uses to give
// the replica files the same owner and mode as the database.
func attachReplica(c litestream.ReplicaClient, r *litestream.Replica) {
	if fc, ok := c.(*file.ReplicaClient); ok {
		fc.Replica = r
	}
}

// Redact returns a backup URL fit for logs and pages: without user
// information or secret-looking query values.
func Redact(rawURL string) string { return redactURL(rawURL) }

// redactURL returns raw without user information or secret-looking query
// values, for logs, status pages and error messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	q := u.Query()
	redacted := false
	for k := range q {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "key") || strings.Contains(lk, "secret") ||
			strings.Contains(lk, "token") || strings.Contains(lk, "password") {
			q.Set(k, "REDACTED")
			redacted = true
		}
	}
	// Re-encoding escapes the colon in endpoint=host:port; only pay that
	// readability cost when something was hidden.
	if redacted {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// checkPath is the sub-path of the target that CheckTarget writes to and removes.
const checkPath = ".balcao-check"

// CheckTarget verifies that the backup target at rawURL is reachable and
// writable by writing, listing, reading back and deleting a small file under
// <target>/.balcao-check.
func CheckTarget(ctx context.Context, rawURL string) (err error) {
	target, err := parseTarget(rawURL)
	if err != nil {
		return err
	}
	where := redactURL(rawURL)
	defer func() {
		if err != nil {
			err = fmt.Errorf("backup target %s: %w", where, err)
		}
	}()
	c, err := newClient(ctx, target, checkPath)
	if err != nil {
		return err
	}
	probe, err := probeLTX()
	if err != nil {
		return fmt.Errorf("build probe: %w", err)
	}
	if _, err := c.WriteLTXFile(ctx, 0, 1, 1, bytes.NewReader(probe)); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := readProbe(ctx, c, probe); err != nil {
		// Best effort, with a context that may not be cancelled yet.
		_ = c.DeleteAll(context.WithoutCancel(ctx))
		return err
	}
	if err := c.DeleteAll(ctx); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}

// readProbe checks that the probe just written is listed and reads back intact.
func readProbe(ctx context.Context, c litestream.ReplicaClient, probe []byte) error {
	infos, err := listLevel(ctx, c, 0)
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	if len(infos) != 1 || infos[0].MaxTXID != 1 {
		return fmt.Errorf("list: want the one file just written, got %d files", len(infos))
	}
	rc, err := c.OpenLTXFile(ctx, 0, 1, 1, 0, 0)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if !bytes.Equal(got, probe) {
		return fmt.Errorf("read back %d bytes that differ from the %d written", len(got), len(probe))
	}
	return nil
}

// probeLTX returns a valid one-page LTX file; the S3 and file clients both
// parse the header of what they upload, so arbitrary bytes would not do.
func probeLTX() ([]byte, error) {
	var buf bytes.Buffer
	enc, err := ltx.NewEncoder(&buf)
	if err != nil {
		return nil, err
	}
	const pageSize = 4096
	hdr := ltx.Header{
		Version:   ltx.Version,
		Flags:     ltx.HeaderFlagNoChecksum,
		PageSize:  pageSize,
		Commit:    1,
		MinTXID:   1,
		MaxTXID:   1,
		Timestamp: time.Now().UnixMilli(),
	}
	if err := enc.EncodeHeader(hdr); err != nil {
		return nil, err
	}
	if err := enc.EncodePage(ltx.PageHeader{Pgno: 1}, make([]byte, pageSize)); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// trackedClient remembers how uploads and listings went. Litestream only logs
// replication failures; Status needs them as values.
type trackedClient struct {
	litestream.ReplicaClient

	mu      sync.Mutex
	writes  outcome
	lists   outcome
	shipped ltx.TXID // highest level-0 TXID uploaded by this process
}

// outcome is the history of one kind of request, reduced to what Status shows.
type outcome struct {
	okAt, errAt time.Time
	err         error
}

// failing returns the last error if no request of this kind has succeeded since.
func (o outcome) failing() (time.Time, error) {
	if o.err != nil && o.errAt.After(o.okAt) {
		return o.errAt, o.err
	}
	return time.Time{}, nil
}

func (o *outcome) record(ctx context.Context, err error) {
	switch {
	case err == nil:
		o.okAt = time.Now()
	case ctx.Err() == nil: // a cancelled context is a shutdown, not a failing target
		o.err, o.errAt = err, time.Now()
	}
}

// WriteLTXFile uploads like the wrapped client and records the outcome.
func (c *trackedClient) WriteLTXFile(ctx context.Context, level int, minTXID, maxTXID ltx.TXID, r io.Reader) (*ltx.FileInfo, error) {
	info, err := c.ReplicaClient.WriteLTXFile(ctx, level, minTXID, maxTXID, r)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes.record(ctx, err)
	if err == nil && level == 0 {
		c.shipped = max(c.shipped, maxTXID)
	}
	return info, err
}

// LTXFiles lists like the wrapped client and records the outcome: after a
// failed upload Litestream lists the target before it tries again, so a target
// that cannot be listed would otherwise fail silently.
func (c *trackedClient) LTXFiles(ctx context.Context, level int, seek ltx.TXID, useMetadata bool) (ltx.FileIterator, error) {
	itr, err := c.ReplicaClient.LTXFiles(ctx, level, seek, useMetadata)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lists.record(ctx, err)
	return itr, err
}

// shippedTXID returns the highest level-0 TXID uploaded by this process.
func (c *trackedClient) shippedTXID() ltx.TXID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.shipped
}

// failure returns the current upload error, or else the current listing
// error, and when it happened. Uploads and listings are judged apart because
// credentials may well allow one and not the other.
func (c *trackedClient) failure() (time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if at, err := c.writes.failing(); err != nil {
		return at, err
	}
	return c.lists.failing()
}

// discardLogger is used when the caller passes no logger.
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// resolveOptions checks the target URL, the data folder and the file list
// that Start, Restore and Inspect all take.
func resolveOptions(rawURL, dataDir string, files []string) (*url.URL, string, []string, error) {
	target, err := parseTarget(rawURL)
	if err != nil {
		return nil, "", nil, err
	}
	if dataDir == "" {
		return nil, "", nil, errors.New("backup: data folder is empty")
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, "", nil, fmt.Errorf("backup: data folder: %w", err)
	}
	files, err = checkFiles(files)
	if err != nil {
		return nil, "", nil, err
	}
	return target, abs, files, nil
}
