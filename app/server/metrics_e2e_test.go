package server_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"balcao/app/server/servertest"
)

const metricsToken = "token-de-metricas-0123456789abcdef"

// scrape GETs path with the bearer token (none when empty) and returns the
// status and body.
func scrape(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// series parses a scrape and returns the value of name with exactly labels
// (a histogram gives its sample count); ok is false when there is no such series.
func series(t *testing.T, body, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("scrape is not the Prometheus text format: %v", err)
	}
	fam, ok := fams[name]
	if !ok {
		return 0, false
	}
	for _, m := range fam.GetMetric() {
		if !sameLabels(m.GetLabel(), labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func sameLabels(got []*dto.LabelPair, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, l := range got {
		if v, ok := want[l.GetName()]; !ok || v != l.GetValue() {
			return false
		}
	}
	return true
}

func TestMetricsNeedTheToken(t *testing.T) {
	t.Run("no token configured: 404", func(t *testing.T) {
		app := servertest.Start(t, servertest.Options{})
		for _, token := range []string{"", "anything-at-all-here"} {
			if status, _ := scrape(t, app.URL+"/metrics", token); status != http.StatusNotFound {
				t.Errorf("token %q: status %d, want 404", token, status)
			}
		}
	})
	app := servertest.Start(t, servertest.Options{Env: map[string]string{"BALCAO_METRICS_TOKEN": metricsToken}})
	cases := []struct {
		name, auth string
		want       int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer " + metricsToken[:len(metricsToken)-1] + "x", http.StatusUnauthorized},
		{"prefix of the token", "Bearer " + metricsToken[:10], http.StatusUnauthorized},
		{"basic instead of bearer", "Basic " + metricsToken, http.StatusUnauthorized},
		{"right token", "Bearer " + metricsToken, http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, app.URL+"/metrics", nil)
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != c.want {
				t.Fatalf("status %d, want %d", res.StatusCode, c.want)
			}
			if c.want == http.StatusUnauthorized && !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q, want a Bearer challenge", res.Header.Get("WWW-Authenticate"))
			}
			if c.want == http.StatusOK && !strings.Contains(string(body), "balcao_webhook_requests_total") &&
				!strings.Contains(string(body), "go_goroutines") {
				t.Errorf("scrape without balcao's or Go's metrics:\n%s", body)
			}
		})
	}
}

// TestMetricsAfterTraffic sends signed webhooks through the real server and
// reads each kind of series back from /metrics.
func TestMetricsAfterTraffic(t *testing.T) {
	backupDir := t.TempDir()
	app := servertest.Start(t, servertest.Options{Simulator: true, Env: map[string]string{
		"BALCAO_METRICS_TOKEN": metricsToken,
		"BALCAO_BACKUP_URL":    "file://" + backupDir,
	}})
	in := servertest.TextMessage("wamid.metrics-1", "5514990000001", "Maria Metrica", "Quero falar com alguém")
	if status := app.PostWebhook(servertest.MessageWebhook(in)); status != http.StatusOK {
		t.Fatalf("webhook: %d", status)
	}
	// The same message again (Meta redelivers): answered 200, counted again.
	if status := app.PostWebhook(servertest.MessageWebhook(in)); status != http.StatusOK {
		t.Fatalf("redelivery: %d", status)
	}
	img := servertest.Inbound{WAMID: "wamid.metrics-2", From: "5514990000002", Name: "João", Type: "image",
		Object: map[string]string{"id": "midia-1", "mime_type": "image/jpeg", "sha256": "x"}}
	if status := app.PostWebhook(servertest.MessageWebhook(img)); status != http.StatusOK {
		t.Fatalf("image webhook: %d", status)
	}
	if status := app.PostWebhook(servertest.StatusWebhook("wamid.nao-existe", "delivered", "5514990000001")); status != http.StatusOK {
		t.Fatalf("status webhook: %d", status)
	}
	// A forged one (401) and a malformed one (400).
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/webhook/whatsapp", strings.NewReader(`{"object":"x"}`))
	req.Header.Set("X-Hub-Signature-256", "sha256=00")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged webhook: %v %v", res, err)
	}
	if status := app.PostWebhook([]byte(`{not json`)); status != http.StatusBadRequest {
		t.Fatalf("malformed webhook: %d", status)
	}
	// An outbox row cut by a crash shows in the depth gauge.
	if _, err := app.Store.W.Exec(`INSERT INTO outbox (to_wa_id, kind, payload, state, next_attempt_at, created_at, updated_at)
		VALUES ('5514990000009', 'message', '{}', 'unknown', 0, 0, 0)`); err != nil {
		t.Fatal(err)
	}
	// A panel listening for live events.
	c, _ := app.LoginAs("atendente", "ana@example.com")
	ctx, stopStream := context.WithCancel(context.Background())
	defer stopStream()
	streamReq, _ := http.NewRequestWithContext(ctx, http.MethodGet, app.URL+"/atendimentos/eventos", nil)
	stream, err := c.HTTP.Do(streamReq)
	if err != nil || stream.StatusCode != http.StatusOK {
		t.Fatalf("event stream: %v %v", stream, err)
	}
	defer stream.Body.Close()

	// Taking and opening a chat sends the citizen a read receipt through the
	// outbox; the simulator never saw that message (it came in by hand, not
	// from its phone), so it refuses the receipt with code 100.
	waitFor(t, "the chat in the queue", func() bool {
		return count(t, app.Store.R, `SELECT count(*) FROM tickets`) == 2
	})
	var ticketID int64
	if err := app.Store.R.QueryRow(`SELECT t.id FROM tickets t JOIN contacts c ON c.id = t.contact_id
		WHERE c.wa_id = '5514990000001'`).Scan(&ticketID); err != nil {
		t.Fatal(err)
	}
	chat := "/atendimentos/" + strconv.FormatInt(ticketID, 10)
	if res := c.PostForm(chat+"/assumir", nil); res.Status != http.StatusOK {
		t.Fatalf("taking the chat: %d", res.Status)
	}
	if res := c.Get(chat); res.Status != http.StatusOK {
		t.Fatalf("opening the chat: %d", res.Status)
	}

	var body string
	want := []struct {
		name   string
		labels map[string]string
		value  float64
	}{
		{"balcao_webhook_requests_total", map[string]string{"code": "200"}, 4},
		{"balcao_webhook_requests_total", map[string]string{"code": "401"}, 1},
		{"balcao_webhook_requests_total", map[string]string{"code": "400"}, 1},
		{"balcao_webhook_request_duration_seconds", map[string]string{}, 6},
		{"balcao_whatsapp_messages_received_total", map[string]string{"type": "text"}, 2},
		{"balcao_whatsapp_messages_received_total", map[string]string{"type": "image"}, 1},
		{"balcao_whatsapp_statuses_received_total", map[string]string{"status": "delivered"}, 1},
		// Without a menu every chat goes to the clerks' queue, without a
		// group; one of the two was taken.
		{"balcao_queue_tickets", map[string]string{"group": ""}, 1},
		{"balcao_outbox_messages", map[string]string{"state": "unknown"}, 1},
		{"balcao_outbox_messages", map[string]string{"state": "failed"}, 1},
		{"balcao_outbox_messages", map[string]string{"state": "pending"}, 0},
		{"balcao_outbox_sends_total", map[string]string{"type": "read", "result": "failed"}, 1},
		{"balcao_outbox_send_errors_total", map[string]string{"code": "100"}, 1},
		{"balcao_sse_clients", map[string]string{}, 1},
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var status int
		status, body = scrape(t, app.URL+"/metrics", metricsToken)
		if status != http.StatusOK {
			t.Fatalf("scrape: %d %s", status, body)
		}
		missing := ""
		for _, w := range want {
			if got, ok := series(t, body, w.name, w.labels); !ok || got != w.value {
				missing += "\n  " + w.name + " " + labelText(w.labels) + ": got " + valueText(got, ok) + ", want " + valueText(w.value, true)
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("series not as expected:%s\n\n%s", missing, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, f := range []string{"balcao.db", "media.db"} {
		if v, ok := series(t, body, "balcao_database_file_bytes", map[string]string{"file": f}); !ok || v < 4096 {
			t.Errorf("size of %s: %v %v, want at least a page", f, v, ok)
		}
	}
	if _, ok := series(t, body, "balcao_database_file_bytes", map[string]string{"file": "balcao.db-wal"}); !ok {
		t.Error("no size for the WAL of balcao.db")
	}
	for _, f := range []string{"balcao.db", "media.db"} {
		if _, ok := series(t, body, "balcao_backup_lag_seconds", map[string]string{"file": f}); !ok {
			t.Errorf("no backup lag of %s", f)
		}
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := series(t, body, name, map[string]string{}); !ok {
			t.Errorf("no %s: the runtime and process collectors are missing", name)
		}
	}
	for _, secret := range []string{metricsToken, app.Config.WA.AppSecret, app.Config.WA.AccessToken, app.Config.WA.VerifyToken, backupDir} {
		if secret != "" && strings.Contains(body, secret) {
			t.Errorf("the scrape shows a secret or a path: %q", secret)
		}
	}
}

func labelText(l map[string]string) string {
	parts := []string{}
	for k, v := range l {
		parts = append(parts, k+"="+v)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func valueText(v float64, ok bool) string {
	if !ok {
		return "absent"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
