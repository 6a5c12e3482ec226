// Package backup replicates balcao's SQLite files continuously with Litestream
// (embedded as a library, v0.5) and restores them.
//
// Each file in the data folder (balcao.db and media.db by default) is shipped to
// its own sub-path of the target: BALCAO_BACKUP_URL=file:///srv/backup puts
// balcao.db under /srv/backup/balcao.db/, and
// s3://bucket/balcao?endpoint=host:9000&region=r under the keys balcao/balcao.db/….
// S3 credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, which is
// what MinIO, Wasabi and Backblaze B2 expect too.
//
// # Order of calls in the app
//
//  1. Open the app's databases and run migrations, so that both files exist in
//     WAL mode. Start tolerates a missing file (its replication begins when the
//     file appears, within one Interval), but a file created by the app first
//     gets the app's page size and pragmas rather than Litestream's.
//  2. Start. Litestream then keeps a read transaction open on each file and does
//     the checkpointing; the app's own connections (WAL, busy_timeout 5000,
//     _txlock=immediate) need no change.
//  3. On shutdown, stop the writers, close the app's *sql.DB values, then call
//     Close: its final sync ships whatever the app committed last.
//
// Litestream adds two bookkeeping tables, _litestream_seq and _litestream_lock,
// to each replicated database, and keeps its local state in a hidden folder next
// to each file (.balcao.db-litestream). Both are expected; neither needs backing up.
//
// Restore is for a stopped app: it writes into the data folder and refuses to
// overwrite existing files unless told to.
//
// # AWS_CA_BUNDLE
//
// Litestream v0.5.18 gives the AWS SDK its own *http.Client, and the SDK refuses
// to start ("unable to add custom RootCAs HTTPClient") when AWS_CA_BUNDLE is set,
// as it is on machines that point every tool at the system bundle. This package
// therefore hides AWS_CA_BUNDLE while it initialises an S3 client (under a
// mutex, restoring it straight after). The S3 client then trusts Go's system
// roots, which honour SSL_CERT_FILE and SSL_CERT_DIR: to trust a private CA
// (a self-hosted MinIO, say), add it there, not to AWS_CA_BUNDLE. A ca_bundle
// line in ~/.aws/config causes the same failure and is not worked around.
package backup
