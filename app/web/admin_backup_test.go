package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// Without BALCAO_BACKUP_URL the page says plainly that there is no backup.
// (The page with a running backup is tested on the whole app in app/server.)
func TestAdminBackupPageWithoutBackup(t *testing.T) {
	e := newAdminEnv(t)
	res := e.c.Get("/admin/backup")
	if res.Status != http.StatusOK {
		t.Fatalf("status %d", res.Status)
	}
	for _, want := range []string{"O backup contínuo está desligado", "BALCAO_BACKUP_URL", "Disco do servidor"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
