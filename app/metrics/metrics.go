// Package metrics exposes what IT staff watch on a running balcao in the
// Prometheus text format: webhooks, messages in and out, the outbox, the
// queues, live panels, the size of the database files and the backup lag.
// Counters are kept in memory since the start; gauges that read the
// database are measured when Prometheus scrapes (see collector.go), so an
// idle balcao does no work for them.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"balcao/app/backup"
	"balcao/app/store"
	"balcao/app/whatsapp"
)

// Sources are where the scrape-time gauges read from; nil fields leave
// their metrics out.
type Sources struct {
	// Store answers the outbox and queue counts.
	Store *store.Store
	// DataDir holds balcao.db and media.db, whose sizes are reported.
	DataDir string
	// SSEClients returns how many live event streams are open.
	SSEClients func() int
	// Backup returns the last known replication status of each file (nil:
	// no backup configured).
	Backup func() []backup.FileStatus
	// Log receives the errors of scrape-time queries.
	Log *slog.Logger
}

// Metrics holds balcao's private registry and the counters the app feeds.
type Metrics struct {
	// Registry is private to this balcao, so tests that start several apps
	// in one process do not share series.
	Registry *prometheus.Registry

	webhooks     *prometheus.CounterVec
	webhookTime  *prometheus.HistogramVec
	received     *prometheus.CounterVec
	statuses     *prometheus.CounterVec
	sends        *prometheus.CounterVec
	sendErrors   *prometheus.CounterVec
	log          *slog.Logger
	scrapeBudget time.Duration
	handler      http.Handler
}

// New registers every metric of balcao, with the Go runtime and process
// collectors, in a new registry.
func New(src Sources) *Metrics {
	if src.Log == nil {
		src.Log = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{Registry: prometheus.NewRegistry(), log: src.Log, scrapeBudget: 5 * time.Second}
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "balcao_webhook_requests_total",
		Help: "WhatsApp webhook POSTs answered, by HTTP status (200 stored, 400 malformed, 401 bad signature, 413 too large, 503 not stored: Meta retries).",
	}, []string{"code"})
	m.webhookTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "balcao_webhook_request_duration_seconds",
		Help:    "Time to answer a WhatsApp webhook POST, commit included.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, nil)
	m.received = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "balcao_whatsapp_messages_received_total",
		Help: "Citizens' messages in webhooks that were stored, by WhatsApp type (a redelivered message counts again).",
	}, []string{"type"})
	m.statuses = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "balcao_whatsapp_statuses_received_total",
		Help: "Delivery statuses of sent messages in webhooks that were stored, by status (sent, delivered, read, failed…).",
	}, []string{"status"})
	m.sends = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "balcao_outbox_sends_total",
		Help: "Send attempts of the outbox, by message type and result (sent, retry, failed, stopped).",
	}, []string{"type", "result"})
	m.sendErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "balcao_outbox_send_errors_total",
		Help: "Failed send attempts of the outbox, by Cloud API error code (0: network error or timeout).",
	}, []string{"code"})
	m.Registry.MustRegister(m.webhooks, m.webhookTime, m.received, m.statuses, m.sends, m.sendErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&collector{src: src, budget: m.scrapeBudget})
	if src.SSEClients != nil {
		m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "balcao_sse_clients",
			Help: "Live event streams open (panel pages listening for changes).",
		}, func() float64 { return float64(src.SSEClients()) }))
	}
	m.handler = promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	})
	return m
}

// Handler serves the registry in the Prometheus text format. A gauge whose
// query failed is left out and logged; the rest is still served.
func (m *Metrics) Handler() http.Handler { return m.handler }

// InstrumentWebhook counts the answers of the webhook handler h by status
// and times them.
func (m *Metrics) InstrumentWebhook(h http.Handler) http.Handler {
	if m == nil {
		return h
	}
	return promhttp.InstrumentHandlerCounter(m.webhooks, promhttp.InstrumentHandlerDuration(m.webhookTime, h))
}

// Stored counts the messages and statuses of a webhook that was committed.
func (m *Metrics) Stored(n *whatsapp.Notification) {
	if m == nil {
		return
	}
	for _, msg := range n.Messages {
		m.received.WithLabelValues(messageType(msg.Type)).Inc()
	}
	for _, st := range n.Statuses {
		m.statuses.WithLabelValues(statusLabel(st.Status)).Inc()
	}
}

// Sent counts one send attempt of the outbox (its outbox.Options.OnSend):
// the message type, the result (outbox.Sent, Retried, Failed, Stopped) and,
// unless it was sent, the Cloud API error code.
func (m *Metrics) Sent(msgType, result string, code int) {
	if m == nil {
		return
	}
	m.sends.WithLabelValues(messageType(msgType), result).Inc()
	if result != "sent" {
		m.sendErrors.WithLabelValues(strconv.Itoa(code)).Inc()
	}
}

// knownTypes bounds the type label: WhatsApp's message types; anything
// else is "other", so a strange payload cannot create series without end.
var knownTypes = map[string]bool{"text": true, "image": true, "audio": true, "video": true, "document": true,
	"sticker": true, "location": true, "contacts": true, "interactive": true, "button": true, "reaction": true,
	"order": true, "system": true, "template": true, "unsupported": true, "read": true}

func messageType(t string) string {
	if knownTypes[t] {
		return t
	}
	return "other"
}

var knownStatuses = map[string]bool{"sent": true, "delivered": true, "read": true, "failed": true, "played": true, "deleted": true}

func statusLabel(s string) string {
	if knownStatuses[s] {
		return s
	}
	return "other"
}

// scrapeContext bounds the database queries of one scrape.
func scrapeContext(budget time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), budget)
}
