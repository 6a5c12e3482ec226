package server_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"balcao/app/whatsapp"
)

// textPayload is a one-message webhook with a unique wamid.
func textPayload(i int) []byte {
	return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{
"messaging_product":"whatsapp","metadata":{"display_phone_number":"5517999990000","phone_number_id":"106540352242922"},
"contacts":[{"profile":{"name":"Cidadão %d"},"wa_id":"55179%08d"}],
"messages":[{"from":"55179%08d","id":"wamid.BENCH.%d","timestamp":"1749854575","type":"text","text":{"body":"Bom dia, quero a segunda via da conta de água, número %d"}}]}}]}]}`, i%500, i%500, i%500, i, i))
}

// batchPayload is one webhook carrying 100 messages.
func batchPayload(i int) []byte {
	var msgs, contacts bytes.Buffer
	for k := range 100 {
		if k > 0 {
			msgs.WriteByte(',')
			contacts.WriteByte(',')
		}
		n := i*100 + k
		fmt.Fprintf(&contacts, `{"profile":{"name":"Cidadão %d"},"wa_id":"55179%08d"}`, n%500, n%500)
		fmt.Fprintf(&msgs, `{"from":"55179%08d","id":"wamid.BATCH.%d","timestamp":"1749854575","type":"text","text":{"body":"mensagem %d"}}`, n%500, n, n)
	}
	return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
"messaging_product":"whatsapp","metadata":{"display_phone_number":"5517999990000","phone_number_id":"106540352242922"},
"contacts":[%s],"messages":[%s]}}]}]}`, contacts.String(), msgs.String()))
}

// loadResult is what one load run measured.
type loadResult struct {
	requests  int
	elapsed   time.Duration
	latencies []time.Duration
	failures  int64
}

func (r loadResult) perSecond(itemsPerRequest int) float64 {
	return float64(r.requests*itemsPerRequest) / r.elapsed.Seconds()
}

func (r loadResult) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	s := slices.Clone(r.latencies)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// load POSTs every body to url with the given concurrency, signed.
func load(client *http.Client, url string, bodies [][]byte, concurrency int) loadResult {
	var next atomic.Int64
	var failures atomic.Int64
	lat := make([]time.Duration, len(bodies))
	signatures := make([]string, len(bodies))
	for i, b := range bodies {
		signatures[i] = whatsapp.Sign(testSecret, b)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				t0 := time.Now()
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(bodies[i]))
				req.Header.Set(whatsapp.SignatureHeader, signatures[i])
				resp, err := client.Do(req)
				if err != nil {
					failures.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failures.Add(1)
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	return loadResult{requests: len(bodies), elapsed: time.Since(start), latencies: lat, failures: failures.Load()}
}

// benchServer serves the app and, on the same server, a no-op 200 handler that
// reads the body: the baseline the ingest rate is compared with.
func benchServer(b *testing.B) (*testApp, string, *http.Client) {
	app := startApp(b, "", nil)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /noop", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(200)
	})
	mux.Handle("/", app.Handler())
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128}}
	return app, srv.URL, client
}

// BenchmarkWebhookIngest: signed single-message POSTs at concurrency 64 over real
// HTTP into a real SQLite file, and the no-op baseline in the same run.
func BenchmarkWebhookIngest(b *testing.B) {
	const perRound, concurrency = 20000, 64
	app, url, client := benchServer(b)
	var ingest, noop loadResult
	round := 0
	for b.Loop() {
		bodies := make([][]byte, perRound)
		for i := range bodies {
			bodies[i] = textPayload(round*perRound + i)
		}
		round++
		noop = load(client, url+"/noop", bodies, concurrency)
		ingest = load(client, url+"/webhook/whatsapp", bodies, concurrency)
		if ingest.failures > 0 || noop.failures > 0 {
			b.Fatalf("%d ingest and %d no-op requests failed", ingest.failures, noop.failures)
		}
	}
	if got := count(b, app.Store.R, `SELECT count(*) FROM messages`); got != round*perRound {
		b.Fatalf("stored %d messages, want %d", got, round*perRound)
	}
	b.ReportMetric(ingest.perSecond(1), "msg/s")
	b.ReportMetric(float64(ingest.percentile(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(ingest.percentile(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(noop.perSecond(1), "noop-req/s")
	b.ReportMetric(ingest.perSecond(1)/noop.perSecond(1), "ratio-to-noop")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkWebhookIngestBatch100: webhooks of 100 messages each, concurrency 8.
func BenchmarkWebhookIngestBatch100(b *testing.B) {
	const perRound, concurrency = 200, 8
	app, url, client := benchServer(b)
	var res loadResult
	round := 0
	for b.Loop() {
		bodies := make([][]byte, perRound)
		for i := range bodies {
			bodies[i] = batchPayload(round*perRound + i)
		}
		round++
		res = load(client, url+"/webhook/whatsapp", bodies, concurrency)
		if res.failures > 0 {
			b.Fatalf("%d requests failed", res.failures)
		}
	}
	if got := count(b, app.Store.R, `SELECT count(*) FROM messages`); got != round*perRound*100 {
		b.Fatalf("stored %d messages, want %d", got, round*perRound*100)
	}
	b.ReportMetric(res.perSecond(100), "msg/s")
	b.ReportMetric(float64(res.percentile(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
}
