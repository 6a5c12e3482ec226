package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"balcao/app/metrics"
	"balcao/app/testutil"
	"balcao/app/whatsapp"
)

func scrape(t *testing.T, m *metrics.Metrics) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

// Labels come from a fixed list: a type or status nobody knows becomes
// "other", so odd payloads cannot create series without end.
func TestLabelsAreBounded(t *testing.T) {
	m := metrics.New(metrics.Sources{})
	m.Stored(&whatsapp.Notification{
		Messages: []whatsapp.InboundMessage{{Type: "text"}, {Type: "text"}, {Type: "hologram"}, {Type: "<script>"}},
		Statuses: []whatsapp.StatusUpdate{{Status: "read"}, {Status: "teleported"}},
	})
	m.Sent("template", "sent", 0)
	m.Sent("image", "failed", 131053)
	m.Sent("text", "retry", 130429)
	_, body := scrape(t, m)
	for _, want := range []string{
		`balcao_whatsapp_messages_received_total{type="text"} 2`,
		`balcao_whatsapp_messages_received_total{type="other"} 2`,
		`balcao_whatsapp_statuses_received_total{status="read"} 1`,
		`balcao_whatsapp_statuses_received_total{status="other"} 1`,
		`balcao_outbox_sends_total{result="sent",type="template"} 1`,
		`balcao_outbox_sends_total{result="failed",type="image"} 1`,
		`balcao_outbox_send_errors_total{code="131053"} 1`,
		`balcao_outbox_send_errors_total{code="130429"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("no %s in:\n%s", want, body)
		}
	}
	if strings.Contains(body, "hologram") || strings.Contains(body, "<script>") || strings.Contains(body, `code="0"`) {
		t.Errorf("an unbounded label or a success counted as an error:\n%s", body)
	}
}

// A gauge whose query fails is left out (and logged); the rest is served.
func TestBrokenDatabaseLeavesTheRestServed(t *testing.T) {
	st := testutil.NewStore(t)
	m := metrics.New(metrics.Sources{Store: st, DataDir: t.TempDir(), SSEClients: func() int { return 3 }, Log: testutil.Logger(t)})
	st.Close()
	code, body := scrape(t, m)
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	for _, want := range []string{"balcao_sse_clients 3", `balcao_database_file_bytes{file="balcao.db"} 0`, "go_goroutines"} {
		if !strings.Contains(body, want) {
			t.Errorf("no %s in:\n%s", want, body)
		}
	}
	if strings.Contains(body, "balcao_outbox_messages{") || strings.Contains(body, "balcao_queue_tickets{") {
		t.Errorf("gauges of a closed database were served:\n%s", body)
	}
}

// Nil metrics (a server built without them) are safe to feed.
func TestNilMetricsAreSafe(t *testing.T) {
	var m *metrics.Metrics
	m.Stored(&whatsapp.Notification{Messages: []whatsapp.InboundMessage{{Type: "text"}}})
	m.Sent("text", "sent", 0)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	if got := m.InstrumentWebhook(h); got == nil {
		t.Fatal("no handler")
	}
}
