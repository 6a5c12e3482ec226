package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"balcao/app/store"
	"balcao/app/testutil"
)

var newTokenRe = regexp.MustCompile(`<code id="new-token">(blc_[A-Za-z0-9_-]+)</code>`)

// apiStatus calls GET /api/v1/tickets with token.
func apiStatus(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/tickets", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// An admin creates a token (shown once), it opens the API, and revoking it closes it.
func TestIntegrationsTokens(t *testing.T) {
	st := testutil.NewStore(t)
	testutil.AddUser(t, st, store.RoleAdmin, "ana@example.com", "senha-secreta-123")
	ts, c := testutil.NewServer(t, st)
	c.Login("ana@example.com", "senha-secreta-123")

	if res := c.Get("/admin"); !strings.Contains(res.Body, `href="/admin/integracoes"`) {
		t.Error("Administração does not link to Integrações")
	}
	if res := c.PostForm("/admin/integracoes/tokens", url.Values{"name": {"  "}}); res.Status != http.StatusUnprocessableEntity || res.FieldError("name") == "" {
		t.Errorf("token without a name: %d %q", res.Status, res.FieldError("name"))
	}
	res := c.PostForm("/admin/integracoes/tokens", url.Values{"name": {"Site da prefeitura"}})
	m := newTokenRe.FindStringSubmatch(res.Body)
	if res.Status != http.StatusOK || m == nil {
		t.Fatalf("token not shown: %d", res.Status)
	}
	token := m[1]
	if got := apiStatus(t, ts.URL, token); got != http.StatusOK {
		t.Fatalf("new token: API status %d", got)
	}
	page := c.Get("/admin/integracoes")
	if strings.Contains(page.Body, token) || !strings.Contains(page.Body, "Site da prefeitura") || !strings.Contains(page.Body, token[:10]) {
		t.Error("the list must name the token and show its start, never the token again")
	}
	list, err := st.ListAPITokens(context.Background())
	if err != nil || len(list) != 1 || list[0].CreatedByName == "" {
		t.Fatalf("tokens %+v %v", list, err)
	}
	res = c.PostForm("/admin/integracoes/tokens/"+itoa64(list[0].ID)+"/revogar", nil)
	if res.Status != http.StatusOK || res.Flash() == "" {
		t.Errorf("revoke: %d %q", res.Status, res.Flash())
	}
	if got := apiStatus(t, ts.URL, token); got != http.StatusUnauthorized {
		t.Errorf("revoked token: API status %d", got)
	}
	acts := strings.Join(auditActions(t, st), " ")
	if !strings.Contains(acts, "api_token.create") || !strings.Contains(acts, "api_token.revoke") {
		t.Errorf("audit %s", acts)
	}
}

// The webhook settings are checked; a failed delivery can be sent again.
func TestIntegrationsWebhook(t *testing.T) {
	st := testutil.NewStore(t)
	testutil.AddUser(t, st, store.RoleAdmin, "ana@example.com", "senha-secreta-123")
	testutil.AddUser(t, st, store.RoleSupervisor, "sup@example.com", "senha-secreta-123")
	ts, c := testutil.NewServer(t, st)
	c.Login("ana@example.com", "senha-secreta-123")
	for _, tc := range []struct {
		name       string
		values     url.Values
		status     int
		badField   string
		wantURL    string
		wantSecret string
	}{
		{"not a URL", url.Values{"url": {"sistema.prefeitura"}, "secret": {"0123456789abcdef"}}, 422, "url", "", ""},
		{"short secret", url.Values{"url": {"https://sistema.example/hook"}, "secret": {"curto"}}, 422, "secret", "", ""},
		{"saved", url.Values{"url": {"https://sistema.example/hook"}, "secret": {"0123456789abcdef"}}, 200, "", "https://sistema.example/hook", "0123456789abcdef"},
		{"blank secret keeps it", url.Values{"url": {"https://outro.example/hook"}, "secret": {""}}, 200, "", "https://outro.example/hook", "0123456789abcdef"},
		{"off", url.Values{"url": {""}}, 200, "", "", "0123456789abcdef"},
	} {
		res := c.PostForm("/admin/integracoes/webhook", tc.values)
		if res.Status != tc.status || (tc.badField != "" && res.FieldError(tc.badField) == "") {
			t.Errorf("%s: status %d, errors %v", tc.name, res.Status, res.FieldErrors())
			continue
		}
		if tc.status == 200 {
			set, _ := st.WebhookSettings(context.Background())
			if set.URL != tc.wantURL || set.Secret != tc.wantSecret {
				t.Errorf("%s: settings %+v", tc.name, set)
			}
		}
	}
	// A failed delivery shows with its error and goes back to the queue.
	if err := st.SaveWebhookSettings(context.Background(), store.WebhookSettings{URL: "https://sistema.example/hook", Secret: "0123456789abcdef"}); err != nil {
		t.Fatal(err)
	}
	o, err := st.OpenTicket(context.Background(), store.NewTicket{ContactID: contactFor(t, st), Kind: "elogio", Subject: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EmitTicketEvent(context.Background(), store.HookEvent{Event: store.EventTicketCreated, TicketID: o.ID}); err != nil {
		t.Fatal(err)
	}
	hooks, _ := st.RecentWebhooks(context.Background(), 1)
	if err := st.MarkWebhookFailed(context.Background(), hooks[0].ID, 500, "receiver answered 500"); err != nil {
		t.Fatal(err)
	}
	page := c.Get("/admin/integracoes")
	if !strings.Contains(page.Body, "Falhou") || !strings.Contains(page.Body, "receiver answered 500") || !strings.Contains(page.Body, "Reenviar") {
		t.Error("the failed delivery is not shown with its error and a retry")
	}
	if res := c.PostForm("/admin/integracoes/entregas/"+itoa64(hooks[0].ID)+"/reenviar", nil); res.Status != http.StatusOK {
		t.Errorf("retry: %d", res.Status)
	}
	if hooks, _ = st.RecentWebhooks(context.Background(), 1); hooks[0].State != store.WebhookPending {
		t.Errorf("after retry: %+v", hooks[0])
	}
	if res := c.PostForm("/admin/integracoes/entregas/"+itoa64(hooks[0].ID)+"/reenviar", nil); res.Status != http.StatusConflict {
		t.Errorf("retrying a pending delivery: %d", res.Status)
	}

	// Only admins.
	sup := testutil.NewClient(t, ts)
	sup.Login("sup@example.com", "senha-secreta-123")
	if res := sup.Get("/admin/integracoes"); res.Status != http.StatusForbidden {
		t.Errorf("supervisor sees Integrações: %d", res.Status)
	}
}

func contactFor(t *testing.T, st *store.Store) int64 {
	t.Helper()
	var id int64
	if err := st.W.QueryRow(`INSERT INTO contacts (wa_id, created_at, updated_at) VALUES ('5514999990001', 1, 1) RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
