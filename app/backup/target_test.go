package backup_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benbjohnson/litestream"

	"balcao/app/backup"
)

func TestCheckTarget(t *testing.T) {
	ctx := context.Background()
	good, goodDir := fileTarget(t)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s3URL := fakeS3(t)
	spaced := filepath.Join(t.TempDir(), "my backups")

	tests := []struct {
		name string
		url  string
		want string // substring of the error; empty for success
	}{
		{"folder", good, ""},
		{"folder with a space", (&url.URL{Scheme: "file", Path: spaced}).String(), ""},
		{"folder under a regular file", "file://" + blocker + "/backup", "write"},
		{"s3", s3URL, ""},
		{"s3 bucket missing", strings.Replace(s3URL, "balcao-backup", "no-such-bucket", 1), "no-such-bucket"},
		{"not a backup URL", "https://example.com/x", "want file:///folder or s3://"},
		{"keys in the URL", "s3://AKIAEXAMPLE:s3cr3t@bucket/x", "AWS_ACCESS_KEY_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := backup.CheckTarget(ctx, tt.url)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("CheckTarget(%s) = %v", tt.url, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("CheckTarget(%s) = %v, want an error mentioning %q", tt.url, err, tt.want)
			case err != nil && strings.Contains(err.Error(), "s3cr3t"):
				t.Fatalf("CheckTarget error shows the secret: %v", err)
			case err != nil:
				t.Logf("CheckTarget: %v", err)
			}
		})
	}
	// The probe cleans up after itself, and a space stays a space.
	for _, dir := range []string{goodDir, spaced} {
		ents, err := os.ReadDir(dir)
		if err != nil || len(ents) != 0 {
			t.Errorf("target %s after CheckTarget: %v, %v; want an empty folder", dir, ents, err)
		}
	}
}

// TestS3WithAWSCABundle pins the Litestream gotcha this package works around:
// with AWS_CA_BUNDLE set, its S3 client does not start. If this test starts
// failing after an upgrade, the workaround in initS3 may be removable.
func TestS3WithAWSCABundle(t *testing.T) {
	ctx := context.Background()
	target := fakeS3(t)
	bundle := caBundle(t)
	t.Setenv("AWS_CA_BUNDLE", bundle)

	raw, err := litestream.NewReplicaClientFromURL(target)
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Init(ctx); err == nil || !strings.Contains(err.Error(), "custom RootCAs") {
		t.Fatalf("litestream's S3 client with AWS_CA_BUNDLE set: Init = %v, want the RootCAs failure", err)
	}

	if err := backup.CheckTarget(ctx, target); err != nil {
		t.Fatalf("CheckTarget with AWS_CA_BUNDLE set: %v", err)
	}
	if got := os.Getenv("AWS_CA_BUNDLE"); got != bundle {
		t.Errorf("AWS_CA_BUNDLE = %q after CheckTarget, want it restored to %q", got, bundle)
	}

	// A bogus path is no worse: the variable is not read at all.
	t.Setenv("AWS_CA_BUNDLE", filepath.Join(t.TempDir(), "missing.pem"))
	if err := backup.CheckTarget(ctx, target); err != nil {
		t.Fatalf("CheckTarget with a missing AWS_CA_BUNDLE file: %v", err)
	}
}
